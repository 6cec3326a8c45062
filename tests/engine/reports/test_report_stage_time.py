"""Time in a pipeline stage (`aggregate: stage_time`) against SQL written by hand over stage_periods, on SQLite and
PostgreSQL: stays that ended, and with `current` the stays going on up to now; per owner and per tag; drill-down
lists the records with such a stay; publishing refuses a form without a pipeline and an unknown stage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.definitions.loader import load_sources, read_directory
from engine.errors import QueryInvalid
from engine.i18n import text
from engine.pipelines.tables import stage_periods
from engine.reports.drill import drill_query
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report
from engine.reports.stages import stayed
from engine.storage.database import write_transaction
from tests.engine.reports.test_report_measures import hand, same

FIXTURE = Path(__file__).parents[2] / "fixtures" / "reports"
PIPELINE = """pipeline: deal_stages
label: {zh: 商机阶段, en: Deal stages}
form: deal
field: stage
stages: [{stage: qualify}, {stage: proposal}, {stage: won}, {stage: lost}]
"""
WHERE = "pipelines/deal_stages.yaml"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
IN_PROPOSAL = MeasureDef("days", aggregate="stage_time", stage="proposal")
SO_FAR = MeasureDef("so_far", aggregate="stage_time", stage="proposal", current=True)


@pytest.fixture
def staged(sales):  # type: ignore[no-untyped-def]
    """The sales deals under a pipeline, with a history of stays made up by hand: deal i stays i + 1 days in
    proposal (every third deal twice, every fifth one still there), and a day in qualify before; and a
    period of another form's record with the same id, which counts for nothing."""
    sales.ws.publish({WHERE: PIPELINE})
    rt = sales.ws.records.runtime("deal")
    with write_transaction(sales.ws.engine) as conn:
        conn.execute(stage_periods.delete())
        ids = [int(i) for i, in conn.execute(sa.select(rt.main.c.id).order_by(rt.main.c.id))]
        rows: list[dict[str, Any]] = []
        for n, record_id in enumerate(ids[:30]):
            at = START + timedelta(days=n, hours=n % 5)
            spans = [("qualify", timedelta(days=1)), ("proposal", timedelta(days=n + 1, hours=3))]
            if n % 3 == 0:
                spans += [("won", timedelta(days=2)), ("proposal", timedelta(days=2))]
            for i, (stage, span) in enumerate(spans):
                still = n % 5 == 0 and i == len(spans) - 1
                rows.append({"form": "deal", "record_id": record_id, "field": "stage", "stage": stage, "entered_at": at,
                             "left_at": None if still else at + span,
                             "seconds": None if still else int(span.total_seconds())})
                at += span
        rows.append({"form": "client", "record_id": ids[1], "field": "stage", "stage": "proposal",
                     "entered_at": START, "left_at": START + timedelta(days=90), "seconds": 90 * 86400})
        conn.execute(stage_periods.insert(), rows)
    return sales


def report(dimensions: list[DimensionDef], *measures: MeasureDef) -> ReportDef:
    return ReportDef(id="t", app="sales", label="t", form="deal", dimensions=tuple(dimensions),
                     measures=measures or (IN_PROPOSAL,))


def days_sql(sales, current: bool) -> str:  # type: ignore[no-untyped-def]
    """Per record, its days in proposal, by hand."""
    if not current:
        seconds, kept = "seconds", "AND left_at IS NOT NULL"
    elif sales.ws.engine.dialect.name == "postgresql":
        seconds, kept = "coalesce(seconds, extract(epoch from timestamptz '2024-03-15 02:30:00+00' - entered_at))", ""
    else:
        seconds, kept = "coalesce(seconds, (julianday('2024-03-15 02:30:00') - julianday(entered_at)) * 86400)", ""
    return (f"SELECT record_id, sum({seconds}) / 86400.0 AS days FROM stage_periods WHERE form = 'deal' "
            f"AND field = 'stage' AND stage = 'proposal' {kept} GROUP BY record_id")


@pytest.mark.parametrize("current", [False, True], ids=["ended", "current"])
def test_days_in_a_stage_per_owner_equal_hand_sql(staged, current: bool) -> None:  # type: ignore[no-untyped-def]
    measure = SO_FAR if current else IN_PROPOSAL
    ds = run_report(staged.ws.records, staged.admin, report([DimensionDef("owner", "owner")], measure))
    expected = hand(staged, f"SELECT d.owner, avg(x.days) FROM deal AS d JOIN ({days_sql(staged, current)}) AS x "
                    "ON x.record_id = d.id WHERE d.deleted_at IS NULL GROUP BY d.owner")
    got = {row[0].key: row[1] for row in ds.rows if row[1] is not None}
    assert set(got) == set(expected) and len(got) == 5
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)
    total = hand(staged, f"SELECT 1, avg(x.days) FROM deal AS d JOIN ({days_sql(staged, current)}) AS x "
                 "ON x.record_id = d.id WHERE d.deleted_at IS NULL")[1]
    assert same(ds.totals[measure.id], total)
    assert ds.columns[1].kind == "days"


