"""Values in the reader's language (Babel): a list, a record page and a kanban board show dates as 2024年4月30日 in
Chinese and Apr 30, 2024 in English, money with the field's currency symbol and grouped digits, numbers grouped, and
date-times in the reader's zone; the form's date input keeps the ISO value it posts."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from engine import locale_format
from engine.records.model import Actor
from tests.engine.test_kanban_sums import deals  # noqa: F401  (the fixture)
from tests.web.test_web import sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)
ZH, EN = {"accept-language": "zh-CN"}, {"accept-language": "en-US"}


@pytest.fixture
def client(deals):  # type: ignore[no-untyped-def]  # noqa: F811
    with TestClient(create_app(deals), base_url="http://testserver") as c:
        c.ws = deals  # type: ignore[attr-defined]
        yield c


def record_id(client: TestClient, name: str) -> int:
    html = client.get("/apps/crm/deal", headers=ZH).text
    match = re.search(r'href="/apps/crm/deal/(\d+)"[^>]*>' + re.escape(name), html)
    assert match, f"no link to {name}"
    return int(match.group(1))


@pytest.mark.parametrize("headers, day, money", [(ZH, "2024年4月30日", "¥30,000.00"), (EN, "Apr 30, 2024", "¥30,000.00")])
def test_a_list_shows_dates_and_money_in_the_readers_language(client: TestClient, headers, day, money) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    html = client.get("/apps/crm/deal", headers=headers).text
    assert day in html and money in html
    assert "2024-04-30<" not in html and "30000.00<" not in html


@pytest.mark.parametrize("headers, day, other", [(ZH, "2024年4月30日", "Apr 30, 2024"), (EN, "Apr 30, 2024", "2024年4月30日")])
def test_a_record_page_shows_them_too_and_the_date_input_keeps_iso(client: TestClient, headers, day, other) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    rid = record_id(client, "北辰软件")
    page = client.get(f"/apps/crm/deal/{rid}", headers=headers).text
    assert day in page and "¥30,000.00" in page and other not in page
    edit = client.get(f"/apps/crm/deal/{rid}/edit", headers=headers).text
    assert re.search(r'<input[^>]*type="date"[^>]*value="2024-04-30"|<input[^>]*value="2024-04-30"[^>]*type="date"', edit)


@pytest.mark.parametrize("headers, day", [(ZH, "2024年3月1日"), (EN, "Mar 1, 2024")])
def test_kanban_cards_and_sums_follow_the_language(client: TestClient, headers, day) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    board = client.get("/apps/crm/deal/kanban", headers=headers).text
    assert f"<dd>{day}</dd>" in board and "¥30,000.00" in board and "¥5,000.25" in board


def test_the_formats_by_language() -> None:
    moment = datetime(2026, 12, 6, 14, 30, tzinfo=timezone.utc)
    assert locale_format.day(date(2026, 12, 6), "zh") == "2026年12月6日"
    assert locale_format.day(date(2026, 12, 6), "en") == "Dec 6, 2026"
    assert locale_format.moment(moment, "zh") == "2026年12月6日 14:30"
    assert locale_format.moment(moment, "en") == "Dec 6, 2026, 14:30"
    for lang in ("zh", "en"):
        assert locale_format.money(Decimal("1234.5"), "CNY", lang) == "¥1,234.50"
        assert locale_format.money(Decimal("-1234.5"), "USD", lang) == "-$1,234.50"
        assert locale_format.money(Decimal("7"), "CHF", lang, 0) == "CHF 7"
        assert locale_format.number(Decimal("1234567.125"), lang, 2) == "1,234,567.13"
        assert locale_format.number(1234567, lang, 0) == "1,234,567"
        assert locale_format.percent(Decimal("12.50"), lang) == "12.5%"


def test_times_python_writes_into_texts_follow_the_reader_and_files_keep_one_iso_form() -> None:
    from zoneinfo import ZoneInfo

    from web.views.imports.access import when

    shanghai = datetime(2026, 12, 6, 14, 30, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert locale_format.zoned_moment(shanghai, "zh") == "2026年12月6日 14:30 GMT+08:00"
    assert locale_format.zoned_moment(shanghai, "en") == "Dec 6, 2026, 14:30 GMT+08:00"
    assert locale_format.zoned_moment(shanghai.replace(tzinfo=None), "en") == "Dec 6, 2026, 14:30"  # no zone known
    assert locale_format.iso_stamp(shanghai) == "2026-12-06 14:30:05+08:00"
    utc = datetime(2026, 12, 6, 6, 30, tzinfo=timezone.utc)
    assert when(ZoneInfo("Asia/Shanghai"), utc, "zh") == "2026年12月6日 14:30"  # an import job's time
    assert when(ZoneInfo("America/New_York"), utc, "en") == "Dec 6, 2026, 01:30"
    assert when(ZoneInfo("Asia/Shanghai"), None, "en") == ""


def test_a_workflow_conflict_names_the_time_in_each_language() -> None:
    from engine.workflow.errors import TaskAlreadyHandled

    err = TaskAlreadyHandled(7, {"zh": "王经理", "en": "Manager Wang"}, datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc))
    assert err.error.message("zh") == "该待办已由王经理于 2024年3月15日 02:30 GMT+00:00 处理"
    assert err.error.message("en") == "this task was already handled by Manager Wang at Mar 15, 2024, 02:30 GMT+00:00"
