"""Outgoing email through a real SMTP server on loopback (aiosmtpd): queueing is idempotent, a message goes out
once however often the queue is drained, a server that is down is retried with growing waits, a 5xx refusal
fails at once; open and click tracking with signed tokens; templates; SMTP settings — on SQLite and PostgreSQL."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from engine.jobs import queue
from engine.mail.config import SmtpConfig, forget_smtp, load_smtp, parse_smtp_url, save_smtp, smtp_problems
from engine.mail.links import add_pixel, links_in, rewrite_links
from engine.mail.log import MessageFilter, list_messages, status_counts
from engine.mail.outgoing import queue_email, recipients, render_stored_template, send_job_key
from engine.mail.plaintext import html_to_text
from engine.mail.sending import send_test_email
from engine.mail.tables import email_messages
from engine.mail.templates import TemplateInvalid, delete_template, save_template, template_by_name
from engine.mail.tracking import (batch_stats, click_token, open_token, read_click_token, read_open_token,
                                  record_click, record_open, signing_key)
from engine.settings import Settings
from engine.storage.database import read_transaction, write_transaction
from engine.templating import TemplateProblem
from tests.pg import free_port

HTML = ('<p>尊敬的李雷:</p><p>请查看<a href="https://shop.example.cn/offer?id=7&amp;ref=mail">本月优惠</a>,'
        '或<a href="mailto:sales@example.cn">写信给我们</a>。</p>')
OFFER = "https://shop.example.cn/offer?id=7&ref=mail"


class Inbox:
    """An aiosmtpd handler keeping what it accepted; addresses in `refuse` get the given reply at RCPT."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in self.received]  # type: ignore[misc]


