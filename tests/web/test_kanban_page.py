"""The kanban page: columns show their count and the sum of the money field (formatted), cards the chosen fields
(money formatted, the owner's name, the date, options as coloured tags), in Chinese and English, under the reader's
scope and the list's filters; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.engine.test_kanban_sums import ADMIN, deals  # noqa: F401  (the fixture)
from tests.web.test_web import sign_in
from web.app import create_app

ZH, EN = {"accept-language": "zh-CN"}, {"accept-language": "en-US"}
HEAD = re.compile(r'<section class="kanban-column[^"]*" aria-label="([^"]+)">\s*<h2><span>[^<]+</span> '
                  r'<span class="count" data-count>(\d+)</span></h2>\s*(?:<p class="kanban-sum"[^>]*>'
                  r'<span class="muted">([^<]+)</span> <strong data-sum-text>([^<]+)</strong>)?')


@pytest.fixture
def client(deals):  # type: ignore[no-untyped-def]  # noqa: F811
    with TestClient(create_app(deals), base_url="http://testserver") as c:
        c.ws = deals  # type: ignore[attr-defined]
        yield c


def columns(html: str) -> dict[str, tuple[str, str | None]]:
    """Column label → (count, sum as shown)."""
    return {label: (count, total or None) for label, count, _, total in HEAD.findall(html)}


def card(html: str, title: str) -> str:
    """The markup of the card whose title is `title`."""
    found = re.search(r'<li class="kanban-card"[^>]*>\s*<a href="[^"]+">' + re.escape(title) + r"</a>.*?</li>",
                      html, re.S)
    assert found, f"no card {title}"
    return found.group(0)


def test_columns_show_count_and_money_sum_and_cards_the_chosen_fields_in_chinese(client: TestClient) -> None:
    sign_in(client)
    board = client.get("/apps/crm/deal/kanban", headers=ZH)
    assert board.status_code == 200
    assert columns(board.text) == {"初步接洽": ("2", "¥2,000.50"), "方案报价": ("2", "¥30,000.00"),
                                   "赢单": ("1", "¥5,000.25"), "(空)": ("1", "¥99.99")}
    assert '<span class="muted">金额合计</span>' in board.text
    assert 'class="kanban-column app-color-orange" aria-label="方案报价"' in board.text  # the option's colour
    big = card(board.text, "北辰软件")
    assert "<dt>金额</dt><dd>¥30,000.00</dd>" in big and "<dt>负责人</dt><dd>Rep</dd>" in big
    assert "<dt>预计成交</dt><dd>2024年4月30日</dd>" in big and 'data-measure="30000.00"' in big
    assert "预计成交" not in card(board.text, "华联扩容")  # an empty field is left off the card
    assert "30000.00<" not in board.text and "lead" not in re.sub(r'data-value="lead"', "", board.text)


def test_the_board_in_english_and_option_tags_on_cards(client: TestClient) -> None:
    sign_in(client)
    board = client.get("/apps/crm/deal/kanban", headers=EN)
    assert columns(board.text)["Proposal"] == ("2", "¥30,000.00")
    assert '<span class="muted">Amount total</span>' in board.text
    assert "<dt>Close date</dt><dd>Mar 1, 2024</dd>" in card(board.text, "西湖旅游")
    client.ws.records.create(ADMIN, "task", {"name": "报价", "priority": "high", "stage": "todo", "hours": "2.5"})
    client.ws.records.create(ADMIN, "task", {"name": "拜访", "priority": "high", "hours": "1.5", "due": "2024-03-20"})
    tasks = client.get("/apps/crm/task/kanban", headers=EN)  # `kanban:` of the form: by priority, sum of hours
    assert columns(tasks.text) == {"High": ("2", "4.0"), "Low": ("0", "0.0"), "(none)": ("0", "0.0")}
    quote = card(tasks.text, "报价")
    assert "<dt>Hours</dt><dd>2.5</dd>" in quote
    assert '<span class="option-badge app-color-gray">To do</span>' in quote and "todo" not in quote
    assert "<dt>Due</dt><dd>Mar 20, 2024</dd>" in card(tasks.text, "拜访")
    zh = client.get("/apps/crm/task/kanban?by=stage", headers=ZH)
    assert columns(zh.text)["待办"] == ("1", "2.5") and '<span class="muted">工时合计</span>' in zh.text


def test_a_scoped_user_sees_their_own_counts_and_sums_under_the_filter(client: TestClient) -> None:
    sign_in(client, "rep")
    board = client.get("/apps/crm/deal/kanban", headers=ZH)
    assert columns(board.text) == {"初步接洽": ("1", "¥1,200.50"), "方案报价": ("2", "¥30,000.00"),
                                   "赢单": ("0", "¥0.00"), "(空)": ("1", "¥99.99")}
    assert "东方物流" not in board.text and "西湖旅游" not in board.text
    filtered = client.get("/apps/crm/deal/kanban?f=amount:ge:1000", headers=EN)
    assert columns(filtered.text) == {"Lead": ("1", "¥1,200.50"), "Proposal": ("1", "¥30,000.00"),
                                      "Won": ("0", "¥0.00"), "(none)": ("0", "¥0.00")}
    assert client.get("/apps/crm/deal/kanban?f=amount:zz:1").status_code == 400


def test_a_reader_who_may_not_see_the_amount_gets_counts_without_sums(client: TestClient) -> None:
    sign_in(client, "audit")
    board = client.get("/apps/crm/deal/kanban", headers=ZH)
    assert columns(board.text)["方案报价"] == ("2", None)
    assert "kanban-sum" not in board.text and "¥" not in board.text and "金额" not in board.text


def days_with(html: str) -> dict[str, list[str]]:
    """Day (ISO) → the titles on it, for the days that have records."""
    found = re.findall(r'data-day="([\d-]+)">.*?</td>', html, re.S)
    cells = re.findall(r'<td class="[^"]*" data-day="([\d-]+)">(.*?)</td>', html, re.S)
    assert len(found) == len(cells) and len(cells) % 7 == 0
    return {day: re.findall(r'<a href="[^"]+">([^<]+)</a>', body) for day, body in cells if "<li>" in body}


def test_a_month_calendar_puts_records_on_their_day_under_scope_and_filters(client: TestClient) -> None:
    sign_in(client)
    assert 'href="/apps/crm/deal/calendar?by=close_date"' in client.get("/apps/crm/deal").text
    march = client.get("/apps/crm/deal/calendar?by=close_date", headers=ZH)  # the clock stands in March 2024
    assert march.status_code == 200 and "2024年3月" in march.text and "一</th>" in march.text
    assert days_with(march.text) == {"2024-03-01": ["西湖旅游"]}
    assert 'data-day="2024-02-26"' in march.text and 'data-day="2024-03-31"' in march.text  # Monday-first weeks
    assert 'href="/apps/crm/deal/calendar?by=close_date&amp;month=2024-04"' in march.text
    april = client.get("/apps/crm/deal/calendar?by=close_date&month=2024-04", headers=EN)
    assert "April 2024" in april.text and days_with(april.text) == {"2024-04-30": ["北辰软件"]}
    assert 'month=2024-03' in april.text and "Previous month" in april.text
    assert days_with(client.get("/apps/crm/deal/calendar?month=2024-04&f=region:eq:华北").text) == {}
    assert client.get("/apps/crm/deal/calendar?month=2024-13").status_code == 400
    assert client.get("/apps/crm/deal/calendar?by=stage").status_code == 404
    client.cookies.clear()
    sign_in(client, "ann")  # scope own: only her deals
    assert days_with(client.get("/apps/crm/deal/calendar?month=2024-04").text) == {}
    assert days_with(client.get("/apps/crm/deal/calendar?month=2024-03").text) == {"2024-03-01": ["西湖旅游"]}
