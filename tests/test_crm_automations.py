"""The CRM's automations on the sample data: web leads by region in turn, follow-up reminders on days 1, 3 and 7,
birthday emails to contacts (through a real SMTP server on loopback) and the notice before a contract ends."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.automation.webhooks import inbound_token
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.jobs.tables import notifications
from engine.records.model import Actor, Query
from engine.settings import Settings
from engine.storage.database import read_transaction
from engine.storage.system import users
from tests.conftest import Clock, open_workspace

SYSTEM = Actor.system_actor()
START = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)  # the `clock` fixture's time


@pytest.fixture(scope="module")
def installed_crm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CRM with sample data installed once in an SQLite file (at the test clock's time); tests copy it."""
    folder = tmp_path_factory.mktemp("crm")
    ws = open_workspace(f"sqlite:///{folder / 'crm.db'}", folder / "ws", Clock(START))
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=True)
    ws.jobs.drain()  # sample data sets off nothing; the job clock starts
    with ws.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ws.close()
    return folder / "crm.db"


@pytest.fixture
def crm(request: pytest.FixtureRequest, installed_crm: Path, tmp_path: Path, clock: Clock):  # type: ignore[no-untyped-def]
    """A workspace with the CRM and its sample data: a copy of the installed SQLite file, or (with the
    `postgresql` marker param) a fresh install on PostgreSQL."""
    if getattr(request, "param", "sqlite") == "postgresql":
        ws = open_workspace(request.getfixturevalue("pg_url"), tmp_path / "ws", clock)
        template = find("crm")
        assert template is not None
        install(ws, template, sample_data=True)
        ws.jobs.drain()
    else:
        shutil.copy(installed_crm, tmp_path / "crm.db")
        ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws", clock)
    yield ws
    ws.close()


def usernames(ws) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return {int(i): str(n) for i, n in conn.execute(sa.select(users.c.id, users.c.username))}


def notices(ws) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    names = usernames(ws)
    with read_transaction(ws.engine) as conn:
        return [(names[int(u)], str(t)) for u, t in conn.execute(
            sa.select(notifications.c.user_id, notifications.c.title).order_by(notifications.c.id))]


def test_sample_data_sets_off_no_automation(crm) -> None:  # type: ignore[no-untyped-def]
    assert notices(crm) == []


@pytest.mark.parametrize("crm", ["sqlite", "postgresql"], indirect=True)
def test_web_leads_go_by_region_in_turn(crm) -> None:  # type: ignore[no-untyped-def]
    def lead(name: str, region: str, source: str = "web_form") -> int:
        return int(crm.records.create(SYSTEM, "lead", {"name": name, "company": f"{name}公司", "source": source,
                                                     "region": region, "phone": "13800000000"}, via="web").id)

    east = [lead(f"东{i}", "east") for i in range(4)]
    south = [lead(f"南{i}", "south") for i in range(2)]
    walk_in = lead("展会客户", "east", source="exhibition")
    crm.jobs.drain()
    names = usernames(crm)
    owner = {i: names.get(crm.records.get(SYSTEM, "lead", i).get("owner") or 0) for i in [*east, *south, walk_in]}
    east_team = {"zhangwei", "lina", "liuqiang"}
    assert {owner[i] for i in east[:3]} == east_team  # everyone in the east team once…
    assert owner[east[3]] == owner[east[0]]  # …then round again
    assert {owner[i] for i in south} <= {"chenjing", "yangfan", "huangmin"} and owner[south[0]] != owner[south[1]]
    assert owner[walk_in] is None  # not from the web form: left for a manager
    told = notices(crm)
    assert (owner[east[0]], "新线索分配给你:东0") in told and len(told) == 6


def test_the_website_form_posts_leads_through_the_webhook(crm) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from web.app import create_app

    crm.settings = Settings({**crm.settings.values, "secret": "crm-test-secret"})
    url = f"/hooks/lead_web_intake/{inbound_token('crm-test-secret', 'lead_web_intake')}"
    with TestClient(create_app(crm)) as client:
        response = client.post(url, json={"name": "周婷", "company": "星河贸易", "region": "south", "email": "zt@xh.cn"})
    assert response.status_code == 202
    crm.jobs.drain()
    made = [r for r in crm.records.list(SYSTEM, "lead").records if r.get("name") == "周婷"]
    assert len(made) == 1 and made[0]["source"] == "web_form"
    assert usernames(crm)[made[0]["owner"]] in {"chenjing", "yangfan", "huangmin"}


def test_follow_up_reminders_on_days_1_3_and_7(crm, clock) -> None:  # type: ignore[no-untyped-def]
    names = {v: k for k, v in usernames(crm).items()}
    lead = crm.records.create(SYSTEM, "lead", {"name": "钱多多", "source": "referral", "owner": names["lina"],
                                                "phone": "13800000000"}, via="web")
    closed = crm.records.create(SYSTEM, "lead", {"name": "无效", "source": "referral", "owner": names["lina"],
                                                 "status": "invalid", "phone": "13800000001", "invalid_reason": "重复"}, via="web")
    crm.jobs.drain()
    seen = []
    for _ in range(8 * 24):
        clock.now += timedelta(hours=1)
        crm.jobs.drain()
        seen = [t for u, t in notices(crm) if u == "lina" and t.endswith("钱多多")]
    assert seen == ["线索跟进提醒(第 1 天):钱多多", "线索跟进提醒(第 3 天):钱多多", "线索跟进提醒(第 7 天):钱多多"]
    assert closed.id != lead.id


