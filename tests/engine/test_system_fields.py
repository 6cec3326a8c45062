"""Description text, location and system fields on a real workspace (SQLite and PostgreSQL): what is stored,
what nobody may write, where a workflow stands, and what an export shows."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.errors import RecordInvalid
from engine.records.export import start_export
from engine.records.model import Query
from engine.workflow.current import current_assignees, current_steps, flow_facts
from tests.engine.workflow_support import CONTRACT_FORM, open_task, setup, text

EXTRA_FIELDS = """
  - {id: guide, type: description, label: {zh: 填写说明, en: How to fill}, content: {zh: "<p>金额<b>含税</b></p>", en: "<p>Amount <b>with tax</b></p>"}}
  - {id: site, type: location, label: {zh: 签约地点, en: Signed at}}
  - {id: creator, type: created_by, label: {zh: 提交人, en: Created by}}
  - {id: created, type: created_at, label: {zh: 提交时间, en: Created at}}
  - {id: changer, type: updated_by, label: {zh: 修改人, en: Updated by}}
  - {id: changed, type: updated_at, label: {zh: 更新时间, en: Updated at}}
  - {id: step, type: flow_node, label: {zh: 当前节点, en: Step}}
  - {id: waiting, type: flow_assignees, label: {zh: 当前负责人, en: Waiting for}}
"""
FORM = text(CONTRACT_FORM).rstrip("\n") + EXTRA_FIELDS


@pytest.fixture
def org(fresh_workspace):  # type: ignore[no-untyped-def]
    return setup(fresh_workspace, extra={"biz/forms/contract.yaml": FORM})


def test_location_is_stored_and_system_fields_and_descriptions_are_not_written(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    record = ws.records.create(org["rep"], "contract", {"title": "Deal", "site": {"lat": "22.54", "lng": "113.95",
                                                                                   "address": "深圳湾"}}, fmt="form")
    stored = ws.records.get(org["alice"], "contract", record.id)
    assert stored["site"] == {"lat": 22.54, "lng": 113.95, "address": "深圳湾"}
    assert {"creator", "created", "step", "guide"}.isdisjoint(k for k, v in stored.values.items() if v is not None)
    with pytest.raises(RecordInvalid) as info:
        ws.records.update(org["rep"], "contract", record.id, {"creator": org.ids["alice"], "step": "end",
                                                             "guide": "<p>x</p>"}, version=record.version)
    assert set(info.value.errors) == {"creator", "step", "guide"}
    with pytest.raises(RecordInvalid) as info:
        ws.records.update(org["rep"], "contract", record.id, {"site": {"lat": 95, "lng": 10}}, version=record.version)
    assert [e.code for e in info.value.errors["site"]] == ["invalid_type"]


def test_where_a_workflow_stands(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    rec = ws.records.create(org["rep"], "contract", {"title": "Deal", "amount": "150000"}, via="web")
    with ws.reading() as conn:
        assert flow_facts(conn, ws.definitions, "contract", [(rec.id, None)]) == \
            {rec.id: {"flow_nodes": [], "flow_assignees": []}}
        assert current_assignees(conn, "contract", []) == {}
    ws.workflows.submit(org["rep"], "contract", rec.id)
    state = ws.records.get(org["alice"], "contract", rec.id).wf_state
    assert current_steps(ws.definitions, "contract", state) == [{"zh": "直属主管审批", "en": "Manager approval"}]
    with ws.reading() as conn:
        assert current_assignees(conn, "contract", [rec.id]) == {rec.id: [org.ids["boss"]]}
    ws.workflows.act(org["boss"], open_task(ws, org.ids["boss"]), "approve", values={"signed_date": "2024-03-15"})
    state = ws.records.get(org["alice"], "contract", rec.id).wf_state
    with ws.reading() as conn:
        facts = flow_facts(conn, ws.definitions, "contract", [(rec.id, state)])[rec.id]
    assert facts == {"flow_nodes": [{"zh": "财务审批", "en": "Finance"}],
                     "flow_assignees": [org.ids["fin1"], org.ids["fin2"]]}
    ws.workflows.act(org["fin1"], open_task(ws, org.ids["fin1"]), "approve")
    state = ws.records.get(org["alice"], "contract", rec.id).wf_state
    with ws.reading() as conn:
        facts = flow_facts(conn, ws.definitions, "contract", [(rec.id, state)])[rec.id]
    assert facts == {"flow_nodes": [{"zh": "已通过", "en": "Approved"}], "flow_assignees": []}


def test_an_export_shows_who_and_when_but_no_description(fresh_workspace, org) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    ws.records.create(org["rep"], "contract", {"title": "Deal", "site": {"lat": 1, "lng": 2}})
    export = start_export(ws.records, org["alice"], "contract", Query(), "en")
    headers = [c.header for c in export.columns]
    assert "How to fill" not in headers and {"Created by", "Created at", "Signed at"} <= set(headers)
    row = dict(zip(headers, next(export.rows)))
    assert row["Created by"] == "Rep"
    assert row["Created at"] == datetime(2024, 3, 15, 10, 30)  # the reader's zone, for a spreadsheet
    assert row["Signed at"] == "1.000000, 2.000000"
    assert row["Step"] is None and row["Waiting for"] is None  # an export reads no workflow

