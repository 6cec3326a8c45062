"""The CRM's reports on its sample data, on SQLite and PostgreSQL: every report runs and has data; a rep's funnel
counts only her deals and a manager's his department tree (against counts made here from sample_data.yaml); the
trends cover the year; the map has several provinces; the seven dashboards load; the management dashboard is
scheduled for Monday mornings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.definitions.loader import load_directory
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.i18n import text
from engine.records.model import Actor, Filter, Query
from engine.jobs.tables import jobs
from engine.reports import delivery
from engine.reports.run import run_report
from engine.reports.schedules import due_slot
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import users
from tests.conftest import Clock, _fresh_pg_database, add_user, open_workspace
from tests.crm_sample import crm_sample
from web.charts.provinces import map_name
from web.charts.registry import render

ROOT = Path(__file__).parents[1] / "apps_templates"
SAMPLE = crm_sample()
START = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)  # the `clock` fixture's time
SYSTEM = Actor.system_actor()
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The CRM with its sample data, installed once per database for the module."""
    folder = tmp_path_factory.mktemp("crm_reports")
    url = f"sqlite:///{folder / 'crm.db'}" if request.param == "sqlite" else \
        _fresh_pg_database(request.getfixturevalue("postgres_server"))
    ws = open_workspace(url, folder / "ws", Clock(START))
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=True)
    add_user(ws, "boss")  # an administrator
    yield ws
    ws.close()


def actor(ws: Any, username: str, roles: tuple[str, ...] | None = None) -> Actor:
    with read_transaction(ws.engine) as conn:
        row = conn.execute(sa.select(users.c.id, users.c.department_id, users.c.is_admin)
                           .where(users.c.username == username)).one()
    held = roles if roles is not None else tuple(u["roles"] for u in SAMPLE["users"] if u["username"] == username)[0]
    return Actor(int(row.id), row.department_id, frozenset(held), is_admin=bool(row.is_admin))


def run(ws: Any, report_id: str, who: Actor) -> Any:
    return run_report(ws.records, who, ws.definitions.reports[report_id])


def test_every_report_runs_and_has_data(crm: Any) -> None:
    admin = actor(crm, "boss", ())
    rep = actor(crm, "zhangwei")  # reports for "me" run as a rep with deals, targets and follow-ups due
    reports = crm.definitions.reports
    assert len(reports) >= 35
    empty = []
    for report_id, report in sorted(reports.items()):
        who = rep if "$me" in repr(report.filters) else admin
        ds = run_report(crm.records, who, report)
        first = report.measures[0].id
        if not ds.rows or not ds.totals.get(first):
            empty.append(report_id)
        for lang in ("zh", "en"):  # and each draws as its chart
            assert render(report.chart.type, ds, dict(report.chart.options), lang).type == report.chart.type
    assert empty == []


def _tree(key: str) -> set[str]:
    found, todo = {key}, [key]
    while todo:
        parent = todo.pop()
        for d in SAMPLE["departments"]:
            if d.get("parent") == parent:
                found.add(d["key"])
                todo.append(d["key"])
    return found


STEPS = ["qualify", "needs", "proposal", "negotiation", "won"]  # the pipeline's stages but lost (the funnel's steps)


def _expected_funnel(owners: set[str]) -> dict[str, int]:
    """The deals that reached each step: the sample deals sit in their stage with no earlier history, so a deal
    counts in its own stage's step and every step before it (a won deal in all of them); a lost one in none."""
    counts = Counter(o["stage"] for o in SAMPLE["records"]["opportunity"]
                     if (o.get("owner") or o["_owner"]) in owners and o["stage"] != "lost")
    return {step: sum(counts[s] for s in STEPS[i:]) for i, step in enumerate(STEPS)}


def _funnel(ws: Any, who: Actor) -> dict[str, int]:
    return {str(row[0].key): int(row[1]) for row in run(ws, "sales_funnel", who).rows}


def test_a_reps_funnel_counts_only_her_deals(crm: Any) -> None:
    lina = actor(crm, "lina")
    expected = _expected_funnel({"lina"})
    assert sum(expected.values()) >= 5
    assert _funnel(crm, lina) == expected


@pytest.mark.parametrize("manager", ["zhangwei", "wangfang"])
def test_a_managers_funnel_counts_his_department_tree(crm: Any, manager: str) -> None:
    department = {u["username"]: u["department"] for u in SAMPLE["users"]}
    tree = _tree(department[manager])
    owners = {name for name, dept in department.items() if dept in tree}
    expected = _expected_funnel(owners)
    assert _funnel(crm, actor(crm, manager, ("sales_manager",))) == expected
    everyone = _funnel(crm, actor(crm, "boss", ()))
    assert expected["qualify"] < everyone["qualify"] or manager == "wangfang"


