"""The CRM's flows on the sample users: contract approval (manager, then finance from 100,000) and ticket handling
(auto-started when an agent logs a ticket, assigned, handled, confirmed, closed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from engine.org.users import user_by_id
from engine.records.model import Actor
from engine.storage.database import read_transaction
from engine.storage.system import users
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)


def person(ws: Any, username: str) -> Actor:
    with read_transaction(ws.engine) as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar_one()
        user = user_by_id(conn, int(uid))
    assert user is not None
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"),
                 roles=frozenset(user.get("roles", [])), is_admin=bool(user.get("is_admin")))


def todo(ws: Any, actor: Actor) -> list[Any]:
    return list(ws.workflows.inbox(actor, "todo").items)


def a_client(ws: Any, actor: Actor) -> int:
    page = ws.records.list(actor, "client")
    return int(page.records[0].id)


def new_contract(ws: Any, rep: Actor, amount: str) -> int:
    return int(ws.records.create(rep, "contract", {
        "name": f"合同 {amount}", "client": a_client(ws, rep), "amount": amount}, via="web").id)


def test_a_small_contract_needs_only_the_reps_manager(crm) -> None:  # type: ignore[no-untyped-def]
    lina, zhangwei, zhoumin = person(crm, "lina"), person(crm, "zhangwei"), person(crm, "zhoumin")
    contract = new_contract(crm, lina, "99999.99")
    crm.workflows.submit(lina, "contract", contract)
    assert crm.records.get(lina, "contract", contract).values["status"] == "pending"
    [task] = [t for t in todo(crm, zhangwei) if t.record_id == contract]
    crm.workflows.act(zhangwei, task.task_id, "approve", comment="同意")
    assert not [t for t in todo(crm, zhoumin) if t.record_id == contract]
    record = crm.records.get(lina, "contract", contract)
    assert record.values["status"] == "approved" and record.wf_state == "approved"


def test_a_contract_from_100000_goes_on_to_finance(crm) -> None:  # type: ignore[no-untyped-def]
    lina, zhangwei, zhoumin = person(crm, "lina"), person(crm, "zhangwei"), person(crm, "zhoumin")
    contract = new_contract(crm, lina, "100000")
    crm.workflows.submit(lina, "contract", contract)
    [task] = [t for t in todo(crm, zhangwei) if t.record_id == contract]
    crm.workflows.act(zhangwei, task.task_id, "approve")
    assert crm.records.get(lina, "contract", contract).wf_state.startswith("running:finance")
    [task] = [t for t in todo(crm, zhoumin) if t.record_id == contract]
    crm.workflows.act(zhoumin, task.task_id, "approve", comment="财务已核")
    assert crm.records.get(lina, "contract", contract).values["status"] == "approved"
    actions = [(s.node, s.action) for s in crm.workflows.steps("contract", contract)]
    assert ("manager", "approved") in actions and ("finance", "approved") in actions


def test_a_ticket_logged_by_an_agent_is_assigned_handled_confirmed_and_closed(crm) -> None:  # type: ignore[no-untyped-def]
    wuting, liuyang = person(crm, "wuting"), person(crm, "liuyang")
    client = a_client(crm, liuyang)
    ticket = int(crm.records.create(wuting, "ticket", {
        "title": "打印机无法连接", "client": client, "type": "fault", "urgency": "high",
        "description": "客户电话报修"}, via="web").id)
    assert crm.records.get(wuting, "ticket", ticket).values["reporter"] == wuting.user_id  # she sees what she logged
    crm.jobs.drain()  # auto_start: the outbox starts the flow as the agent who logged it
    [assign] = [t for t in todo(crm, liuyang) if t.record_id == ticket]
    assert assign.node == "assign"
    crm.workflows.act(liuyang, assign.task_id, "approve", values={"assignee": str(wuting.user_id)})
    [handle] = [t for t in todo(crm, wuting) if t.record_id == ticket and t.node == "handle"]
    crm.workflows.act(wuting, handle.task_id, "approve", values={
        "resolution": "重新配置了网络", "resolved_time": "2024-03-15T12:00"})
    [confirm] = [t for t in todo(crm, wuting) if t.record_id == ticket and t.node == "confirm"]
    crm.workflows.act(wuting, confirm.task_id, "approve", values={"satisfaction": "5"})
    record = crm.records.get(liuyang, "ticket", ticket)
    assert record.values["status"] == "closed" and record.wf_state == "approved"
    assert record.values["satisfaction"] == 5 or record.values["satisfaction"] == Decimal(5)
