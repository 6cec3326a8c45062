"""Drill-down: for every row of a dataset, the records list under the drill-down query counts exactly the row's
count (and a measure's own filter narrows it to that measure), for the admin and for a rep."""

from __future__ import annotations

import pytest

from engine.errors import QueryInvalid
from engine.reports.drill import drill_query
from engine.reports.run import run_report


def listed(sales, actor, report, keys, measure=None, kept=()):  # type: ignore[no-untyped-def]
    rt = sales.ws.records.runtime(report.form)
    query = drill_query(rt, report, keys, sales.ws.records.tz, measure, kept)
    page = sales.ws.records.list(actor, report.form, query)
    return page.total


@pytest.mark.parametrize("report_id", ["pipeline", "monthly", "by_industry", "won_this_month"])
@pytest.mark.parametrize("who", ["admin", "east_rep", "manager"])
def test_every_row_drills_to_its_count(sales, report_id: str, who: str) -> None:  # type: ignore[no-untyped-def]
    actor = sales.admin if who == "admin" else sales.actors[who]
    report = sales.ws.definitions.reports[report_id]
    ds = run_report(sales.ws.records, actor, report)
    n = len(ds.dimensions)
    count = ds.column_index("deals")
    kept = [[m.key for m in row[:n]] for row in ds.rows if n and row[0].key != "__others__"]
    assert ds.rows
    for row in ds.rows:
        keys = [m.key for m in row[:n]]
        assert listed(sales, actor, report, keys, kept=kept) == row[count], keys
    if report_id == "monthly":
        for measure in ("won", "lost"):
            column = ds.column_index(measure)
            for row in ds.rows:
                assert listed(sales, actor, report, [m.key for m in row[:n]], measure) == row[column]


def test_a_formula_measure_has_no_single_list(sales) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["monthly"]
    with pytest.raises(QueryInvalid):
        drill_query(sales.ws.records.runtime("deal"), report, ["2024-01-01", "won"], sales.ws.records.tz, "win_rate")