def test_the_trends_cover_the_last_twelve_months(crm: Any) -> None:
    admin = actor(crm, "boss", ())
    for report_id, measure in (("won_trend", 1), ("new_clients_trend", 1), ("leads_trend", 1), ("tickets_trend", 2),
                               ("payments_trend", 1), ("follow_up_trend", 2), ("contracts_trend", 1)):
        ds = run(crm, report_id, admin)
        months = {row[0].key for row in ds.rows if row[measure]}
        assert len(months) >= 10, (report_id, sorted(months))


def test_the_map_has_several_provinces(crm: Any) -> None:
    ds = run(crm, "clients_by_province", actor(crm, "boss", ()))
    provinces = {map_name(row[0].key, text(row[0].label, "zh")) for row in ds.rows if row[1]}
    provinces.discard(None)
    assert len(provinces) >= 10


def test_back_dated_sample_records(crm: Any) -> None:
    """`_created` sets the creation time: only the clients without it are new this month."""
    admin = actor(crm, "boss", ())
    fresh = sum(1 for c in SAMPLE["records"]["client"] if "_created" not in c)
    ds = run(crm, "new_clients_this_month", admin)
    assert ds.totals["new_clients"] == fresh
    assert ds.previous is not None
    first = next(c for c in SAMPLE["records"]["client"] if c.get("_created") == "@now-360")
    found = crm.records.list(SYSTEM, "client", Query(filters=(Filter("name", "eq", first["name"]),), limit=1))
    assert found.records[0].created_at == START - timedelta(days=360)
    won = run(crm, "won_this_month", admin)
    assert won.totals["won_amount"] and won.previous is not None and won.previous["won_amount"]


def test_a_deal_gets_its_close_date_when_won(crm: Any) -> None:
    client = crm.records.list(SYSTEM, "client", Query(limit=1))
    client_id = client.records[0].id
    contact = crm.records.create(SYSTEM, "contact", {"name": "测试联系人", "client": client_id, "mobile": "13900000000"})
    deal = crm.records.create(SYSTEM, "opportunity", {
        "name": "结单日期测试", "client": client_id, "contact": contact.id, "stage": "negotiation", "amount": 1000,
        "expected_close": "2024-04-01"})
    crm.records.update(SYSTEM, "opportunity", deal.id, {"stage": "won"}, version=deal.version)
    crm.jobs.drain()
    after = crm.records.get(SYSTEM, "opportunity", deal.id)
    crm.records.delete(SYSTEM, "opportunity", deal.id)  # the module's other tests count the sample deals
    crm.records.delete(SYSTEM, "contact", contact.id)
    assert after.get("closed_on") == crm.now().astimezone(crm.tz).date()


def test_the_crm_holds_its_seven_dashboards() -> None:
    """The dashboards of CRM.md, each checked at load by the dashboard kind (reports, filter fields, links)."""
    defs = load_directory(ROOT / "crm").raise_for_problems()
    assert set(defs.dashboards) == {"management", "sales_manager", "sales_rep", "service", "marketing",
                                    "client_distribution", "attention"}


def test_the_management_dashboard_goes_out_on_monday_mornings(crm: Any) -> None:
    """Published with the template (its role checked, its cron parsed); due Mondays 09:00 in the workspace zone,
    not on Tuesdays."""
    [schedule] = crm.definitions.dashboards["management"].schedules
    assert schedule.cron == "0 9 * * 1" and schedule.roles == ("management",)
    assert text(schedule.note, "zh") != text(schedule.note, "en")
    monday = datetime(2024, 3, 18, 9, 0, tzinfo=crm.tz)
    tick = delivery.ticker(crm)
    for day in (monday, monday + timedelta(days=1)):
        with write_transaction(crm.engine) as conn:
            tick(conn, day - timedelta(minutes=1), day + timedelta(minutes=1))
    with read_transaction(crm.engine) as conn:
        keys = conn.execute(sa.select(jobs.c.key).where(jobs.c.kind == delivery.KIND)).scalars().all()
    assert keys == [f"dashboard:opportunity.management:{schedule.key}:{monday.isoformat()}"]
    assert due_slot(schedule.cron, crm.tz, monday + timedelta(days=1), monday + timedelta(days=2)) is None
