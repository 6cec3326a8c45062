"""Scheduled reports and dashboards: checked at publish (file:line, both languages); a schedule due Monday 09:00 in
the workspace zone is delivered once through a real loopback SMTP server (aiosmtpd) — each user with the report
(or the dashboard, with its default filter values) as they see it, plain addresses as an administrator sees it — a
second tick in the same period sends nothing, two ticks racing queue one delivery, and a failed SMTP send is
retried."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError
from engine.jobs.tables import jobs
from engine.mail.config import save_smtp
from engine.records.model import Actor
from engine.reports import delivery
from engine.reports.board import choices, report_on_board
from engine.reports.run import run_report
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import users
from tests.engine.test_mail import SmtpServer
from tests.web.exports.pdfs import pdf_text
from web.exports import delivery as web_delivery  # noqa: F401  (registers the renderer, as the web app and CLI do)

PIPELINE = """report: pipeline
label: {zh: 销售漏斗, en: Pipeline}
form: deal
filters:
  - {field: stage, op: not_in, value: [lost]}
dimensions:
  - {field: stage}
measures:
  - {id: deals, aggregate: count, label: {zh: 商机数, en: Deals}}
  - {id: amount, aggregate: sum, field: amount, label: {zh: 金额, en: Amount}}
chart: {type: funnel}
schedules:
"""
WEEKLY = '  - {cron: "0 9 * * 1", to: {roles: [manager], users: [east_rep], addresses: [boss@example.com]}, ' \
         'lang: en, note: {zh: 每周销售周报, en: Weekly sales report}}\n'
MONDAY_9 = datetime(2024, 3, 18, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Asia/Shanghai


def publish(ws, schedules: str) -> None:  # type: ignore[no-untyped-def]
    ws.publish({"sales/reports/pipeline.yaml": PIPELINE + schedules})


@pytest.fixture
def weekly(sales):  # type: ignore[no-untyped-def]
    """The pipeline report sent every Monday 09:00 (in English unless a user reads Chinese); users have addresses,
    the manager reads Chinese."""
    with_addresses(sales)
    with write_transaction(sales.ws.engine) as conn:
        conn.execute(sa.update(users).where(users.c.username == "east_rep").values(language="en"))
        conn.execute(sa.update(users).where(users.c.username == "manager").values(language="zh"))
    publish(sales.ws, WEEKLY)
    return sales


def deliveries(ws) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with read_transaction(ws.engine) as conn:
        return [dict(r) for r in conn.execute(sa.select(jobs).where(jobs.c.kind == delivery.KIND)).mappings()]


def by_recipient(server: SmtpServer) -> dict:  # type: ignore[type-arg]
    return {m["To"]: m for m in server.inbox.messages()}


def attachment(message) -> bytes:  # type: ignore[no-untyped-def]
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    return bytes(part.get_content())


def test_a_monday_schedule_is_delivered_once_each_recipient_seeing_their_own_data(weekly, clock) -> None:  # type: ignore[no-untyped-def]
    ws = weekly.ws
    server = SmtpServer().start()
    try:
        with write_transaction(ws.engine) as conn:
            save_smtp(conn, server.config())
        ws.jobs.drain()  # Friday: the clock starts, nothing is due
        assert server.inbox.received == [] and deliveries(ws) == []
        clock.now = MONDAY_9 + timedelta(seconds=30)
        ws.jobs.drain()
        got = by_recipient(server)
        assert sorted(got) == ["boss@example.com", "east_manager@example.cn", "east_rep@example.cn",
                               "manager@example.cn"]
        [job] = deliveries(ws)
        assert job["status"] == "done" and job["result"]["queued"] == 4
        boss, rep, manager = got["boss@example.com"], got["east_rep@example.cn"], got["manager@example.cn"]
        assert boss["Subject"] == "Weekly sales report · Mar 18, 2024, 09:00"  # the time as each reader's language
        assert manager["Subject"] == "每周销售周报 · 2024年3月18日 09:00"  # writes it (engine.locale_format)
        body = manager.get_body(("html",)).get_content()
        assert "销售漏斗" in body and "商机数" in body and "赢单" in body and "筛选条件:阶段 不是其中任何一个 输单" in body
        everyone, own = pdf_text(attachment(boss)), pdf_text(attachment(rep))
        assert "Pipeline" in everyone and "Weekly sales report" in everyone
        assert "Made Mar 18, 2024, 09:00 GMT+08:00" in everyone  # the PDF's "made at" names the zone
        counts = {s: weekly_total(text) for s, text in (("all", everyone), ("rep", own))}
        assert counts["rep"] < counts["all"]  # the rep's PDF counts only her deals

        clock.now += timedelta(minutes=5)  # a second tick in the same period
        ws.jobs.drain()
        assert len(server.inbox.received) == 4 and len(deliveries(ws)) == 1
    finally:
        server.stop()


def weekly_total(pdf_words: str) -> int:
    """The sum of the funnel's values as the PDF prints them ("Won 13" …)."""
    total = 0
    for line in pdf_words.splitlines():
        last = line.rsplit(" ", 1)[-1]
        if last.isdigit() and not line.startswith(("Page", "第", "2024")) and ":" not in line:
            total += int(last)
    return total


def test_two_ticks_over_the_same_period_queue_one_delivery(weekly, clock) -> None:  # type: ignore[no-untyped-def]
    ws = weekly.ws
    tick = delivery.ticker(ws)
    for _ in range(2):  # as two runners would, each in its own transaction
        with write_transaction(ws.engine) as conn:
            tick(conn, MONDAY_9 - timedelta(minutes=1), MONDAY_9 + timedelta(minutes=1))
    assert len(deliveries(ws)) == 1
    with write_transaction(ws.engine) as conn:  # the next week is its own period
        tick(conn, MONDAY_9 + timedelta(days=6), MONDAY_9 + timedelta(days=7))
    assert len(deliveries(ws)) == 2


