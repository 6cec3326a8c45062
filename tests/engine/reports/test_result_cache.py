"""Datasets kept until the data behind them changes: a second look at a report reads no deal, and any record write,
organisation change, new day or publish shows at once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from engine.records.model import Actor
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report
from tests.pg import statements

BY_OWNER = ReportDef(id="by_owner", app="sales", label="by owner", form="deal",
                     dimensions=(DimensionDef("owner", "owner"),),
                     measures=(MeasureDef("deals", aggregate="count"), MeasureDef("amount", aggregate="sum", field="amount")))


def reads_deals(sales, actor: Actor, report: ReportDef) -> tuple[object, bool]:  # type: ignore[no-untyped-def]
    """The dataset, and whether computing it read the deal table."""
    table = sales.ws.records.runtime("deal").main.name
    with statements(sales.ws.engine) as seen:
        dataset = run_report(sales.ws.records, actor, report)
    return dataset, any(table in statement for statement, _ in seen)


def by_owner(dataset) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {row[0].label if isinstance(row[0].label, str) else row[0].label["en"]: row[1] for row in dataset.rows}


def test_a_second_look_reads_no_record_and_a_write_shows_at_once(sales) -> None:  # type: ignore[no-untyped-def]
    first, read = reads_deals(sales, sales.admin, BY_OWNER)
    assert read
    again, read = reads_deals(sales, sales.admin, BY_OWNER)
    assert not read and again.rows == first.rows and again.totals == first.totals
    rep = sales.actors["west_rep"]
    sales.ws.records.create(Actor.system_actor(), "deal", {"name": "New", "amount": 5, "owner": rep.user_id})
    after, read = reads_deals(sales, sales.admin, BY_OWNER)
    assert read and after.totals["deals"] == first.totals["deals"] + 1
    deal = sales.ws.records.list(sales.admin, "deal").records[0]
    sales.ws.records.delete(sales.admin, "deal", deal.id)
    assert run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"] == first.totals["deals"]


def test_each_viewer_has_their_own_numbers(sales) -> None:  # type: ignore[no-untyped-def]
    everyone = run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"]
    mine = run_report(sales.ws.records, sales.actors["east_rep"], BY_OWNER).totals["deals"]
    assert mine < everyone
    assert run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"] == everyone


def test_a_change_to_the_organisation_shows_at_once_whatever_made_it(sales) -> None:  # type: ignore[no-untyped-def]
    before = by_owner(run_report(sales.ws.records, sales.admin, BY_OWNER))
    assert "West Rep" in before
    with sales.ws.engine.begin() as conn:  # not through the admin pages: a script, or another tool
        conn.execute(sa.text("UPDATE users SET display_name = 'Wang Wei' WHERE username = 'west_rep'"))
    after = by_owner(run_report(sales.ws.records, sales.admin, BY_OWNER))
    assert "West Rep" not in after and after["Wang Wei"] == before["West Rep"]


def test_this_month_moves_on_at_midnight(sales, clock) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["won_this_month"]
    system = Actor.system_actor()
    sales.ws.records.create(system, "deal", {"name": "March", "stage": "won", "amount": 7,
                                             "closed_at": clock.now.isoformat()})
    march = run_report(sales.ws.records, sales.admin, report).totals["deals"]
    assert march >= 1
    clock.now += timedelta(days=31)  # April: the March deal is last month's now
    april = run_report(sales.ws.records, sales.admin, report)
    assert april.totals["deals"] == 0 and april.previous is not None and april.previous["deals"] == march


def test_a_caller_changing_its_copy_changes_nothing_for_the_next(sales) -> None:  # type: ignore[no-untyped-def]
    first = run_report(sales.ws.records, sales.admin, BY_OWNER)
    expected = [list(row) for row in first.rows]
    first.rows.clear()
    first.totals["deals"] = -1
    again = run_report(sales.ws.records, sales.admin, BY_OWNER)
    assert [list(row) for row in again.rows] == expected and again.totals["deals"] != -1


def test_a_write_committing_after_a_later_one_still_shows_on_postgresql(sales) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL hands out history ids at insert and commits in any order: a write that took its id first and
    commits last must still show (SQLite runs one write at a time, so this cannot happen there)."""
    import pytest

    from engine.storage.system import history

    if sales.ws.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    table = sales.ws.records.runtime("deal").main
    before = run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"]
    slow = sales.ws.engine.connect()
    try:
        slow.begin()
        now = sales.ws.now()
        new_id = slow.execute(table.insert().values(name="Slow", created_at=now, updated_at=now, version=1)
                              .returning(table.c.id)).scalar_one()
        slow.execute(history.insert().values(form="deal", record_id=new_id, version=1, action="create", via="test",
                                             at=now))  # takes its history id now, commits last
        sales.ws.records.create(Actor.system_actor(), "deal", {"name": "Quick", "amount": 1})  # a later id, committed
        assert run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"] == before + 1
        slow.commit()
    finally:
        slow.close()
    assert run_report(sales.ws.records, sales.admin, BY_OWNER).totals["deals"] == before + 2
