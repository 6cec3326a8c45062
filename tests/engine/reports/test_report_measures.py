"""Every measure and date bucket against SQL written by hand, on SQLite and PostgreSQL; buckets across a time-zone
boundary; the previous period; top-N with others."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.i18n import text
from engine.records.model import Filter
from engine.reports.dataset import Dataset
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report

SHANGHAI = ZoneInfo("Asia/Shanghai")


def report(dimensions: list[DimensionDef], measures: list[MeasureDef], **extra: Any) -> ReportDef:
    return ReportDef(id="t", app="sales", label="t", form="deal", dimensions=tuple(dimensions),
                     measures=tuple(measures), **extra)


def hand(sales, sql: str) -> dict[Any, Any]:  # type: ignore[no-untyped-def]
    """{key: value} from SQL written by hand over the deal table (`deal` stands for it)."""
    table = sales.ws.records.runtime("deal").main.name
    with sales.ws.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.text(sql.replace("deal", table, 1)))}


def by_key(ds: Dataset) -> dict[Any, Any]:
    return {row[0].key: row[1] for row in ds.rows}


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, (date, datetime)) or isinstance(b, (date, datetime)):
        return str(a)[:10] == str(b)[:10]
    return abs(float(a) - float(b)) < 1e-6


MEASURES = [  # (measure, SQL aggregate written by hand)
    (MeasureDef("n", aggregate="count"), "count(*)"),
    (MeasureDef("s", aggregate="sum", field="amount"), "sum(amount)"),
    (MeasureDef("a", aggregate="avg", field="amount"), "avg(amount)"),
    (MeasureDef("lo", aggregate="min", field="amount"), "min(amount)"),
    (MeasureDef("hi", aggregate="max", field="quantity"), "max(quantity)"),
    (MeasureDef("d", aggregate="distinct", field="client"), "count(DISTINCT client)"),
    (MeasureDef("first", aggregate="min", field="opened_on"), "min(opened_on)"),
    (MeasureDef("w", aggregate="count", filters=(Filter("amount", "ge", 3000),)),
     "sum(CASE WHEN amount >= 3000 THEN 1 ELSE 0 END)"),
    (MeasureDef("ws", aggregate="sum", field="amount", filters=(Filter("quantity", "in", [1, 2]),)),
     "sum(CASE WHEN quantity IN (1, 2) THEN amount END)"),
]


@pytest.mark.parametrize(("measure", "sql"), MEASURES, ids=[m.id for m, _ in MEASURES])
def test_measure_by_stage_equals_hand_sql(sales, measure: MeasureDef, sql: str) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, report([DimensionDef("stage", "stage")], [measure]))
    expected = hand(sales, f"SELECT stage, {sql} FROM deal WHERE deleted_at IS NULL GROUP BY stage")
    got = by_key(ds)
    assert set(got) == set(expected)
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)
    total = hand(sales, f"SELECT 1, {sql} FROM deal WHERE deleted_at IS NULL")[1]
    assert same(ds.totals[measure.id], total)


def test_duration_in_days_equals_hand_sql(sales) -> None:  # type: ignore[no-untyped-def]
    cycle = MeasureDef("cycle", aggregate="duration", start="opened_on", end="closed_at")
    ds = run_report(sales.ws.records, sales.admin, report([DimensionDef("stage", "stage")], [cycle]))
    if sales.ws.engine.dialect.name == "postgresql":
        days = "extract(epoch from closed_at) / 86400.0 - extract(epoch from opened_on::timestamp) / 86400.0"
    else:
        days = "julianday(closed_at) - julianday(opened_on)"
    expected = hand(sales, f"SELECT stage, avg({days}) FROM deal WHERE deleted_at IS NULL GROUP BY stage")
    got = by_key(ds)
    assert all(abs(float(got[k]) - float(v)) < 1e-4 for k, v in expected.items() if v is not None)
    assert ds.columns[-1].kind == "days"


HAND_BUCKETS = {  # bucket → (SQLite over local text x, PostgreSQL unit)
    "day": ("date(x)", "day"),
    "week": ("date(x, 'weekday 0', '-6 days')", "week"),
    "month": ("strftime('%Y-%m-01', x)", "month"),
    "quarter": ("CASE WHEN x IS NOT NULL THEN printf('%s-%02d-01', strftime('%Y', x), "
                "((CAST(strftime('%m', x) AS INTEGER) - 1) / 3) * 3 + 1) END", "quarter"),
    "year": ("strftime('%Y-01-01', x)", "year"),
}


def python_bucket(day: date, bucket: str) -> str:
    if bucket == "day":
        return day.isoformat()
    if bucket == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    month = {"month": day.month, "quarter": (day.month - 1) // 3 * 3 + 1, "year": 1}[bucket]
    return date(day.year, month, 1).isoformat()


@pytest.mark.parametrize("field", ["closed_at", "opened_on"])
@pytest.mark.parametrize("bucket", list(HAND_BUCKETS))
def test_bucket_equals_hand_sql_and_python(sales, bucket: str, field: str) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin,
                    report([DimensionDef("b", field, bucket=bucket)], [MeasureDef("n", aggregate="count")]))
    zoned = field == "closed_at"
    if sales.ws.engine.dialect.name == "postgresql":
        local = f"{field} AT TIME ZONE 'Asia/Shanghai'" if zoned else f"{field}::timestamp"
        key = f"to_char(date_trunc('{HAND_BUCKETS[bucket][1]}', {local}), 'YYYY-MM-DD')"
    else:
        local = f"datetime({field}, '+8 hours')" if zoned else field
        key = HAND_BUCKETS[bucket][0].replace("x", local)
    expected = hand(sales, f"SELECT {key}, count(*) FROM deal WHERE deleted_at IS NULL GROUP BY 1")
    assert by_key(ds) == expected
    # The same buckets computed in Python from the stored values: both databases agree with it.
    table = sales.ws.records.runtime("deal").main
    with sales.ws.engine.connect() as conn:
        values = conn.execute(sa.select(table.c[field])).scalars().all()
    counted: dict[Any, int] = {}
    for v in values:
        day = None if v is None else (v.astimezone(SHANGHAI).date() if zoned else v)
        k = None if day is None else python_bucket(day, bucket)
        counted[k] = counted.get(k, 0) + 1
    assert by_key(ds) == counted


def test_a_late_evening_lands_in_its_local_month(sales) -> None:  # type: ignore[no-untyped-def]
    """23:30 on 31 January in Shanghai is 15:30 UTC: January; 00:30 on 1 February is still 31 January in UTC."""
    month = report([DimensionDef("m", "closed_at", bucket="month")],
                   [MeasureDef("n", aggregate="count", filters=(Filter("amount", "eq", 10),))])
    got = by_key(run_report(sales.ws.records, sales.admin, month))
    assert got["2024-01-01"] == 1 and got["2024-02-01"] == 1


def test_previous_period_totals(sales) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports["won_this_month"])
    # The clock is 2024-03-15: this month is March, the previous one February (local days, as UTC bounds).
    lo, hi = datetime(2024, 1, 31, 16, tzinfo=timezone.utc), datetime(2024, 2, 29, 16, tzinfo=timezone.utc)
    table = sales.ws.records.runtime("deal").main
    with sales.ws.engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.sum(table.c.amount), sa.func.count()).where(
            table.c.stage == "won", table.c.closed_at >= lo, table.c.closed_at < hi, table.c.deleted_at.is_(None))).one()
    assert ds.previous is not None
    assert same(ds.previous["amount"], row[0]) and ds.previous["deals"] == row[1] > 0
    assert ds.totals["deals"] == 0


def test_top_n_with_others_and_totals(sales) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports["by_industry"])
    keys = [row[0].key for row in ds.rows]
    assert len(keys) == 3 and keys[-1] == "__others__"
    counts = [row[1] for row in ds.rows]
    assert counts[:2] == sorted(counts[:2], reverse=True)
    assert sum(counts) == ds.totals["deals"] == hand(sales, "SELECT 1, count(*) FROM deal WHERE deleted_at IS NULL")[1]
    client = sales.ws.records.runtime("client").main.name
    industries = hand(sales, f"SELECT c.industry, count(*) FROM deal d LEFT JOIN {client} c "
                             "ON c.id = d.client AND c.deleted_at IS NULL WHERE d.deleted_at IS NULL GROUP BY c.industry")
    top = sorted(industries.items(), key=lambda kv: -kv[1])[:2]
    assert {row[0].key: row[1] for row in ds.rows[:2]} == dict(top)


def test_labels_colours_and_order(sales) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports["pipeline"])
    members = [row[0] for row in ds.rows]
    assert [m.key for m in members] == ["qualify", "proposal", "won", None]
    assert members[0].label == {"zh": "初步接洽", "en": "Qualify"} and members[0].color == "gray"
    assert members[-1].label == {"zh": "(空)", "en": "(No value)"}
    owners = run_report(sales.ws.records, sales.admin,
                        report([DimensionDef("o", "owner"), DimensionDef("dept", "owner.department")],
                               [MeasureDef("n", aggregate="count")]))
    names = {row[0].label for row in owners.rows}
    assert "East Rep" in names and all(not str(n).isdigit() for n in names)
    assert {text(row[1].label, "zh") for row in owners.rows} <= {"销售部", "华东", "华西"}


def test_formula_measure(sales) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports["monthly"])
    won, lost, rate = (ds.column_index(k) for k in ("won", "lost", "win_rate"))
    for row in ds.rows:
        if row[won] + row[lost]:
            assert row[rate] == pytest.approx(row[won] / (row[won] + row[lost]))
        else:
            assert row[rate] is None
    assert ds.totals["win_rate"] == pytest.approx(ds.totals["won"] / (ds.totals["won"] + ds.totals["lost"]))
    assert isinstance(ds.totals["amount"], Decimal)


def test_a_percent_field_averages_to_a_ratio(sales) -> None:  # type: ignore[no-untyped-def]
    """A percent field stores 12.5 for 12.5%; the dataset's percent is a ratio (0.125) like a formula's rate, so a
    chart or a spreadsheet shows 12.5%, not 1250%."""
    from web.charts.numbers import format_value
    ds = run_report(sales.ws.records, sales.admin,
                    report([DimensionDef("stage", "stage")], [MeasureDef("avg_discount", aggregate="avg", field="discount")]))
    column = ds.measures[0]
    assert column.kind == "percent"
    expected = hand(sales, "SELECT 1, avg(discount) FROM deal WHERE deleted_at IS NULL")[1]
    assert same(ds.totals["avg_discount"] * 100, expected)
    assert same(expected, 7.5)  # 0, 5, 10, 15 % in turn
    assert format_value(column, ds.totals["avg_discount"], "en") == "7.50%"  # the field's two decimals


def test_the_earliest_date_of_a_group_reads_as_a_date(sales) -> None:  # type: ignore[no-untyped-def]
    from web.charts.numbers import format_value, plain
    ds = run_report(sales.ws.records, sales.admin,
                    report([DimensionDef("stage", "stage")], [MeasureDef("first", aggregate="min", field="opened_on")]))
    column = ds.measures[0]
    assert column.kind == "date"
    assert format_value(column, ds.totals["first"], "en") == "Sep 1, 2023"
    assert plain(ds.totals["first"]) is None


def test_a_plain_count_without_dimensions_counts_every_record(sales) -> None:  # type: ignore[no-untyped-def]
    """A KPI card's count: no dimension, no other measure — the aggregate still reads the records (count(*) names
    no column of them)."""
    ds = run_report(sales.ws.records, sales.admin, report([], [MeasureDef("n", aggregate="count")]))
    expected = hand(sales, "SELECT 1, count(*) FROM deal WHERE deleted_at IS NULL")[1]
    assert expected > 1 and ds.totals["n"] == expected
    assert [row[0] for row in ds.rows] == [expected]
    won = run_report(sales.ws.records, sales.admin, report([], [MeasureDef("n", aggregate="count")],
                                                          filters=(Filter("stage", "eq", "won"),)))
    assert won.totals["n"] == hand(sales, "SELECT 1, count(*) FROM deal WHERE deleted_at IS NULL AND stage = 'won'")[1]