def test_open_stays_change_the_average(staged) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(staged.ws.records, staged.admin, report([], IN_PROPOSAL, SO_FAR))
    assert ds.totals["days"] is not None and ds.totals["so_far"] is not None
    assert ds.totals["so_far"] > ds.totals["days"]  # the stays still going on have lasted weeks by now
    assert text(ds.columns[0].label, "en") == "Days in Proposal" and text(ds.columns[0].label, "zh") == "方案报价停留天数"


def test_stage_time_with_a_multi_value_dimension(staged) -> None:  # type: ignore[no-untyped-def]
    ds = run_report(staged.ws.records, staged.admin, report([DimensionDef("tags", "tags")]))
    if staged.ws.engine.dialect.name == "postgresql":
        spread, v = "LEFT JOIN LATERAL jsonb_array_elements_text(tags) AS t(v) ON true", "t.v"
    else:
        spread, v = "LEFT JOIN json_each(tags) AS t ON 1", "t.value"
    expected = hand(staged, f"SELECT {v}, avg(x.days) FROM deal AS d {spread} JOIN ({days_sql(staged, False)}) AS x "
                    f"ON x.record_id = d.id WHERE d.deleted_at IS NULL GROUP BY {v}")
    got = {row[0].key: row[1] for row in ds.rows}
    assert set(got) == set(expected)
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)


@pytest.mark.parametrize("who", ["admin", "east_rep"])
def test_drill_down_lists_the_records_with_a_stay(staged, who: str) -> None:  # type: ignore[no-untyped-def]
    actor = staged.admin if who == "admin" else staged.actors[who]
    r = report([DimensionDef("owner", "owner")], MeasureDef("n", aggregate="count"), IN_PROPOSAL, SO_FAR)
    rt = staged.ws.records.runtime("deal")
    for measure, current in (("days", False), ("so_far", True)):
        def ids(filters: list[Any], measure: str = measure) -> list[int]:
            return stayed(staged.ws.records, actor, r, measure, filters) or []
        ds = run_report(staged.ws.records, actor, r)
        assert ds.rows
        for row in ds.rows:
            query = drill_query(rt, r, [row[0].key], staged.ws.records.tz, measure, stayed=ids)
            listed = staged.ws.records.list(actor, "deal", query)
            expected = hand(staged, f"SELECT 1, count(*) FROM deal AS d JOIN ({days_sql(staged, current)}) AS x "
                            f"ON x.record_id = d.id WHERE d.deleted_at IS NULL AND d.owner = {int(row[0].key)}")[1]
            assert listed.total == expected
    assert stayed(staged.ws.records, actor, r, "n", []) is None
    with pytest.raises(QueryInvalid):  # no way given to find the records with a stay
        drill_query(rt, r, [None], staged.ws.records.tz, "days")


def problems(body: str, pipeline: str | None = PIPELINE) -> list:  # type: ignore[type-arg]
    where = "sales/reports/bad.yaml"
    sources = {**read_directory(FIXTURE), where: "report: bad\nlabel: Bad\nform: deal\n" + body}
    if pipeline is not None:
        sources[WHERE] = pipeline
    return [p for p in load_sources(sources).problems if p.file.endswith(where)]


def test_checks_refuse_a_form_without_pipeline_and_an_unknown_stage() -> None:
    assert problems("measures: [{id: d, aggregate: stage_time, stage: proposal, current: true}]\n") == []
    found = problems("measures: [{id: d, aggregate: stage_time, stage: proposal}]\n", pipeline=None)
    assert [(p.path, p.line > 0) for p in found] == [("/measures/0/aggregate", True)]
    assert "no stage pipeline" in found[0].text("en") and "阶段流程" in found[0].text("zh")
    found = problems("measures: [{id: d, aggregate: stage_time, stage: propsal}]\n")
    assert [(p.path, p.suggestion) for p in found] == [("/measures/0/stage", "proposal")]
    assert "no stage 'propsal'" in found[0].text("en") and "没有阶段" in found[0].text("zh")
    found = problems("measures: [{id: d, aggregate: stage_time}]\n")
    assert [p.path for p in found] == ["/measures/0/stage"]
    found = problems("measures: [{id: d, aggregate: stage_time, field: name, stage: proposal}]\n")
    assert [p.path for p in found] == ["/measures/0/field"]


def test_a_report_document_reads_the_stage_and_current() -> None:
    sources = {**read_directory(FIXTURE), WHERE: PIPELINE, "sales/reports/cycle.yaml":
               "report: cycle\nlabel: Cycle\nform: deal\ndimensions: [{field: owner}]\n"
               "measures: [{id: d, aggregate: stage_time, stage: proposal, current: true}, "
               "{id: e, aggregate: stage_time, field: stage, stage: won}]\n"}
    loaded = load_sources(sources)
    assert [p for p in loaded.problems if "cycle" in p.file] == []
    first, second = loaded.definitions.reports["cycle"].measures
    assert (first.stage, first.current, second.stage, second.current, second.field) == \
        ("proposal", True, "won", False, "stage")