class SmtpServer:
    """A real SMTP server on a loopback port, started and stopped by the test."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, ready_timeout=120)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, **changes: Any) -> SmtpConfig:
        values: dict[str, Any] = {"host": "127.0.0.1", "port": self.port, "security": "none",
                                  "sender": "noreply@formwork.example", "sender_name": "销售部", "timeout": 60.0}
        return SmtpConfig(**{**values, **changes})


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def ws(fresh_workspace, smtp_server):  # type: ignore[no-untyped-def]
    """A workspace whose saved SMTP settings point at the loopback server."""
    with write_transaction(fresh_workspace.engine) as conn:
        save_smtp(conn, smtp_server.config())
    return fresh_workspace


def queued(ws, key: str = "k1", to: tuple[str, ...] = ("li@example.cn",), **kwargs: Any) -> list[int]:  # type: ignore[no-untyped-def]
    with write_transaction(ws.engine) as conn:
        return queue_email(conn, key=key, to=list(to), subject=kwargs.pop("subject", "本月优惠 · Offers"),
                           html=kwargs.pop("html", HTML), now=ws.now(), **kwargs)


def message(ws, message_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return dict(conn.execute(sa.select(email_messages).where(email_messages.c.id == message_id)).mappings().one())


def job(ws, message_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = ws.jobs.get(send_job_key(message_id))
    assert found is not None
    return found


# --- queueing and sending --------------------------------------------------------------------------------------

def test_queue_and_drain_delivers_each_recipient_once(ws, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ids = queued(ws, to=("li@example.cn", "LI@example.cn", "not an address", "王芳 <wang@example.cn>"),
                source="auto:x:1", form="customer", record_id=3, batch="campaign-12")
    assert len(ids) == 2  # the same address twice and a bad one: two messages
    assert queued(ws) == []  # the same key again queues nothing
    ws.jobs.drain()
    ws.jobs.drain()
    assert [rcpt for _, rcpt, _ in smtp_server.inbox.received] == [["li@example.cn"], ["wang@example.cn"]]
    first = message(ws, ids[0])
    assert first["status"] == "sent" and first["sent_at"] == ws.now() and first["error"] is None
    assert first["batch"] == "campaign-12" and first["source"] == "auto:x:1" and first["record_id"] == 3
    assert job(ws, ids[0])["status"] == "done"

    got = smtp_server.inbox.messages()[0]
    assert got["Subject"] == "本月优惠 · Offers" and got["To"] == "li@example.cn"
    assert got["From"].addresses[0].display_name == "销售部" and got["From"].addresses[0].addr_spec == \
        "noreply@formwork.example"
    assert got["Message-ID"] == first["message_id"] and first["message_id"].endswith("@formwork.example>")
    assert got["Date"].datetime == ws.now()
    text = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert "尊敬的李雷" in text and OFFER in text and "sales@example.cn" in text
    assert OFFER not in html and "http://127.0.0.1:8000/t/c/" in html and "/t/o/" in html
    assert 'href="mailto:sales@example.cn"' in html  # only web links go through the tracker


def test_a_sent_message_is_never_sent_again(ws, smtp_server) -> None:  # type: ignore[no-untyped-def]
    [mid] = queued(ws)
    ws.jobs.drain()
    with write_transaction(ws.engine) as conn:  # a second job for the same message (a replayed queue)
        queue.enqueue(conn, "email:again", "email.send", {"message": mid}, now=ws.now())
    ws.jobs.drain()
    assert len(smtp_server.inbox.received) == 1
    assert (ws.jobs.get("email:again") or {})["result"] == {"message": mid, "status": "sent", "repeat": True}


def test_untracked_message_goes_out_as_written(ws, smtp_server) -> None:  # type: ignore[no-untyped-def]
    [mid] = queued(ws, track=False)
    ws.jobs.drain()
    html = smtp_server.inbox.messages()[0].get_body(("html",)).get_content()
    assert OFFER.replace("&", "&amp;") in html and "/t/" not in html


def test_a_server_that_is_down_is_retried_with_backoff_then_delivered(fresh_workspace, clock) -> None:  # type: ignore[no-untyped-def]
    ws, later = fresh_workspace, SmtpServer()  # nothing listens on its port yet
    with write_transaction(ws.engine) as conn:
        save_smtp(conn, later.config())
    [mid] = queued(ws)
    ws.jobs.drain()
    first = message(ws, mid)
    assert first["status"] == "queued" and first["error_code"] == "connect" and "Could not connect" in first["error"]
    assert job(ws, mid)["status"] == "retry" and job(ws, mid)["next_at"] == ws.now() + timedelta(seconds=10)
    later.start()
    try:
        ws.jobs.drain()
        assert later.inbox.received == []  # not due yet
        clock.now += timedelta(seconds=10)
        ws.jobs.drain()
        assert len(later.inbox.received) == 1
    finally:
        later.stop()
    done = message(ws, mid)
    assert done["status"] == "sent" and done["attempts"] == 2 and done["error"] is None
    assert job(ws, mid)["attempts"] == 2


def test_a_5xx_refusal_fails_at_once(ws, smtp_server) -> None:  # type: ignore[no-untyped-def]
    smtp_server.inbox.refuse["gone@example.cn"] = "550 5.1.1 <gone@example.cn>: mailbox unavailable"
    [mid] = queued(ws, to=("gone@example.cn",))
    ws.jobs.drain()
    row, sent = message(ws, mid), job(ws, mid)
    assert row["status"] == "failed" and row["error_code"] == "recipient_refused"
    assert "550 5.1.1 <gone@example.cn>: mailbox unavailable" in row["error"]
    assert sent["status"] == "failed" and sent["attempts"] == 1 and "mailbox unavailable" in sent["last_error"]


def test_a_4xx_reply_is_retried(ws, smtp_server, clock) -> None:  # type: ignore[no-untyped-def]
    smtp_server.inbox.refuse["busy@example.cn"] = "451 4.3.0 try again later"
    [mid] = queued(ws, to=("busy@example.cn",))
    ws.jobs.drain()
    assert job(ws, mid)["status"] == "retry" and message(ws, mid)["status"] == "queued"
    del smtp_server.inbox.refuse["busy@example.cn"]
    clock.now += timedelta(seconds=10)
    ws.jobs.drain()
    assert message(ws, mid)["status"] == "sent" and len(smtp_server.inbox.received) == 1


def test_the_last_try_marks_the_message_failed(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    [mid] = queued(fresh_workspace, max_attempts=1)  # and no SMTP server is set up
    fresh_workspace.jobs.drain()
    row = message(fresh_workspace, mid)
    assert row["status"] == "failed" and row["error_code"] == "not_configured" and "No SMTP server" in row["error"]
    assert job(fresh_workspace, mid)["status"] == "failed"


def test_the_log_lists_newest_first_by_status(ws, smtp_server, clock) -> None:  # type: ignore[no-untyped-def]
    smtp_server.inbox.refuse["gone@example.cn"] = "550 no such user"
    for n in range(3):
        queued(ws, key=f"k{n}", to=(f"user{n}@example.cn",), batch="b1")
        clock.now += timedelta(seconds=1)
    queued(ws, key="bad", to=("gone@example.cn",))
    ws.jobs.drain()
    with read_transaction(ws.engine) as conn:
        assert status_counts(conn) == {"queued": 0, "sending": 0, "sent": 3, "failed": 1}
        first = list_messages(conn, MessageFilter(status="sent"), page=1, per_page=2)
        second = list_messages(conn, MessageFilter(status="sent"), page=2, per_page=2)
        assert [m["to_address"] for m in first.messages] == ["user2@example.cn", "user1@example.cn"] and first.more
        assert [m["to_address"] for m in second.messages] == ["user0@example.cn"] and not second.more
        assert [m["to_address"] for m in list_messages(conn, MessageFilter(search="gone")).messages] == \
            ["gone@example.cn"]
        assert "html" not in first.messages[0]


# --- tracking --------------------------------------------------------------------------------------------------

def test_opens_and_clicks_are_counted_and_only_the_messages_links_redirect(ws, smtp_server, clock) -> None:  # type: ignore[no-untyped-def]
    ids = queued(ws, to=("a@example.cn", "b@example.cn", "c@example.cn"), batch="campaign-12")
    smtp_server.inbox.refuse["c@example.cn"] = "550 unknown"
    ws.jobs.drain()
    with write_transaction(ws.engine) as conn:
        key = signing_key(conn, "")
        assert key is not None
        assert read_open_token(key, open_token(key, ids[0])) == ids[0]
        assert read_open_token(key, open_token("another key", ids[0])) is None
        assert read_open_token(key, "MQ.forged") is None and read_click_token(key, "WzEsIngiXQ.forged") is None
        assert read_click_token(key, click_token(key, ids[0], OFFER)) == (ids[0], OFFER)
        assert record_open(conn, ids[0], ws.now()) and record_open(conn, ids[0], ws.now() + timedelta(hours=1))
        assert record_click(conn, ids[1], OFFER, ws.now()) == OFFER  # a click without the pixel: opened too
        assert record_click(conn, ids[1], "https://evil.example/", ws.now()) is None  # not a link of the message
        assert not record_open(conn, 999_999, ws.now())
        assert batch_stats(conn, "campaign-12") == {"sent": 2, "opened": 2, "clicked": 1, "failed": 1}
        assert batch_stats(conn, "nothing") == {"sent": 0, "opened": 0, "clicked": 0, "failed": 0}
    opened, clicked = message(ws, ids[0]), message(ws, ids[1])
    assert opened["open_count"] == 2 and opened["opened_at"] == ws.now() and opened["click_count"] == 0
    assert clicked["click_count"] == 1 and clicked["last_click_at"] == ws.now() and clicked["opened_at"] == ws.now()


def test_the_tokens_in_a_sent_message_are_the_ones_tracking_reads(fresh_workspace, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    ws.settings = Settings({**ws.settings.values, "secret": "a-workspace-secret",
                            "base_url": "https://crm.example.cn/"})
    with write_transaction(ws.engine) as conn:
        save_smtp(conn, smtp_server.config())
    [mid] = queued(ws)
    ws.jobs.drain()
    html = smtp_server.inbox.messages()[0].get_body(("html",)).get_content()
    [tracked] = links_in(html)
    assert tracked.startswith("https://crm.example.cn/t/c/")
    assert read_click_token("a-workspace-secret", tracked.rsplit("/", 1)[1]) == (mid, OFFER)
    pixel = html.split('src="https://crm.example.cn/t/o/')[1].split('.gif"')[0]
    assert read_open_token("a-workspace-secret", pixel) == mid


# --- templates -------------------------------------------------------------------------------------------------

def test_templates_are_checked_saved_rendered_and_deleted(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    with write_transaction(ws.engine) as conn:
        tid = save_template(conn, None, name="birthday", subject="生日快乐,{{ record.name }}!",
                            body="<p>{{ record.name }},祝你生日快乐</p>", now=ws.now(), actor_id=None)
        with pytest.raises(TemplateInvalid) as refused:
            save_template(conn, None, name="birthday", subject="{{ oops", body="{% if %}", now=ws.now(), actor_id=1)
        assert set(refused.value.errors) == {"name", "subject", "body"}
        assert "line 1" in refused.value.errors["body"]["en"] and "第 1 行" in refused.value.errors["body"]["zh"]
        subject, html = render_stored_template(conn, "birthday", {"record": {"name": "<李雷>"}})
        assert subject == "生日快乐,<李雷>!" and html == "<p>&lt;李雷&gt;,祝你生日快乐</p>"
        save_template(conn, tid, name="birthday", subject="{{ 1 / 0 }}", body="x", now=ws.now(), actor_id=1)
        with pytest.raises(TemplateProblem):
            render_stored_template(conn, "birthday", {})
        with pytest.raises(LookupError, match="no email template named 'missing'"):
            render_stored_template(conn, "missing", {})
        assert delete_template(conn, tid) == "birthday" and template_by_name(conn, "birthday") is None
        assert delete_template(conn, tid) is None


# --- settings --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mailer%40example.cn:p%40ss@smtp.example.cn:587?security=starttls",
     SmtpConfig("smtp.example.cn", 587, "starttls", "mailer@example.cn", "p@ss", "mailer@example.cn", "", 20.0, "env")),
    ("smtps://u:p@mail.example.cn?from=crm@example.cn&name=CRM&timeout=5",
     SmtpConfig("mail.example.cn", 465, "ssl", "u", "p", "crm@example.cn", "CRM", 5.0, "env")),
    ("smtp://localhost:2525", SmtpConfig("localhost", 2525, "none", "", "", "noreply@localhost", "", 20.0, "env")),
    ("http://example.cn", SmtpConfig()),
    ("", SmtpConfig()),
])
def test_smtp_urls(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


def test_saved_settings_override_the_url_and_keep_the_password(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws, url = fresh_workspace, "smtp://env-host:25"
    typed = SmtpConfig("smtp.example.cn", 465, "ssl", "u", "secret", "crm@example.cn", "客户管理", 10.0)
    with write_transaction(ws.engine) as conn:
        assert load_smtp(conn, url).host == "env-host" and load_smtp(conn, url).source == "env"
        assert not load_smtp(conn).configured
        save_smtp(conn, typed)
        save_smtp(conn, SmtpConfig(**{**typed.stored(), "password": "", "port": 2465}))  # left blank: kept
        kept = load_smtp(conn, url)
        assert kept.host == "smtp.example.cn" and kept.password == "secret" and kept.port == 2465
        assert kept.source == "settings" and kept.sender_name == "客户管理"
        save_smtp(conn, SmtpConfig(**{**typed.stored(), "password": ""}), keep_password=False)
        assert load_smtp(conn, url).password == ""
        assert forget_smtp(conn) and load_smtp(conn, url).host == "env-host"


def test_settings_problems_name_every_field() -> None:
    bad = SmtpConfig(host="smtp example", port=0, security="tls", sender="nobody", sender_name="a\nb", timeout=0)
    assert set(smtp_problems(bad)) == {"host", "port", "security", "sender", "sender_name", "timeout"}
    assert smtp_problems(SmtpConfig("smtp.example.cn", 25, "none", sender="a@example.cn")) == {}
    with pytest.raises(ValueError):
        save_smtp(None, bad)  # type: ignore[arg-type]


def test_a_test_email_reports_success_or_the_error_in_words(fresh_workspace, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    assert send_test_email(ws, "admin@example.cn", smtp_server.config()) is None
    got = smtp_server.inbox.messages()[0]
    assert "测试邮件" in got["Subject"] and got["To"] == "admin@example.cn"
    down = send_test_email(ws, "admin@example.cn", SmtpServer().config())
    assert down is not None and down.code == "connect" and "无法连接到 127.0.0.1" in down.message("zh")
    assert "Could not connect to 127.0.0.1" in down.message("en")
    smtp_server.inbox.refuse["x@example.cn"] = "550 5.7.1 relaying denied"
    refused = send_test_email(ws, "x@example.cn", smtp_server.config())
    assert refused is not None and refused.permanent and "550 5.7.1 relaying denied" in refused.message("en")
    unset = send_test_email(ws, "admin@example.cn")
    assert unset is not None and unset.code == "not_configured"
    assert (send_test_email(ws, "nobody") or pytest.fail("accepted")).code == "bad_address"


# --- pure parts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("html", "text"), [
    ("<p>一</p><p>二<br>三</p>", "一\n\n二\n三\n"),
    ('<a href="https://x.cn/?a=1&amp;b=2">看看</a>', "看看 (https://x.cn/?a=1&b=2)\n"),
    ('<a href="https://x.cn/">https://x.cn/</a>', "https://x.cn/\n"),
    ("<style>p {color: red}</style><ul><li>a</li><li>b</li></ul>", "- a\n- b\n"),
    ("<p>a   b\n c</p><img src=x alt=logo>", "a b c\n\nlogo\n"),
])
def test_plain_text_of_html(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_links_are_found_and_rewritten() -> None:
    html = ("<a href='https://a.cn/x?y=1&amp;z=2'>a</a> <A HREF=http://b.cn>b</A> <a href=\"#top\">t</a>"
            " <a title=x href=\"mailto:c@d.cn\">m</a></body>")
    assert links_in(html) == ["https://a.cn/x?y=1&z=2", "http://b.cn"]
    rewritten = rewrite_links(html, lambda url: None if "b.cn" in url else f"https://t.cn/?u={url}")
    assert rewritten.startswith('<a href="https://t.cn/?u=https://a.cn/x?y=1&amp;z=2">a</a> <A HREF=http://b.cn>')
    assert add_pixel(rewritten, "https://t.cn/o.gif").endswith('<img src="https://t.cn/o.gif" width="1" height="1" '
                                                                 'alt="" border="0"></body>')


def test_recipients_are_distinct_and_valid() -> None:
    assert recipients(["a@b.cn; A@B.cn, 王芳 <w@b.cn>", "", "x@", "no spaces@b.cn", "c@d.cn"]) == \
        ["a@b.cn", "w@b.cn", "c@d.cn"]
