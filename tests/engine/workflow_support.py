"""Shared setup of the workflow tests: a contract form, roles, an organisation and the contract approval flow."""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent
from typing import Any

import sqlalchemy as sa

from engine.records.model import Actor, Record
from engine.storage.database import read_transaction, write_transaction
from engine.workflow.tables import wf_steps, wf_tasks
from tests.conftest import add_user

# a 1×1 PNG as the signature pad sends it
PNG_DOT = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwQACfsD/Z8fLAAAAAB"
           "JRU5ErkJggg==")

CONTRACT_FORM = """
form: contract
label: {zh: 合同, en: Contract}
title: title
fields:
  - {id: title, type: text, label: {zh: 标题, en: Title}, required: true}
  - {id: amount, type: money, label: {zh: 金额, en: Amount}}
  - {id: terms, type: textarea, label: {zh: 条款, en: Terms}}
  - {id: scan, type: text, label: {zh: 扫描件, en: Scan}}
  - {id: signed_date, type: date, label: {zh: 签订日期, en: Signed on}}
  - {id: status, type: select, label: {zh: 状态, en: Status}, options: [draft, pending, approved, rejected]}
  - {id: handler, type: user, label: {zh: 经办人, en: Handler}}
  - {id: note, type: text, label: {zh: 备注, en: Note}}
"""

ROLES = """
roles:
  - id: sales
    label: {zh: 销售, en: Sales}
    permissions:
      contract: {operations: [create, read, update, delete], scope: own}
  - id: finance
    label: {zh: 财务, en: Finance}
    permissions:
      contract: {operations: [read], scope: all, fields: {note: hidden}}
"""

CONTRACT_FLOW = """
workflow: contract_approval
label: {zh: 合同审批, en: Contract approval}
form: contract
nodes:
  - id: start
    type: start
    label: {zh: 提交, en: Submit}
    set: {status: pending}
    next: manager
  - id: manager
    type: approval
    label: {zh: 直属主管审批, en: Manager approval}
    assignees: [{manager: 1}]
    fields: {terms: read_only, scan: hidden, signed_date: editable}
    required: [signed_date]
    next: amount_check
  - id: amount_check
    type: condition
    label: {zh: 金额判断, en: Amount check}
    branches:
      - {when: "amount >= 100000", next: finance, label: {zh: 十万及以上, en: 100k and above}}
      - {default: true, next: end}
  - id: finance
    type: approval
    label: {zh: 财务审批, en: Finance}
    assignees: [{role: finance}]
    next: end
  - {id: end, type: end, label: {zh: 结束, en: End}, set: {status: approved}}
"""

# fill, cc, a parallel split and its join
FULL = """
workflow: contract_approval
label: Contract handling
form: contract
nodes:
  - {id: start, type: start, label: Submit, next: fill_in}
  - id: fill_in
    type: fill
    label: Handler completes
    assignees: [{field: handler}]
    fields: {note: editable}
    required: [note]
    next: inform
  - {id: inform, type: cc, label: Inform, assignees: [{users: [dora]}], next: split}
  - {id: split, type: parallel, label: Split, next: [legal, money]}
  - {id: legal, type: approval, label: Legal, assignees: [{users: [ceo]}], next: join}
  - {id: money, type: approval, label: Money, assignees: [{role: finance}], next: join}
  - {id: join, type: join, label: Join, next: end}
  - {id: end, type: end, label: End, set: {status: approved}}
"""


@dataclass
class Org:
    """The users of the workflow tests and their actors."""

    ids: dict[str, int]
    actors: dict[str, Actor]

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


def text(yaml: str) -> str:
    return dedent(yaml).strip() + "\n"


