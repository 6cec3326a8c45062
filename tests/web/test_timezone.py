"""A user's own time zone: chosen on /settings or by an administrator, used for every local date-time the web shows
or reads for them, and for relative date filters. SQLite and PostgreSQL (the `shop` fixture, workspace zone
Asia/Shanghai, clock 2024-03-15 02:30Z = 10:30 in Shanghai = 2024-03-14 22:30 in New York)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.errors import RecordInvalid
from engine.org.account import set_timezone
from engine.records.model import Actor, Filter, Query
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import users
from tests.conftest import FIXTURES, add_user
from tests.web.test_forms import form_fields
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
MOMENT = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)
VISIT = "  - {id: visit_at, type: datetime, label: {zh: 拜访时间, en: Visit at}}\n"


@pytest.fixture
def client(shop: Any):  # type: ignore[no-untyped-def]
    customer = (FIXTURES / "shop/sales/forms/customer.yaml").read_text(encoding="utf-8")
    shop.publish({"shop/sales/forms/customer.yaml": customer + VISIT})
    add_user(shop, "bob")
    for name, since in (("华联电子", "2024-03-15"), ("东方物流", "2024-03-14")):
        shop.records.create(ALICE, "customer", {"name": name, "since": since, "visit_at": MOMENT.isoformat()})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def choose_zone(client: TestClient, csrf: str, zone: str, lang: str = "en") -> Any:
    return client.post("/settings/timezone", data={"csrf_token": csrf, "timezone": zone},
                       headers={"accept-language": lang}, follow_redirects=False)


def customer_url(client: TestClient, name: str) -> str:
    page = client.get("/apps/sales/customer")
    return re.search(rf'href="(/apps/sales/customer/\d+)">{name}<', page.text).group(1)  # type: ignore[union-attr]


def names(html: str) -> set[str]:
    """Customer names in the list's table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return set(re.findall(r'<a href="/apps/sales/customer/\d+">([^<]+)</a>', body))


def stored_zone(client: TestClient, user_id: int) -> str | None:
    with read_transaction(client.ws.engine) as conn:  # type: ignore[attr-defined]
        zone = conn.execute(sa.select(users.c.timezone).where(users.c.id == user_id)).scalar_one()
    return str(zone) if zone is not None else None


def test_settings_offers_zones_and_saves_the_choice(client: TestClient) -> None:
    csrf = sign_in(client)
    page = client.get("/settings", headers={"accept-language": "en"})
    assert "Workspace default · China (Shanghai)" in page.text and '<option value="America/New_York"' in page.text
    saved = choose_zone(client, csrf, "America/New_York")
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?done=timezone"
    assert stored_zone(client, 1) == "America/New_York"
    page = client.get("/settings?done=timezone", headers={"accept-language": "en"})
    assert "Time zone saved." in page.text and '<option value="America/New_York" selected>' in page.text
    assert choose_zone(client, csrf, "").status_code == 303 and stored_zone(client, 1) is None


def test_a_date_time_is_shown_and_edited_in_the_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    url = customer_url(client, "华联电子")
    assert "2024年3月15日 10:30" in client.get(url).text  # the workspace's zone by default
    assert 'value="2024-03-15T10:30"' in client.get(url + "/edit").text
    choose_zone(client, csrf, "America/New_York")
    record = client.get(url).text
    assert "2024年3月14日 22:30" in record and "2024年3月15日 10:30" not in record
    assert 'value="2024-03-14T22:30"' in client.get(url + "/edit").text
    listing = client.get("/apps/sales/customer?cols=name,visit_at").text
    assert "2024年3月14日 22:30" in listing


def test_a_typed_date_time_is_read_in_the_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    choose_zone(client, csrf, "America/New_York")
    page = client.get("/apps/sales/customer/new")
    created = client.post("/apps/sales/customer/new", data={**form_fields(page.text), "name": "北辰软件",
                                                            "visit_at": "2024-07-01T09:15"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    record_id = int(created.headers["location"].rsplit("/", 1)[1])
    saved = client.ws.records.get(ALICE, "customer", record_id).values["visit_at"]  # type: ignore[attr-defined]
    assert saved == datetime(2024, 7, 1, 13, 15, tzinfo=timezone.utc)  # New York is UTC-4 in July


def test_a_date_time_filter_value_is_in_the_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    query = "/apps/sales/customer?f=visit_at:ge:2024-03-15T00:00"
    assert names(client.get(query).text) == {"华联电子", "东方物流"}  # the visits were at 10:30 in Shanghai
    choose_zone(client, csrf, "America/New_York")
    assert names(client.get(query).text) == set()  # and at 22:30 the day before in New York


def test_today_follows_the_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    today = "/apps/sales/customer?f=since:today"
    assert names(client.get(today).text) == {"华联电子"}  # 2024-03-15 in Shanghai
    choose_zone(client, csrf, "America/New_York")
    assert names(client.get(today).text) == {"东方物流"}  # still 2024-03-14 in New York
    new_york = Actor(user_id=1, is_admin=True, timezone="America/New_York")
    ws = client.ws  # type: ignore[attr-defined]
    found = ws.records.list(new_york, "customer", Query(filters=(Filter("since", "today"),)))
    assert [r.values["name"] for r in found.records] == ["东方物流"]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "x" * 70, "Asia/Nowhere"])
def test_an_unknown_zone_is_refused_with_a_clear_message(client: TestClient, zone: str) -> None:
    csrf = sign_in(client)
    refused = choose_zone(client, csrf, zone)
    assert refused.status_code == 422
    assert "is not a known time zone; use an IANA name such as Asia/Shanghai" in refused.text
    assert stored_zone(client, 1) is None
    zh = choose_zone(client, csrf, zone, "zh-CN")
    assert "不是已知的时区" in zh.text


def test_set_timezone_checks_the_name() -> None:
    engine = sa.create_engine("sqlite://")
    users.metadata.create_all(engine, tables=[users])
    with write_transaction(engine) as conn:
        with pytest.raises(RecordInvalid) as refused:
            set_timezone(conn, 1, "Nowhere/Town")
    assert refused.value.errors["timezone"][0].code == "bad_timezone"


def test_an_administrator_sets_a_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    page = client.get("/admin/users/2", headers={"accept-language": "en"})
    assert page.status_code == 200 and 'name="timezone"' in page.text
    form = {"csrf_token": csrf, "display_name": "Bob", "email": "", "language": "", "is_admin": "1"}
    refused = client.post("/admin/users/2", data={**form, "timezone": "Atlantis/Capital"},
                          headers={"accept-language": "en"})
    assert refused.status_code == 422 and "is not a known time zone" in refused.text
    assert stored_zone(client, 2) is None
    saved = client.post("/admin/users/2", data={**form, "timezone": "Asia/Tokyo"}, follow_redirects=False)
    assert saved.status_code == 303 and stored_zone(client, 2) == "Asia/Tokyo"
    assert '<option value="Asia/Tokyo" selected>' in client.get("/admin/users/2").text
    sign_in(client, "bob")
    assert "2024年3月15日 11:30" in client.get(customer_url(client, "华联电子")).text  # Tokyo is UTC+9
    assert csrf_of(client.get("/").text)


def test_an_export_writes_date_times_in_the_users_zone(client: TestClient) -> None:
    csrf = sign_in(client)
    choose_zone(client, csrf, "America/New_York")
    exported = client.get("/apps/sales/customer/export?format=csv&cols=name,visit_at")
    assert exported.status_code == 200, exported.text
    assert "2024-03-14 22:30" in exported.text and "2024-03-15 10:30" not in exported.text
