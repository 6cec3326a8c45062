"""The publish plan suggests an index for a field a big form's board, reports, scopes or saved views use while
nothing indexes it (zh and en), and stops once the field says `index: true` — which schema sync then creates."""

from __future__ import annotations

import pytest

from engine.definitions import index_advice
from engine.records.model import Actor

ADMIN = Actor(user_id=1, is_admin=True)
APP = "app: crm\nlabel: CRM\nforms: [deal]\n"
DEAL = """form: deal
label: {{zh: 交易, en: Deal}}
fields:
  - {{id: name, type: text, label: {{zh: 名称, en: Name}}}}
  - {{id: stage, type: select, label: {{zh: 阶段, en: Stage}}, options: [new, won]{stage}}}
  - {{id: region, type: text, label: {{zh: 区域, en: Region}}}}
  - {{id: amount, type: money, label: {{zh: 金额, en: Amount}}}}
  - {{id: note, type: text, label: {{zh: 备注, en: Note}}}}
  - {{id: client, type: relation, to: deal, label: {{zh: 关联, en: Linked}}}}
"""
REPORT = """report: by_region
label: By region
form: deal
dimensions: [{id: region, field: region}]
measures: [{id: amount, aggregate: sum, field: amount}]
"""
ROLES = """roles:
  - id: big
    label: Big deals
    permissions:
      deal: {operations: [read], scope: {condition: "amount > 1000"}}
"""


@pytest.fixture
def crm(fresh_workspace, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from tests.conftest import add_user

    ws = fresh_workspace
    add_user(ws, "admin")
    monkeypatch.setattr(index_advice, "ADVISE_ROWS", 3)
    ws.publish({"crm/app.yaml": APP, "crm/forms/deal.yaml": DEAL.format(stage=""), "crm/reports/by_region.yaml": REPORT,
                "roles.yaml": ROLES})
    return ws


def suggested(ws, stage: str = "") -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    plan = ws.publish_plan({"crm/forms/deal.yaml": DEAL.format(stage=stage)})
    return {i.field: dict(i.message) for i in plan.impacts if i.kind == "index_suggested"}


def test_a_small_form_gets_no_advice(crm) -> None:  # type: ignore[no-untyped-def]
    crm.records.create(ADMIN, "deal", {"name": "a"})
    assert suggested(crm) == {}


def test_fields_a_big_form_uses_unindexed_are_suggested_until_indexed(crm) -> None:  # type: ignore[no-untyped-def]
    from engine.records.saved_views import save_view

    crm.records.create_many(ADMIN, "deal", [{"name": f"d{i}", "stage": "new", "amount": i} for i in range(4)])
    with crm.engine.begin() as conn:
        save_view(conn, 1, "deal", "mine", {"f": ["note:contains:x"], "sort": "name"}, crm.now())
    found = suggested(crm)
    # stage groups the board, region is a report dimension, amount is in a scope condition, note and name are in a
    # saved view; the relation is indexed already.
    assert sorted(found) == ["amount", "name", "note", "region", "stage"]
    assert "看板分组" in found["stage"]["zh"] and "kanban grouping" in found["stage"]["en"]
    assert "报表维度" in found["region"]["zh"] and "report dimensions" in found["region"]["en"]
    assert "数据权限条件" in found["amount"]["zh"] and "data scope conditions" in found["amount"]["en"]
    assert "index: true" in found["note"]["zh"] and "Index suggested: Note" in found["note"]["en"]
    result = crm.publish({"crm/forms/deal.yaml": DEAL.format(stage=", index: true")})
    assert any(s.action == "add_index" and s.name.endswith("_stage") for s in result.plan.changes)
    assert "stage" not in suggested(crm, ", index: true")
