"""A funnel of reached stages (`chart: {type: funnel, options: {funnel: reached}}`): each step counts the deals that
reached that stage — a stay in it or a later step, or sitting in one now — so a won deal counts in every step, and
a deal lost after its proposal counts up to the proposal. Checked against SQL written by hand on SQLite and
PostgreSQL, for the admin and a rep's scope; the drill-down of a step lists exactly the deals it counts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from engine.definitions.loader import load_sources, read_directory
from engine.definitions.model import frozen
from engine.pipelines.tables import stage_periods
from engine.records.model import Filter
from engine.reports.drill import drill_query
from engine.reports.model import ChartDef, DimensionDef, MeasureDef, ReportDef
from engine.reports.reached import reached_ids
from engine.reports.run import run_report
from engine.storage.database import write_transaction
from tests.engine.reports.test_report_measures import same
from tests.engine.reports.test_report_stage_time import FIXTURE, PIPELINE, WHERE

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
HISTORIES = (("qualify", "proposal", "won"), ("qualify", "proposal", "lost"), ("won",))  # the last: made won at once
STEPS = ("qualify", "proposal", "won")


@pytest.fixture
def histories(sales):  # type: ignore[no-untyped-def]
    """Deal n of the first 30 has the stays HISTORIES[n % 3] and sits in its last stage; the others have no
    history (older than the pipeline), only their current stage. Returns (sales, the deals' ids)."""
    sales.ws.publish({WHERE: PIPELINE})
    rt = sales.ws.records.runtime("deal")
    with write_transaction(sales.ws.engine) as conn:
        conn.execute(stage_periods.delete())
        ids = [int(i) for i, in conn.execute(sa.select(rt.main.c.id).order_by(rt.main.c.id))]
        rows: list[dict[str, Any]] = []
        for n, record_id in enumerate(ids[:30]):
            at = START + timedelta(days=n)
            stages = HISTORIES[n % 3]
            for i, stage in enumerate(stages):
                last = i == len(stages) - 1
                rows.append({"form": "deal", "record_id": record_id, "field": "stage", "stage": stage,
                             "entered_at": at, "left_at": None if last else at + timedelta(days=2),
                             "seconds": None if last else 2 * 86400})
                at += timedelta(days=2)
            conn.execute(rt.main.update().where(rt.main.c.id == record_id).values(stage=stages[-1]))
        conn.execute(stage_periods.insert(), rows)
    return sales, ids


def funnel(*filters: Filter) -> ReportDef:
    return ReportDef(id="f", app="sales", label="f", form="deal", dimensions=(DimensionDef("stage", "stage"),),
                     measures=(MeasureDef("n", aggregate="count"), MeasureDef("s", aggregate="sum", field="amount"),
                               MeasureDef("avg_s", formula="s / n")),
                     filters=filters or (Filter("stage", "ne", "lost"),),
                     chart=ChartDef("funnel", frozen({"funnel": "reached"})))


def by_hand(sales, step: str, where: str = "") -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    later = ", ".join(f"'{s}'" for s in STEPS[STEPS.index(step):])
    table = sales.ws.records.runtime("deal").main.name
    with sales.ws.engine.connect() as conn:
        row = conn.execute(sa.text(
            f"SELECT count(*), sum(amount) FROM {table} AS d WHERE d.deleted_at IS NULL AND (d.stage IN ({later}) OR "
            f"EXISTS (SELECT 1 FROM stage_periods AS p WHERE p.form = 'deal' AND p.field = 'stage' AND "
            f"p.record_id = d.id AND p.stage IN ({later}))){where}")).one()
    return int(row[0]), row[1]


def test_each_step_counts_the_deals_that_reached_it(histories) -> None:  # type: ignore[no-untyped-def]
    sales, ids = histories
    ds = run_report(sales.ws.records, sales.admin, funnel())
    assert [row[0].key for row in ds.rows] == list(STEPS)  # in the pipeline's order, no "lost" step
    assert [row[0].label["en"] for row in ds.rows] == ["Qualify", "Proposal", "Won"]
    counts = [row[1] for row in ds.rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] > 0, counts  # a funnel narrows
    for row in ds.rows:
        n, amount = by_hand(sales, row[0].key)
        assert row[1] == n and same(row[2], amount), (row[0].key, row[1:], n, amount)
        assert same(row[3], float(amount) / n)  # a formula over the step's own numbers
    assert ds.totals["n"] == ds.rows[0][1]  # every deal that reached a step reached the first
    # the amount is money in its field's currency; the formula's values have no single list of records behind them
    assert [(c.kind, c.currency, c.drillable) for c in ds.measures] == \
        [("number", None, True), ("money", "CNY", True), ("number", None, False)]
    # a deal made won at once counts in the first step; one lost after its proposal does not count as won
    made_won, lost_late = ids[2], ids[1]
    qualify = set(reached_ids(sales.ws.records, sales.admin, funnel(), "qualify", []))
    won = set(reached_ids(sales.ws.records, sales.admin, funnel(), "won", []))
    proposal = set(reached_ids(sales.ws.records, sales.admin, funnel(), "proposal", []))
    assert made_won in qualify and made_won in won
    assert lost_late in proposal and lost_late not in won


@pytest.mark.parametrize("who", ["admin", "east_rep"])
def test_the_drill_down_of_a_step_lists_exactly_its_deals(histories, who: str) -> None:  # type: ignore[no-untyped-def]
    sales, _ = histories
    actor = sales.admin if who == "admin" else sales.actors[who]
    report = funnel()
    rt = sales.ws.records.runtime("deal")
    ds = run_report(sales.ws.records, actor, report)
    assert ds.rows
    for row in ds.rows:
        def ids(step: Any, filters: list[Filter]) -> list[int]:
            return reached_ids(sales.ws.records, actor, report, str(step), filters)
        for measure in (None, "n"):
            query = drill_query(rt, report, [row[0].key], sales.ws.records.tz, measure, reached=ids)
            listed = sales.ws.records.list(actor, "deal", query)
            assert listed.total == row[1], (who, row[0].key, listed.total, row[1])
    if who == "east_rep":
        assert ds.rows[0][1] < run_report(sales.ws.records, sales.admin, report).rows[0][1]  # her own deals only
    total = drill_query(rt, report, [], sales.ws.records.tz, None,
                        reached=lambda step, filters: reached_ids(sales.ws.records, actor, report, str(step), filters))
    assert sales.ws.records.list(actor, "deal", total).total == ds.totals["n"]


def test_a_filter_on_the_stage_chooses_the_steps(histories) -> None:  # type: ignore[no-untyped-def]
    sales, _ = histories
    whole = {row[0].key: row[1] for row in run_report(sales.ws.records, sales.admin, funnel()).rows}
    # a dashboard's stage filter shows some steps, each still counting the deals that went beyond it
    ds = run_report(sales.ws.records, sales.admin, funnel(Filter("stage", "ne", "lost"),
                                                          Filter("stage", "in", ("proposal", "won"))))
    assert [(row[0].key, row[1]) for row in ds.rows] == [("proposal", whole["proposal"]), ("won", whole["won"])]
    # without `ne lost`, lost is a step of the line: a stay there reaches it (and nothing before it is lost)
    every = run_report(sales.ws.records, sales.admin, funnel(Filter("stage", "not_in", ())))
    assert [row[0].key for row in every.rows] == ["qualify", "proposal", "won", "lost"]


def problems(chart: str, filters: str = "") -> list:  # type: ignore[type-arg]
    where = "sales/reports/bad.yaml"
    body = (f"report: bad\nlabel: Bad\nform: deal\n{filters}dimensions: [{{field: stage}}]\n"
            f"measures: [{{id: n, aggregate: count}}]\nchart: {chart}\n")
    sources = {**read_directory(FIXTURE), WHERE: PIPELINE, where: body}
    return [p for p in load_sources(sources).problems if p.file.endswith(where)]


def test_checks_of_a_reached_funnel() -> None:
    assert problems("{type: funnel, options: {funnel: reached}}", "filters: [{field: stage, op: ne, value: lost}]\n") \
        == []
    found = problems("{type: funnel, options: {funnel: sideways}}")
    assert [p.path for p in found] == ["/chart/options/funnel"] and "reached" in found[0].text("en")
    found = problems("{type: funnel, options: {funnel: reached}}", "filters: [{field: stage, op: empty}]\n")
    assert [p.path for p in found] == ["/filters/0/op"] and "步骤" in found[0].text("zh")
    where = "sales/reports/owner_funnel.yaml"
    sources = {**read_directory(FIXTURE), WHERE: PIPELINE, where: "report: owner_funnel\nlabel: O\nform: deal\n"
               "dimensions: [{field: owner}]\nmeasures: [{id: n, aggregate: count}]\n"
               "chart: {type: funnel, options: {funnel: reached}}\n"}
    found = [p for p in load_sources(sources).problems if p.file.endswith(where)]
    assert [p.path for p in found] == ["/chart/options/funnel"] and "pipeline" in found[0].text("en")
