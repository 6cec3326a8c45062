"""Stage pipelines: definition checks, transitions and entry requirements on writes, time in stage with a
controlled clock, the stage_changed event and the report — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from textwrap import dedent

import pytest
import sqlalchemy as sa

from engine.definitions.loader import load_directory, load_sources
from engine.errors import PermissionDenied, RecordInvalid
from engine.pipelines.reports import stage_report, stage_times
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.storage.system import outbox
from tests.conftest import add_user

ME = Actor(user_id=1, is_admin=True)
SYSTEM = Actor.system_actor()
CRM = Path(__file__).parents[2] / "apps_templates" / "crm"

DEALS = {
    "deals/app.yaml": "app: deals\nlabel: {zh: 交易, en: Deals}\nforms: [deal]\n",
    "deals/forms/deal.yaml": dedent("""\
        form: deal
        label: {zh: 交易, en: Deal}
        title: name
        fields:
          - {id: name, type: text, label: {zh: 名称, en: Name}, required: true}
          - id: stage
            type: select
            label: {zh: 阶段, en: Stage}
            default: lead
            options:
              - {value: lead, label: {zh: 线索, en: Lead}}
              - {value: qualified, label: {zh: 已确认, en: Qualified}}
              - {value: proposal, label: {zh: 报价, en: Proposal}}
              - {value: won, label: {zh: 赢单, en: Won}}
              - {value: lost, label: {zh: 输单, en: Lost}}
          - {id: amount, type: money, label: {zh: 金额, en: Amount}}
          - {id: close_on, type: date, label: {zh: 成交日期, en: Close date}}
          - {id: lost_reason, type: text, label: {zh: 输单原因, en: Lost reason}}
          - {id: chance, type: percent, label: {zh: 概率, en: Chance}, decimals: 0}
          - {id: weighted, type: money, label: {zh: 加权, en: Weighted}, formula: "amount * chance / 100"}
          - {id: kind, type: select, label: {zh: 类型, en: Kind}, options: [new, renewal]}
        """),
    "pipelines/deal_flow.yaml": dedent("""\
        pipeline: deal_flow
        label: {zh: 交易阶段, en: Deal stages}
        form: deal
        field: stage
        probability_field: chance
        stages:
          - {stage: lead, to: [qualified, lost], probability: 10, stall_days: 7}
          - {stage: qualified, to: [lead, proposal, lost], probability: 40, stall_days: 7}
          - {stage: proposal, to: [won, lost], require: [amount, close_on], probability: 60}
          - {stage: won, to: [], probability: 100}
          - {stage: lost, require: [lost_reason], probability: 0}
        """),
}


@pytest.fixture
def deals(fresh_workspace):  # type: ignore[no-untyped-def]
    fresh_workspace.publish(DEALS)
    add_user(fresh_workspace, "alice")
    return fresh_workspace


def problems(changes: dict[str, str | None]) -> list[str]:
    sources = {k: v for k, v in {**DEALS, **changes}.items() if v is not None}
    return [str(p) for p in load_sources(sources).problems]


def edited(old: str, new: str) -> dict[str, str | None]:
    text = DEALS["pipelines/deal_flow.yaml"]
    assert old in text
    return {"pipelines/deal_flow.yaml": text.replace(old, new)}


# -- definitions ---------------------------------------------------------------------------------------------

def test_the_definitions_are_clean_and_build_the_pipeline() -> None:
    result = load_sources(DEALS)
    assert [str(p) for p in result.problems] == []
    pipeline = result.definitions.pipelines["deal_flow"]
    assert [s.stage for s in pipeline.stages] == ["lead", "qualified", "proposal", "won", "lost"]
    assert pipeline.next_stages("lead") == ("qualified", "lost")
    assert pipeline.next_stages("lost") == ("lead", "qualified", "proposal", "won")  # `to` left out: any stage
    assert pipeline.next_stages("won") == ()
    assert result.definitions.pipeline_of("deal") is pipeline


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("form: deal", "form: deel", "/form: unknown form 'deel' (did you mean 'deal'?)"),
    ("field: stage", "field: stag", "/field: unknown field 'stag' in form 'deal' (did you mean 'stage'?)"),
    ("field: stage", "field: name", "/field: field 'name' is a text field; a pipeline needs a select field"),
    ("  - {stage: won, to: [], probability: 100}\n", "",
     "/stages: options of field 'stage' without a stage: won; list every option as a stage"),
    ("{stage: won,", "{stage: wonn,", "/stages/3/stage: 'wonn' is not an option of field 'stage' (did you mean 'won'?)"),
    ("to: [won, lost]", "to: [won, lots]", "/stages/2/to/1: unknown stage 'lots' (did you mean 'lost'?)"),
    ("require: [amount, close_on]", "require: [amount, close_at]",
     "/stages/2/require/1: unknown field 'close_at' in form 'deal' (did you mean 'close_on'?)"),
    ("require: [amount, close_on]", "require: [weighted]",
     "/stages/2/require/0: field 'weighted' is computed; a stage can only require fields people fill in"),
    ("probability_field: chance", "probability_field: weighted", "/probability_field: field 'weighted' is a money "
                                                                  "field; the probability needs one of: integer, "
                                                                  "number, percent"),
    ("probability: 60}", "probability: 160}", "/stages/2/probability: 160 is greater than the maximum of 100"),
    ("{stage: lead,", "{stage: lead, stal_days: 3,", "/stages/0/stal_days: unknown property 'stal_days' "
                                                     "(did you mean 'stall_days'?)"),
])
def test_pipeline_problems_name_file_line_and_pointer(old: str, new: str, expected: str) -> None:
    found = problems(edited(old, new))
    assert any(p.startswith("pipelines/deal_flow.yaml:") and p.endswith(expected) for p in found), found


def test_a_formula_probability_field_is_refused() -> None:
    form = DEALS["deals/forms/deal.yaml"].replace(
        "decimals: 0}", "decimals: 0, formula: \"SWITCH(stage, 'won', 100, 10)\"}")
    found = problems({"deals/forms/deal.yaml": form})
    assert any("/probability_field: field 'chance' is a formula" in p for p in found), found


def test_one_pipeline_per_form_and_field_and_the_file_is_named_after_the_id() -> None:
    twin = DEALS["pipelines/deal_flow.yaml"].replace("pipeline: deal_flow", "pipeline: deal_twin")
    found = problems({"pipelines/deal_twin.yaml": twin})
    assert any(p.startswith("pipelines/deal_twin.yaml:") and "already has the pipeline 'deal_flow'" in p
               for p in found), found
    found = problems({"pipelines/other_name.yaml": twin})
    assert "pipelines/other_name.yaml:1 /pipeline: pipeline 'deal_twin' must be in a file named deal_twin.yaml" in found


def test_the_crm_pipeline_is_clean() -> None:
    result = load_directory(CRM)
    assert [str(p) for p in result.problems] == []
    pipeline = result.definitions.pipelines["opportunity_stages"]
    assert (pipeline.form, pipeline.field) == ("opportunity", "stage")
    assert [s.probability for s in pipeline.stages] == [10, 30, 50, 70, 100, 0]
    open_stages = [s.stage for s in pipeline.stages if s.stage not in ("won", "lost")]
    assert all("lost" in pipeline.next_stages(s) for s in open_stages)


# -- transitions and requirements ----------------------------------------------------------------------------

def _codes(exc: RecordInvalid) -> dict[str, list[str]]:
    return {k: [e.code for e in v] for k, v in exc.errors.items()}


def test_moves_follow_the_allowed_transitions(deals) -> None:  # type: ignore[no-untyped-def]
    deal = deals.records.create(ME, "deal", {"name": "A"}, via="web")
    assert deal["stage"] == "lead" and str(deal["chance"]) == "10"
    with pytest.raises(RecordInvalid) as refused:
        deals.records.update(ME, "deal", deal.id, {"stage": "won"}, version=deal.version, via="web")
    assert _codes(refused.value) == {"stage": ["stage_not_allowed"]}
    message = refused.value.errors["stage"][0]
    assert message.message("en") == "Stage cannot move from 'Lead' to 'Won'; allowed: Qualified, Lost"
    assert message.message("zh") == "阶段不能从“线索”改为“赢单”,只能改为:已确认、输单"
    moved = deals.records.update(ME, "deal", deal.id, {"stage": "qualified"}, version=deal.version, via="web")
    assert moved["stage"] == "qualified" and str(moved["chance"]) == "40"
    back = deals.records.update(ME, "deal", deal.id, {"stage": "lead"}, version=moved.version, via="api")
    assert back["stage"] == "lead"
    # other fields change freely without a move
    renamed = deals.records.update(ME, "deal", deal.id, {"name": "A2"}, version=back.version, via="web")
    assert renamed["stage"] == "lead"


def test_entering_a_stage_needs_its_fields(deals) -> None:  # type: ignore[no-untyped-def]
    deal = deals.records.create(ME, "deal", {"name": "B", "stage": "qualified"}, via="web")
    with pytest.raises(RecordInvalid) as refused:
        deals.records.update(ME, "deal", deal.id, {"stage": "proposal", "amount": "100"}, version=deal.version,
                             via="web")
    assert _codes(refused.value) == {"close_on": ["stage_requires"]}
    assert refused.value.errors["close_on"][0].message("en") == "Close date is required to enter 'Proposal'"
    assert refused.value.errors["close_on"][0].message("zh") == "进入“报价”前须填写成交日期"
    moved = deals.records.update(ME, "deal", deal.id, {"stage": "proposal", "amount": "100", "close_on": "2024-04-01"},
                                 version=deal.version, via="web")
    assert str(moved["weighted"]) == "60.00"  # the formula saw the probability the move set
    won = deals.records.update(ME, "deal", deal.id, {"stage": "won"}, version=moved.version, via="web")
    with pytest.raises(RecordInvalid) as final:
        deals.records.update(ME, "deal", deal.id, {"stage": "lost", "lost_reason": "x"}, version=won.version)
    assert final.value.errors["stage"][0].message("en") == "Stage 'Won' is a final stage; it cannot move to 'Lost'"


def test_a_create_may_start_at_any_stage_whose_fields_are_there(deals) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecordInvalid) as refused:
        deals.records.create(ME, "deal", {"name": "C", "stage": "lost"}, via="web")
    assert _codes(refused.value) == {"lost_reason": ["stage_requires"]}
    lost = deals.records.create(ME, "deal", {"name": "C", "stage": "lost", "lost_reason": "price"}, via="web")
    assert str(lost["chance"]) == "0"
    with pytest.raises(RecordInvalid) as many:
        deals.records.create_many(ME, "deal", [{"name": "D"}, {"name": "E", "stage": "proposal"}])
    assert set(many.value.errors) == {"[1].amount", "[1].close_on"}


def test_system_and_sample_data_writes_are_not_checked_but_recorded(deals) -> None:  # type: ignore[no-untyped-def]
    deal = deals.records.create(SYSTEM, "deal", {"name": "F", "stage": "proposal"}, via="system")
    moved = deals.records.update(SYSTEM, "deal", deal.id, {"stage": "lead"}, version=deal.version, via="automation")
    sample = deals.records.create(Actor(user_id=1, system=True), "deal", {"name": "G", "stage": "won"},
                                  via="sample_data")
    assert moved["stage"] == "lead" and sample["stage"] == "won"
    with read_transaction(deals.engine) as conn:
        rows = conn.execute(sa.select(stage_periods.c.record_id, stage_periods.c.stage, stage_periods.c.left_at)
                            .order_by(stage_periods.c.id)).all()
    assert [(r, s, left is None) for r, s, left in rows] == [
        (deal.id, "proposal", False), (deal.id, "lead", True), (sample.id, "won", True)]


# -- periods, events and the report --------------------------------------------------------------------------

def test_periods_are_recorded_with_the_workspace_clock(deals, clock) -> None:  # type: ignore[no-untyped-def]
    start = clock.now
    deal = deals.records.create(ME, "deal", {"name": "H"}, via="web")
    clock.now = start + timedelta(hours=2)
    deal = deals.records.update(ME, "deal", deal.id, {"stage": "qualified"}, version=deal.version, via="web")
    clock.now = start + timedelta(days=1, hours=2)
    deal = deals.records.update(ME, "deal", deal.id, {"stage": "lead"}, version=deal.version, via="web")
    clock.now = start + timedelta(days=1, hours=3)
    deals.records.update(ME, "deal", deal.id, {"stage": "qualified"}, version=deal.version, via="web")
    with read_transaction(deals.engine) as conn:
        rows = conn.execute(sa.select(stage_periods).order_by(stage_periods.c.id)).mappings().all()
    assert [(r["stage"], r["seconds"], r["entered_by"]) for r in rows] == [
        ("lead", 7200, 1), ("qualified", 86400, 1), ("lead", 3600, 1), ("qualified", None, 1)]
    assert rows[0]["entered_at"] == start and rows[1]["left_at"] == start + timedelta(days=1, hours=2)
    clock.now = start + timedelta(days=1, hours=5)
    pipeline = deals.definitions.pipelines["deal_flow"]
    times = stage_times(deals.records, pipeline, deal.id, clock.now)
    assert times.seconds == {"lead": 10800, "qualified": 86400 + 7200}
    assert times.current == "qualified" and times.entered_at == start + timedelta(days=1, hours=3)


def test_each_move_emits_a_stage_changed_event_in_the_transaction(deals) -> None:  # type: ignore[no-untyped-def]
    deal = deals.records.create(ME, "deal", {"name": "I"}, via="web")
    deals.records.update(ME, "deal", deal.id, {"stage": "qualified"}, version=deal.version, via="api")
    with pytest.raises(RecordInvalid):
        deals.records.update(ME, "deal", deal.id, {"stage": "won"}, version=deal.version + 1, via="api")
    with read_transaction(deals.engine) as conn:
        events = [r.payload for r in conn.execute(sa.select(outbox.c.payload).where(
            outbox.c.topic == "workflow.stage_changed").order_by(outbox.c.id))]
    assert events == [
        {"form": "deal", "id": deal.id, "ids": [deal.id], "field": "stage", "pipeline": "deal_flow", "from": None,
         "to": "lead", "actor": 1, "via": "web"},
        {"form": "deal", "id": deal.id, "ids": [deal.id], "field": "stage", "pipeline": "deal_flow",
         "from": "lead", "to": "qualified", "actor": 1, "via": "api"},
    ]


def test_the_report_counts_averages_and_flags_stalled_records(deals, clock) -> None:  # type: ignore[no-untyped-def]
    start = clock.now
    a = deals.records.create(ME, "deal", {"name": "J"}, via="web")
    b = deals.records.create(ME, "deal", {"name": "K"}, via="web")
    c = deals.records.create(ME, "deal", {"name": "L"}, via="web")
    clock.now = start + timedelta(days=1)
    deals.records.update(ME, "deal", a.id, {"stage": "qualified"}, version=a.version, via="web")
    clock.now = start + timedelta(days=4)
    deals.records.update(ME, "deal", b.id, {"stage": "qualified"}, version=b.version, via="web")
    now = start + timedelta(days=9)
    pipeline = deals.definitions.pipelines["deal_flow"]
    report = stage_report(deals.records, ME, pipeline, now)
    by_stage = {s.stage: s for s in report.stages}
    assert report.total == 3 and (by_stage["lead"].count, by_stage["qualified"].count) == (1, 2)
    assert by_stage["lead"].left == 2 and by_stage["lead"].avg_days == pytest.approx(2.5)
    assert by_stage["lead"].median_days == pytest.approx(2.5)
    assert by_stage["qualified"].avg_days is None and by_stage["won"].count == 0
    assert [(s.record_id, s.stage, round(s.days)) for s in report.stalled] == [(c.id, "lead", 9), (a.id, "qualified", 8)]
    assert (by_stage["lead"].stalled, by_stage["qualified"].stalled) == (1, 1)
    deals.records.delete(ME, "deal", c.id)
    assert stage_report(deals.records, ME, pipeline, now).total == 2  # the recycle bin is left out


def test_the_report_counts_only_what_the_actor_may_read(deals) -> None:  # type: ignore[no-untyped-def]
    roles = dedent("""\
        roles:
          - id: rep
            label: Rep
            permissions:
              deal: {operations: [create, read, update], scope: own}
        """)
    deals.publish({"roles.yaml": roles})
    bob = add_user(deals, "bob", admin=False, roles=("rep",))
    carol = add_user(deals, "carol", admin=False)
    rep = Actor(user_id=bob, roles=frozenset({"rep"}))
    deals.records.create(ME, "deal", {"name": "Theirs"}, via="web")
    deals.records.create(rep, "deal", {"name": "Mine"}, via="web")
    pipeline = deals.definitions.pipelines["deal_flow"]
    assert stage_report(deals.records, rep, pipeline, deals.now()).total == 1
    with pytest.raises(PermissionDenied):
        stage_report(deals.records, Actor(user_id=carol), pipeline, deals.now())


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_crm_sample_data_installs_and_opens_a_period_per_opportunity(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    from engine.gallery.catalog import find
    from engine.gallery.install import install
    from engine.records.model import Query

    ws = fresh_workspace
    install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
    opportunities = ws.records.list(SYSTEM, "opportunity", Query(limit=500)).records
    with read_transaction(ws.engine) as conn:
        periods = conn.execute(sa.select(stage_periods.c.record_id, stage_periods.c.stage).where(
            stage_periods.c.form == "opportunity", stage_periods.c.left_at.is_(None))).all()
        events = conn.execute(sa.select(sa.func.count()).select_from(outbox).where(
            outbox.c.topic == "workflow.stage_changed")).scalar_one()
    assert sorted(periods) == sorted((r.id, r["stage"]) for r in opportunities)
    assert len({r["stage"] for r in opportunities}) == 6 and events == 0  # sample data sets nothing off
    pipeline = ws.definitions.pipelines["opportunity_stages"]
    report = stage_report(ws.records, SYSTEM, pipeline, ws.now())
    assert report.total == len(opportunities)
    rep = next(r for r in opportunities if r["stage"] == "qualify")
    owner = Actor(user_id=rep.owner_id, roles=frozenset({"sales_rep"}), department_id=rep.department_id)
    with pytest.raises(RecordInvalid) as refused:
        ws.records.update(owner, "opportunity", rep.id, {"stage": "won"}, version=rep.version, via="web")
    assert refused.value.errors["stage"][0].code == "stage_not_allowed"
