"""/admin/email: SMTP settings saved (password never shown, kept when left blank, audited) and a test send
against a real SMTP server on loopback reporting success or the error in words; the log by status with errors,
opens and clicks; the template editor (save, preview on a form's latest record, syntax errors beside the field
with nothing saved, delete); tracking without a session (pixel, click redirect to the message's own link only,
forged tokens 404); and 403 for anyone but an administrator — on SQLite and PostgreSQL."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.mail.config import load_smtp, save_smtp
from engine.mail.links import links_in
from engine.mail.outgoing import queue_email
from engine.mail.templates import template_by_name
from engine.mail.tracking import click_token, signing_key
from engine.records.model import Actor
from engine.settings import Settings
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user
from tests.engine.test_mail import HTML, OFFER, SmtpServer
from tests.web.test_web import sign_in
from web.app import create_app

ME = Actor(user_id=1, is_admin=True)
EN = {"accept-language": "en"}


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def client(shop) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def csrf(client: TestClient) -> str:
    return sign_in(client)


def audit(ws, action: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return list_audit(conn, AuditFilter(actions=(action,)))


def settings_form(csrf: str, server: SmtpServer, **changes: Any) -> dict[str, Any]:
    return {"csrf_token": csrf, "host": "127.0.0.1", "port": str(server.port), "security": "none", "username": "",
            "password": "", "sender": "crm@formwork.example", "sender_name": "客户管理", "timeout": "60",
            "test_to": "", "action": "save", **changes}


def queue(ws, key: str, to: str, **kwargs: Any) -> list[int]:  # type: ignore[no-untyped-def]
    with write_transaction(ws.engine) as conn:
        return queue_email(conn, key=key, to=[to], subject=kwargs.pop("subject", "本月优惠"), html=HTML, now=ws.now(),
                           **kwargs)


# --- settings --------------------------------------------------------------------------------------------------

def test_settings_are_saved_without_ever_showing_the_password(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/admin/email", headers=EN)
    assert first.status_code == 200 and "No server is set up yet" in first.text
    assert first.headers["cache-control"] == "no-store"
    saved = client.post("/admin/email", data=settings_form(csrf, smtp_server, password="s3cret-pass"),
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/email?done=saved"
    page = client.get("/admin/email?done=saved", headers=EN)
    assert "The mail settings are saved." in page.text and "s3cret-pass" not in page.text
    assert "A password is saved" in page.text and 'value="crm@formwork.example"' in page.text
    client.post("/admin/email", data=settings_form(csrf, smtp_server, sender_name="销售部"))  # password left blank
    with read_transaction(shop.engine) as conn:
        config = load_smtp(conn)
    assert config.password == "s3cret-pass" and config.sender_name == "销售部" and config.source == "settings"
    entries = audit(shop, "mail_settings_changed")
    assert [e["detail"]["password"] for e in entries] == ["kept", "changed"]
    assert all("s3cret-pass" not in str(e["detail"]) for e in entries)


def test_bad_settings_are_shown_beside_their_fields_and_not_saved(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    refused = client.post("/admin/email", headers=EN, data=settings_form(csrf, smtp_server, host="", port="http",
                                                                          sender="nobody"))
    assert refused.status_code == 422
    assert "Enter the server" in refused.text and "The port must be between" in refused.text
    assert "Enter a valid sender address" in refused.text
    with read_transaction(shop.engine) as conn:
        assert load_smtp(conn).source == "none"


def test_a_test_email_reports_success_or_the_smtp_error_in_words(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ok = client.post("/admin/email", data=settings_form(csrf, smtp_server, action="test", test_to="me@example.cn"),
                     headers=EN)
    assert ok.status_code == 200 and "The server accepted the test email to me@example.cn." in ok.text
    assert [rcpt for _, rcpt, _ in smtp_server.inbox.received] == [["me@example.cn"]]
    with read_transaction(shop.engine) as conn:
        assert load_smtp(conn).source == "none"  # testing saves nothing
    down = SmtpServer()  # nobody listens there
    failed = client.post("/admin/email", data=settings_form(csrf, down, action="test", test_to="me@example.cn"))
    assert failed.status_code == 200 and "测试邮件发送失败" in failed.text and "无法连接到 127.0.0.1" in failed.text
    smtp_server.inbox.refuse["no@example.cn"] = "550 5.7.1 relaying denied"
    refused = client.post("/admin/email", data=settings_form(csrf, smtp_server, action="test", test_to="no@example.cn"),
                          headers=EN)
    assert "The server refused the recipient no@example.cn: 550 5.7.1 relaying denied" in refused.text
    bad = client.post("/admin/email", data=settings_form(csrf, smtp_server, action="test", test_to="nobody"))
    assert bad.status_code == 422 and "请填写有效的收件地址" in bad.text
    tests = audit(shop, "mail_test_sent")
    assert [(e["target"], e["detail"]["ok"]) for e in tests] == \
        [("no@example.cn", False), ("me@example.cn", False), ("me@example.cn", True)]


def test_the_smtp_url_setting_applies_until_settings_are_saved(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    shop.settings = Settings({**shop.settings.values,
                              "smtp_url": f"smtp://mailer:env-pass@127.0.0.1:{smtp_server.port}?from=env@example.cn"})
    page = client.get("/admin/email", headers=EN)
    assert "The settings come from FORMWORK_SMTP_URL" in page.text and 'value="env@example.cn"' in page.text
    assert "env-pass" not in page.text and "A password is saved" in page.text
    client.post("/admin/email", data=settings_form(csrf, smtp_server, username="mailer"))  # the password left blank
    with read_transaction(shop.engine) as conn:
        saved = load_smtp(conn)
    assert saved.source == "settings" and saved.password == "env-pass" and saved.sender == "crm@formwork.example"


def test_saved_settings_can_be_forgotten(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    client.post("/admin/email", data=settings_form(csrf, smtp_server))
    gone = client.post("/admin/email", data={"csrf_token": csrf, "action": "forget"}, follow_redirects=False)
    assert gone.headers["location"] == "/admin/email?done=forgotten"
    with read_transaction(shop.engine) as conn:
        assert load_smtp(conn).source == "none"


# --- the log and tracking --------------------------------------------------------------------------------------

def test_the_log_shows_status_errors_opens_and_clicks(shop, client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        save_smtp(conn, smtp_server.config())
    smtp_server.inbox.refuse["gone@example.cn"] = "550 5.1.1 mailbox unavailable"
    [sent] = queue(shop, "a", "li@example.cn", batch="campaign-12")
    [failed] = queue(shop, "b", "gone@example.cn", subject="退信")
    shop.jobs.drain()
    log = client.get("/admin/email/log", headers=EN)
    assert log.status_code == 200 and "li@example.cn" in log.text and "gone@example.cn" in log.text
    assert "Recipient refused" in log.text and "550 5.1.1 mailbox unavailable" in log.text
    only_failed = client.get("/admin/email/log?status=failed").text
    assert "gone@example.cn" in only_failed and "li@example.cn" not in only_failed
    assert "gone@example.cn" not in client.get("/admin/email/log?batch=campaign-12").text
    one = client.get(f"/admin/email/log/{sent}", headers=EN)
    assert one.status_code == 200 and 'sandbox=""' in one.text and "srcdoc=\"&lt;p&gt;尊敬的李雷" in one.text
    assert client.get("/admin/email/log/999999").status_code == 404
    assert client.get(f"/admin/email/log/{failed}").status_code == 200


def test_tracking_counts_opens_and_clicks_and_redirects_only_to_the_messages_links(shop, smtp_server) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        save_smtp(conn, smtp_server.config())
    [mid] = queue(shop, "t", "li@example.cn")
    shop.jobs.drain()
    body = smtp_server.inbox.messages()[0].get_body(("html",)).get_content()
    [click] = links_in(body)
    pixel = htmllib.unescape(re.search(r'<img src="([^"]+)"', body).group(1))  # type: ignore[union-attr]
    anonymous = TestClient(create_app(shop), base_url="http://testserver")  # no session: tracking is public
    opened = anonymous.get(urlsplit(pixel).path)
    assert opened.status_code == 200 and opened.headers["content-type"] == "image/gif"
    assert opened.content.startswith(b"GIF89a") and "no-cache" in opened.headers["cache-control"]
    moved = anonymous.get(urlsplit(click).path, follow_redirects=False)
    assert moved.status_code == 302 and moved.headers["location"] == OFFER
    with read_transaction(shop.engine) as conn:
        key = signing_key(conn, "")
    assert key is not None
    elsewhere = anonymous.get(f"/t/c/{click_token(key, mid, 'https://evil.example/')}", follow_redirects=False)
    assert elsewhere.status_code == 404  # signed, but not a link of the message: no open redirect
    forged = anonymous.get(f"/t/c/{click_token('guessed key', mid, OFFER)}", follow_redirects=False)
    assert forged.status_code == 404 and "<html" in forged.text
    for junk in ("nonsense", "WzEsImh0dHBzOi8vZXZpbC5leGFtcGxlLyJd.AAAA", "x" * 5000):
        assert anonymous.get(f"/t/c/{junk}", follow_redirects=False).status_code == 404
    assert anonymous.get("/t/o/forged.gif").status_code == 200  # a pixel never breaks; it counts nothing
    with read_transaction(shop.engine) as conn:
        from engine.mail.log import get_message

        row = get_message(conn, mid)
    assert row is not None and row["open_count"] == 1 and row["click_count"] == 1
    admin = TestClient(create_app(shop), base_url="http://testserver")
    sign_in(admin)
    assert re.search(r'data-id="%d"[\s\S]*?<td>1</td>\s*<td>1</td>' % mid, admin.get("/admin/email/log").text)


# --- templates -------------------------------------------------------------------------------------------------

def template_form(csrf: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": csrf, "name": "welcome", "subject": "欢迎,{{ record.name }}",
            "body": "<p>{{ record.name }} 的等级是 {{ record.grade }}</p>", "preview_form": "", "action": "save",
            **changes}


def test_the_template_editor_saves_previews_refuses_errors_and_deletes(shop, client, csrf) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ME, "customer", {"name": "旧客户", "grade": "C"})
    shop.records.create(ME, "customer", {"name": "<华联>", "grade": "A"})
    assert client.get("/admin/email/templates", headers=EN).status_code == 200
    assert "New template" in client.get("/admin/email/templates/new", headers=EN).text

    preview = client.post("/admin/email/templates/new", data=template_form(csrf, action="preview",
                                                                          preview_form="customer"))
    assert preview.status_code == 200 and "欢迎,&lt;华联&gt;" in preview.text
    frame = re.search(r'<iframe class="mail-preview" sandbox="" srcdoc="([^"]*)"', preview.text)
    assert frame and htmllib.unescape(frame.group(1)) == "<p>&lt;华联&gt; 的等级是 A</p>"  # escaped in the email too
    with read_transaction(shop.engine) as conn:
        assert template_by_name(conn, "welcome") is None  # previewing saves nothing

    broken = client.post("/admin/email/templates/new", headers=EN,
                         data=template_form(csrf, body="<p>{% if record.name %}</p>"))
    assert broken.status_code == 422 and 'data-field="body"' in broken.text and "line 1" in broken.text
    assert "{% if record.name %}" in broken.text.replace("&#37;", "%")  # what was typed is kept
    with read_transaction(shop.engine) as conn:
        assert template_by_name(conn, "welcome") is None

    saved = client.post("/admin/email/templates/new", data=template_form(csrf), follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], headers=EN)
    assert "The template is saved." in page.text and "welcome" in page.text
    template_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    taken = client.post("/admin/email/templates/new", data=template_form(csrf, subject="again"))
    assert taken.status_code == 422 and "已有名为“welcome”的模板" in taken.text
    runtime = client.post(f"/admin/email/templates/{template_id}", data=template_form(
        csrf, subject="{{ 1 / 0 }}", action="preview"))
    assert runtime.status_code == 422 and 'data-field="subject"' in runtime.text and "ZeroDivisionError" in runtime.text

    deleted = client.post(f"/admin/email/templates/{template_id}/delete", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert deleted.headers["location"] == "/admin/email/templates?done=deleted"
    assert client.get(f"/admin/email/templates/{template_id}").status_code == 404
    assert [e["target"] for e in audit(shop, "mail_template_saved")] == ["welcome"]
    assert [e["target"] for e in audit(shop, "mail_template_deleted")] == ["welcome"]


def test_posts_need_the_csrf_token(client, csrf, smtp_server) -> None:  # type: ignore[no-untyped-def]
    form = settings_form(csrf, smtp_server)
    del form["csrf_token"]
    assert client.post("/admin/email", data=form).status_code == 403


# --- who may --------------------------------------------------------------------------------------------------

def test_only_administrators(shop, client) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "bob", admin=False)
    csrf = sign_in(client, "bob")
    for path in ("/admin/email", "/admin/email/log", "/admin/email/log/1", "/admin/email/templates",
                 "/admin/email/templates/new", "/admin/email/templates/1"):
        assert client.get(path).status_code == 403, path
    for path in ("/admin/email", "/admin/email/templates/new", "/admin/email/templates/1/delete"):
        assert client.post(path, data={"csrf_token": csrf, "action": "save"}).status_code == 403, path
    with read_transaction(shop.engine) as conn:
        assert load_smtp(conn).source == "none"