def setup(ws: Any, flow: str = CONTRACT_FLOW, *, extra: dict[str, str] | None = None) -> Org:
    """Publish the contract app, roles and a workflow; create the organisation."""
    from engine.org.users import create_department

    docs = {"biz/app.yaml": "app: biz\nlabel: {zh: 业务, en: Business}\nforms: [contract]\n",
            "biz/forms/contract.yaml": text(CONTRACT_FORM), "roles/biz.yaml": text(ROLES)}
    ws.publish(docs)
    ids: dict[str, int] = {"alice": add_user(ws, "alice")}
    with write_transaction(ws.engine) as conn:
        company = create_department(conn, "company", "Company")
        sales = create_department(conn, "sales", "Sales", parent_id=company)
    ids["ceo"] = add_user(ws, "ceo", admin=False, department_id=company)
    ids["boss"] = add_user(ws, "boss", admin=False, department_id=sales)
    ids["rep"] = add_user(ws, "rep", admin=False, roles=("sales",), department_id=sales)
    ids["fin1"] = add_user(ws, "fin1", admin=False, roles=("finance",), department_id=company)
    ids["fin2"] = add_user(ws, "fin2", admin=False, roles=("finance",), department_id=company)
    ids["dora"] = add_user(ws, "dora", admin=False, department_id=company)
    with write_transaction(ws.engine) as conn:
        from engine.storage.system import departments

        conn.execute(sa.update(departments).where(departments.c.id == company).values(head_user_id=ids["ceo"]))
        conn.execute(sa.update(departments).where(departments.c.id == sales).values(head_user_id=ids["boss"]))
    depts = {"alice": None, "ceo": company, "boss": sales, "rep": sales, "fin1": company, "fin2": company,
             "dora": company}
    roles = {"rep": {"sales"}, "fin1": {"finance"}, "fin2": {"finance"}}
    actors = {name: Actor(user_id=i, department_id=depts[name], roles=frozenset(roles.get(name, set())),
                          is_admin=name == "alice") for name, i in ids.items()}
    publish_flow(ws, flow, extra)
    return Org(ids, actors)


def publish_flow(ws: Any, flow: str, extra: dict[str, str] | None = None) -> None:
    body = text(flow)
    ident = body.split("\n", 1)[0].split(":", 1)[1].strip()
    ws.publish({f"workflows/{ident}.yaml": body, **(extra or {})})


def new_contract(ws: Any, org: Org, amount: str = "5000", **values: Any) -> Record:
    return ws.records.create(org["rep"], "contract", {"title": "Deal", "amount": amount, **values}, via="web")


def open_task(ws: Any, user_id: int, instance_id: int | None = None) -> int:
    """The user's one open task (of the instance)."""
    with read_transaction(ws.engine) as conn:
        clauses = [wf_tasks.c.user_id == user_id, wf_tasks.c.status == "open", wf_tasks.c.kind != "cc"]
        if instance_id is not None:
            clauses.append(wf_tasks.c.instance_id == instance_id)
        found = list(conn.execute(sa.select(wf_tasks.c.id).where(*clauses)).scalars())
    assert len(found) == 1, found
    return int(found[0])


def tasks(ws: Any, instance_id: int) -> list[dict[str, Any]]:
    with read_transaction(ws.engine) as conn:
        return [dict(r) for r in conn.execute(sa.select(wf_tasks).where(wf_tasks.c.instance_id == instance_id)
                                              .order_by(wf_tasks.c.id)).mappings()]


def step_actions(ws: Any, instance_id: int) -> list[str]:
    with read_transaction(ws.engine) as conn:
        return [str(a) for a in conn.execute(sa.select(wf_steps.c.action).where(
            wf_steps.c.instance_id == instance_id).order_by(wf_steps.c.id)).scalars()]


def events(ws: Any, topic_prefix: str = "workflow.") -> list[tuple[str, dict[str, Any]]]:
    from engine.storage.system import outbox

    with read_transaction(ws.engine) as conn:
        return [(str(t), dict(p)) for t, p in conn.execute(sa.select(outbox.c.topic, outbox.c.payload).where(
            outbox.c.topic.startswith(topic_prefix)).order_by(outbox.c.id))]