def test_a_failed_smtp_send_is_retried(weekly, clock) -> None:  # type: ignore[no-untyped-def]
    ws = weekly.ws
    later = SmtpServer()  # nothing listens on its port yet
    with write_transaction(ws.engine) as conn:
        save_smtp(conn, later.config())
    ws.jobs.drain()
    clock.now = MONDAY_9 + timedelta(seconds=30)
    ws.jobs.drain()
    with read_transaction(ws.engine) as conn:
        waiting = conn.execute(sa.select(jobs.c.status).where(jobs.c.kind == "email.send")).scalars().all()
    assert waiting == ["retry"] * 4
    later.start()
    try:
        clock.now += timedelta(seconds=10)
        ws.jobs.drain()
        assert len(later.inbox.received) == 4
        assert all(list(m.iter_attachments()) for m in later.inbox.messages())
    finally:
        later.stop()


@pytest.mark.parametrize(("schedule", "where", "words"), [
    ('  - {cron: "0 25 * * *", to: {addresses: [a@example.cn]}}\n', "/schedules/0/cron", "不是有效的 cron 表达式"),
    ("  - {cron: '0 9 * * 1', to: {roles: [manger]}}\n", "/schedules/0/to/roles/0", "unknown role 'manger'"),
    ("  - {cron: '0 9 * * 1', to: {addresses: [boss-at-example]}}\n", "/schedules/0/to/addresses/0",
     "is not an email address"),
    ("  - {cron: '0 9 * * 1', to: {users: [zhaolei]}}\n", "/schedules/0/to/users/0", "no user has the username"),
])
def test_bad_schedules_are_refused_at_publish(sales, schedule: str, where: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DefinitionError) as caught:
        publish(sales.ws, schedule)
    [problem] = [p for p in caught.value.problems if p.path == where]
    assert problem.file.endswith("pipeline.yaml") and problem.line == 13
    assert words in problem.text("zh") + problem.text("en")
    assert problem.text("zh") != problem.text("en")


TEAM = """dashboard: team
label: {zh: 团队看板, en: Team}
filters:
  - {id: period, type: date_range, field: closed_at, default: last_12_months}
items:
  - {text: {zh: 本周目标, en: This week's goal}, w: 12, h: 1}
  - {report: pipeline, w: 6}
  - {report: won_this_month, w: 6}
schedules:
"""


def with_addresses(sales) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(sales.ws.engine) as conn:
        for name in ("east_rep", "manager", "east_manager", "west_rep", "east_rep2"):
            conn.execute(sa.update(users).where(users.c.username == name).values(email=f"{name}@example.cn"))


def test_a_scheduled_dashboard_goes_out_once_with_its_defaults_each_reader_seeing_their_own_data(  # type: ignore[no-untyped-def]
        sales, clock) -> None:
    ws = sales.ws
    with_addresses(sales)
    ws.publish({"sales/reports/pipeline.yaml": PIPELINE.removesuffix("schedules:\n"),
                "sales/dashboards/team.yaml": TEAM + WEEKLY})
    server = SmtpServer().start()
    try:
        with write_transaction(ws.engine) as conn:
            save_smtp(conn, server.config())
        ws.jobs.drain()
        clock.now = MONDAY_9 + timedelta(seconds=30)
        ws.jobs.drain()
        got = by_recipient(server)
        assert sorted(got) == ["boss@example.com", "east_manager@example.cn", "east_rep@example.cn",
                               "manager@example.cn"]
        [job] = deliveries(ws)
        assert job["key"].startswith("dashboard:sales.team:") and job["result"]["queued"] == 4
        board = ws.definitions.dashboards["team"]
        defaults = choices(ws.records, board, {})
        pipeline = ws.definitions.reports["pipeline"]
        counts = {who: run_report(ws.records, actor, report_on_board(ws.records, pipeline, defaults)).totals["deals"]
                  for who, actor in (("boss", Actor.system_actor()), ("rep", sales.actors["east_rep"]))}
        assert counts["rep"] < counts["boss"]
        boss, rep = got["boss@example.com"], got["east_rep@example.cn"]
        assert boss["Subject"] == "Weekly sales report · Mar 18, 2024, 09:00"
        for message, count in ((boss, counts["boss"]), (rep, counts["rep"])):
            body = message.get_body(("html",)).get_content()
            assert "Pipeline" in body and "Won this month" in body and "Filters: Closed at: Last 12 months" in body
            assert f"<td style=\"padding: 2px 12px 2px 0;\">Deals</td><td style=\"padding: 2px 0; text-align: right;\"><b>{count}</b>" in body
        words = pdf_text(attachment(boss))
        assert "Team" in words and "This week's goal" in words and "Weekly sales report" in words
        assert "Closed at: Last 12 months" in words

        clock.now += timedelta(minutes=5)  # a second tick in the same period
        ws.jobs.drain()
        assert len(server.inbox.received) == 4 and len(deliveries(ws)) == 1
    finally:
        server.stop()


def test_a_dashboards_schedule_naming_an_unknown_user_is_refused(sales) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DefinitionError) as caught:
        sales.ws.publish({"sales/dashboards/team.yaml": TEAM + "  - {cron: '0 9 * * 1', to: {users: [zhaolei]}}\n"})
    [problem] = [p for p in caught.value.problems if p.path == "/schedules/0/to/users/0"]
    assert problem.file.endswith("team.yaml") and problem.line == 10
    assert "no user has the username 'zhaolei'" in problem.text("en")
