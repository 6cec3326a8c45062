"""Global dashboard filters and linkage, on SQLite and PostgreSQL: each adds the filters it should to each report
(relative ranges in the workspace time zone, departments with their sub-departments), a report whose form lacks
the field is left alone, and a drill-down under a dashboard filter still lists exactly the number shown."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.reports.board import choices, report_on_board
from engine.reports.dashboard_filters import BadChoice
from engine.reports.drill import drill_query
from engine.reports.run import run_report


def board(sales):  # type: ignore[no-untyped-def]
    return sales.ws.definitions.dashboards["overview"]


def shown(sales, report_id: str, raw: dict, link=None, actor=None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """{first dimension key: deals} of a report on the dashboard (totals under the key None)."""
    ws = sales.ws
    report = report_on_board(ws.records, ws.definitions.reports[report_id], choices(ws.records, board(sales), raw),
                             link)
    ds = run_report(ws.records, actor or sales.admin, report)
    measure = ds.measures[0].key
    found = {}
    for row in ds.rows:
        found[row[0].key] = found.get(row[0].key, 0) + row[ds.column_index(measure)]
    return {**found, None: ds.totals[measure]} if ds.dimensions else {None: ds.totals[measure]}


def hand(sales, where: str) -> int:  # type: ignore[no-untyped-def]
    table = sales.ws.records.runtime("deal").main.name
    with sales.ws.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL AND "
                                        f"(stage IS NULL OR stage <> 'lost') AND {where}")).scalar_one())


def test_this_month_is_the_workspace_month(sales) -> None:  # type: ignore[no-untyped-def]
    # the clock is 2024-03-15 10:30 in Asia/Shanghai: March there runs from 2024-02-29T16:00Z to 2024-03-31T16:00Z
    got = shown(sales, "pipeline", {"period": "this_month"})
    assert got[None] == hand(sales, "closed_at >= '2024-02-29T16:00:00' AND closed_at < '2024-03-31T16:00:00'") \
        or got[None] == hand(sales, "closed_at >= '2024-02-29 16:00:00' AND closed_at < '2024-03-31 16:00:00'")
    assert got[None] < shown(sales, "pipeline", {})[None]


def test_a_custom_range_counts_local_days(sales) -> None:  # type: ignore[no-untyped-def]
    # "Early February" closed at 00:30 on 1 February in Shanghai (16:30 UTC on 31 January): February's, not January's
    ws = sales.ws
    feb = report_on_board(ws.records, ws.definitions.reports["pipeline"],
                          choices(ws.records, board(sales), {"period": "2024-02-01..2024-02-29"}))
    names = {r["name"] for r in ws.records.list(sales.admin, "deal", drill_query(
        ws.records.runtime("deal"), feb, ["won"], ws.records.tz, limit=500)).records}
    assert "Early February" in names and "Late January" not in names
    jan = choices(ws.records, board(sales), {"period": "..2024-01-31"})
    names = {r["name"] for r in ws.records.list(sales.admin, "deal", drill_query(
        ws.records.runtime("deal"), report_on_board(ws.records, ws.definitions.reports["pipeline"], jan), ["won"],
        ws.records.tz, limit=500)).records}
    assert "Late January" in names and "Early February" not in names


def test_owner_and_department_with_sub_departments(sales) -> None:  # type: ignore[no-untyped-def]
    rep = sales.actors["east_rep"]
    assert shown(sales, "pipeline", {"owner": str(rep.user_id)})[None] == hand(sales, f"owner = {rep.user_id}")
    east = [a.user_id for n, a in sales.actors.items() if a.department_id == sales.departments["east"]]
    everyone = [a.user_id for a in sales.actors.values()]
    assert shown(sales, "pipeline", {"dept": str(sales.departments["east"])})[None] == \
        hand(sales, f"owner IN ({', '.join(map(str, east))})")
    # Sales holds East and West: choosing it counts every rep below it
    assert shown(sales, "pipeline", {"dept": str(sales.departments["sales"])})[None] == \
        hand(sales, f"owner IN ({', '.join(map(str, everyone))})")


def test_select_filter_and_a_report_without_the_field(sales) -> None:  # type: ignore[no-untyped-def]
    got = shown(sales, "pipeline", {"stage": "won"})
    assert set(got) == {"won", None}
    ws = sales.ws
    clients = ws.definitions.reports["clients"]
    # the client form has no stage and no owner: the report is left as it is
    assert report_on_board(ws.records, clients, choices(ws.records, board(sales), {"stage": "won", "owner": "1"})) \
        is clients
    # the period applies to clients through its override (created_at): every client was created "today"
    dated = report_on_board(ws.records, clients, choices(ws.records, board(sales), {"period": "this_month"}))
    assert [f.field for f in dated.filters] == ["created_at", "created_at"]
    assert shown(sales, "clients", {"period": "this_month"})[None] == 5
    assert shown(sales, "clients", {"period": "last_month"})[None] == 0


@pytest.mark.parametrize("raw", [{"period": "next_decade"}, {"period": "2024-13-01.."}, {"owner": "bob"},
                                 {"dept": "east"}, {"period": "2024-03-01..2024-02-01"}])
def test_an_unreadable_choice_names_its_component(sales, raw: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(BadChoice) as caught:
        choices(sales.ws.records, board(sales), raw)
    assert caught.value.component.id == next(iter(raw))


def test_linkage_filters_the_targets_by_the_clicked_member(sales) -> None:  # type: ignore[no-untyped-def]
    ws = sales.ws
    pipeline = ws.definitions.reports["pipeline"]
    linked = shown(sales, "monthly", {}, link=(pipeline, {"stage": "won"}))
    everything = shown(sales, "monthly", {})
    won_total = run_report(ws.records, sales.admin, pipeline).rows
    won = next(r for r in won_total if r[0].key == "won")[1]
    assert linked[None] == won < everything[None]
    # a click on "others" or a member whose field the target lacks adds nothing
    assert shown(sales, "clients", {}, link=(pipeline, {"stage": "won"})) == shown(sales, "clients", {})


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_drill_down_under_a_dashboard_filter_lists_exactly_the_number(sales, who: str) -> None:  # type: ignore[no-untyped-def]
    ws = sales.ws
    actor = sales.admin if who == "admin" else sales.actors[who]
    raw = {"period": "last_12_months", "dept": str(sales.departments["east"])}
    report = report_on_board(ws.records, ws.definitions.reports["monthly"], choices(ws.records, board(sales), raw),
                             (ws.definitions.reports["pipeline"], {"stage": "won"}))
    ds = run_report(ws.records, actor, report)
    assert ds.rows
    for row in ds.rows:
        query = drill_query(ws.records.runtime("deal"), report, [m.key for m in row[:2]], ws.records.tz)
        assert ws.records.list(actor, "deal", query).total == row[ds.column_index("deals")]