def test_notice_30_days_before_a_contract_ends(crm, clock) -> None:  # type: ignore[no-untyped-def]
    names = {v: k for k, v in usernames(crm).items()}
    local_today = clock.now.astimezone(crm.tz).date()
    end = local_today + timedelta(days=31)
    active = [c for c in crm.records.list(SYSTEM, "contract", Query(limit=500)).records if c["status"] == "active"]
    contract = crm.records.update(SYSTEM, "contract", active[0].id, {
        "name": "年度维保", "end_date": end.isoformat(), "owner": names["lina"]}, version=active[0].version, via="web")
    crm.jobs.drain()
    morning = datetime.combine(local_today + timedelta(days=1), datetime.min.time(), tzinfo=crm.tz) + timedelta(hours=9)
    clock.now = morning.astimezone(timezone.utc) - timedelta(minutes=1)
    crm.jobs.drain()
    assert not [t for _, t in notices(crm) if "年度维保" in t]
    clock.now += timedelta(minutes=2)
    crm.jobs.drain()
    told = sorted(u for u, t in notices(crm) if t == "合同 30 天后到期:年度维保")
    assert told == ["lina", "zhangwei"]  # the owner and the head of her department
    assert contract.id


def test_birthday_email_to_contacts_through_smtp(crm, clock) -> None:  # type: ignore[no-untyped-def]
    from engine.mail.config import save_smtp
    from engine.storage.database import write_transaction
    from tests.engine.test_mail import SmtpServer

    server = SmtpServer().start()
    try:
        with write_transaction(crm.engine) as conn:
            save_smtp(conn, server.config())
        contacts = crm.records.list(SYSTEM, "contact", Query(limit=500)).records
        born = [c for c in contacts if c.get("birthday") and c.get("email")]
        first = born[0]
        birthday = first["birthday"]
        twins = [c for c in born if (c["birthday"].month, c["birthday"].day) == (birthday.month, birthday.day)]
        year = 2024 if (birthday.month, birthday.day) >= (3, 16) else 2025
        nine = datetime(year, birthday.month, birthday.day, 9, 0, tzinfo=crm.tz).astimezone(timezone.utc)
        clock.now = nine - timedelta(minutes=10)
        crm.jobs.drain()
        assert server.inbox.received == []
        clock.now = nine + timedelta(minutes=1)
        crm.jobs.drain()
        crm.jobs.drain()
        sent = server.inbox.messages()
        assert sorted(m["To"] for m in sent) == sorted(str(c["email"]) for c in twins)
        mine = next(m for m in sent if m["To"] == first["email"])
        assert mine["Subject"] == f"生日快乐,{first['name']}!"
        assert first["name"] in mine.get_body(("plain",)).get_content()
        owner_told = [t for _, t in notices(crm) if t == f"今天是 {first['name']} 的生日"]
        assert len(owner_told) == 1
    finally:
        server.stop()


def test_email_campaign_counts_sends_opens_and_clicks(crm, clock) -> None:  # type: ignore[no-untyped-def]
    import re

    from starlette.testclient import TestClient

    from engine.mail.config import save_smtp
    from engine.storage.database import write_transaction
    from tests.engine.test_mail import SmtpServer
    from web.app import create_app

    server = SmtpServer().start()
    try:
        with write_transaction(crm.engine) as conn:
            save_smtp(conn, server.config())
        campaign = crm.records.create(SYSTEM, "campaign", {"name": "春季新品发布", "type": "email", "goal": "新品试用"},
                                      via="web")
        crm.jobs.drain()
        campaign = crm.records.update(SYSTEM, "campaign", campaign.id, {"status": "running"}, version=campaign.version,
                                      via="web")
        crm.jobs.drain()
        contacts = crm.records.list(SYSTEM, "contact", Query(limit=500)).records
        expected = sorted({str(c["email"]) for c in contacts if c.get("decision_maker") and c.get("email")})
        sent = server.inbox.messages()
        assert sorted(m["To"] for m in sent) == expected and sent[0]["Subject"] == "春季新品发布"
        clock.now += timedelta(minutes=2)
        crm.jobs.drain()
        assert crm.records.get(SYSTEM, "campaign", campaign.id)["emails_sent"] == len(expected)
        html = sent[0].get_body(("html",)).get_content()
        pixel = re.search(r'src="http://127\.0\.0\.1:8000(/t/o/[^"]+)"', html).group(1)  # type: ignore[union-attr]
        link = re.search(r'href="http://127\.0\.0\.1:8000(/t/c/[^"]+)"', html).group(1)  # type: ignore[union-attr]
        with TestClient(create_app(crm)) as client:
            assert client.get(pixel).status_code == 200
            assert client.get(pixel).status_code == 200  # the same reader twice is one open
            click = client.get(link, follow_redirects=False)
            assert click.status_code == 302 and click.headers["location"].startswith("https://www.example.cn/")
        clock.now += timedelta(minutes=2)
        crm.jobs.drain()
        after = crm.records.get(SYSTEM, "campaign", campaign.id)
        assert (after["email_opens"], after["email_clicks"]) == (1, 1)
        assert after["open_rate"] > 0
    finally:
        server.stop()
