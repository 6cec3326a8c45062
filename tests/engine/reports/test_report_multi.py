"""Dimensions on fields holding several values (a multi-select, a users field): a record counts once under each of
its values, against SQL written by hand on SQLite and PostgreSQL; totals count every record once; drill-down lists
the records holding the member."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import QueryInvalid
from engine.i18n import text
from engine.reports.drill import drill_query
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report
from tests.engine.reports.test_report_checks import problems
from tests.engine.reports.test_report_measures import hand, same

COUNT, AMOUNT = MeasureDef("n", aggregate="count"), MeasureDef("s", aggregate="sum", field="amount")


def report(dimensions: list[DimensionDef], **extra: Any) -> ReportDef:
    return ReportDef(id="t", app="sales", label="t", form="deal", dimensions=tuple(dimensions),
                     measures=(COUNT, AMOUNT), **extra)


def items(sales, field: str, ids: bool = False) -> str:  # type: ignore[no-untyped-def]
    """FROM clause: the deals, each joined to the values of its list `field` as `v` (NULL for none), by hand."""
    if sales.ws.engine.dialect.name == "postgresql":
        cast = "::bigint" if ids else ""
        return (f"deal LEFT JOIN LATERAL (SELECT e{cast} AS v FROM jsonb_array_elements_text({field}) AS e) AS x "
                "ON true")
    return f"deal LEFT JOIN json_each({field}) AS x ON 1"


def value(sales) -> str:  # type: ignore[no-untyped-def]
    return "x.v" if sales.ws.engine.dialect.name == "postgresql" else "x.value"


@pytest.mark.parametrize(("field", "ids"), [("tags", False), ("team", True)])
def test_each_record_counts_under_each_of_its_values(sales, field: str, ids: bool) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, report([DimensionDef(field, field)]))
    v = value(sales)
    counts = hand(sales, f"SELECT {v}, count(*) FROM {items(sales, field, ids)} WHERE deleted_at IS NULL GROUP BY {v}")
    sums = hand(sales, f"SELECT {v}, sum(amount) FROM {items(sales, field, ids)} WHERE deleted_at IS NULL GROUP BY {v}")
    got = {row[0].key: (row[1], row[2]) for row in ds.rows}
    assert set(got) == set(counts) and len(got) >= 3 and None in got
    assert all(got[k][0] == counts[k] and same(got[k][1], sums[k]) for k in counts), (got, counts, sums)
    assert sum(n for n, _ in got.values()) > ds.totals["n"]  # some records are under several values
    assert ds.totals["n"] == hand(sales, "SELECT 1, count(*) FROM deal WHERE deleted_at IS NULL")[1]
    assert same(ds.totals["s"], hand(sales, "SELECT 1, sum(amount) FROM deal WHERE deleted_at IS NULL")[1])


def test_members_read_as_options_and_names(sales) -> None:  # type: ignore[no-untyped-def]
    tags = run_report(sales.ws.records, sales.admin, report([DimensionDef("tags", "tags")]))
    assert [row[0].key for row in tags.rows] == ["key", "renewal", "partner", None]  # the options' order, empty last
    assert text(tags.rows[0][0].label, "zh") == "重点" and tags.rows[0][0].color == "red"
    team = run_report(sales.ws.records, sales.admin, report([DimensionDef("team", "team")]))
    names = {text(row[0].label, "en") for row in team.rows if row[0].key is not None}
    assert names == {"East Rep", "West Rep", "East Rep2", "Manager", "East Manager"}


def test_two_dimensions_one_of_them_spread(sales) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, report([DimensionDef("stage", "stage"), DimensionDef("tags", "tags")]))
    v = value(sales)
    rows = hand(sales, f"SELECT stage || '/' || coalesce({v}, '-'), count(*) FROM {items(sales, 'tags')} "
                f"WHERE deleted_at IS NULL GROUP BY stage, {v}")
    got = {f"{row[0].key}/{row[1].key or '-'}": row[2] for row in ds.rows if row[0].key is not None}
    assert got == {k: n for k, n in rows.items() if k is not None}


@pytest.mark.parametrize("who", ["admin", "east_rep"])
def test_drill_down_lists_the_records_holding_the_member(sales, who: str) -> None:  # type: ignore[no-untyped-def]
    actor = sales.admin if who == "admin" else sales.actors[who]
    rt = sales.ws.records.runtime("deal")
    for field in ("tags", "team"):
        r = report([DimensionDef(field, field)])
        ds = run_report(sales.ws.records, actor, r)
        assert ds.rows
        for row in ds.rows:
            query = drill_query(rt, r, [row[0].key], sales.ws.records.tz, "n")
            page = sales.ws.records.list(actor, "deal", query)
            assert page.total == row[1], (field, row[0].key)


def test_top_n_keeps_totals_and_others_has_no_single_list(sales) -> None:  # type: ignore[no-untyped-def]
    r = report([DimensionDef("tags", "tags")], limit=1)
    ds = run_report(sales.ws.records, sales.admin, r)
    full = run_report(sales.ws.records, sales.admin, report([DimensionDef("tags", "tags")]))
    assert ds.totals == full.totals
    assert ds.rows[-1][0].key == "__others__"
    assert ds.rows[-1][1] == sum(row[1] for row in full.rows) - ds.rows[0][1]  # each value not shown, as in the rows
    with pytest.raises(QueryInvalid):
        drill_query(sales.ws.records.runtime("deal"), r, ["__others__"], sales.ws.records.tz, kept=[["key"]])


def test_checks_take_a_list_dimension_but_not_its_distinct_count() -> None:
    ok = problems("dimensions: [{field: tags}, {field: team}]\nmeasures: [{id: n, aggregate: count}]\n")
    assert ok == []
    found = problems("measures: [{id: n, aggregate: distinct, field: tags}]\n")
    assert any(p.path == "/measures/0/field" and "one value per record" in p.text("en") for p in found)
