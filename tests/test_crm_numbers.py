"""The CRM's numbers are right from the first save and for every reader: a new client's health score reads its
rollups (computed before the formulas that read them), and a contract's paid total is the same fact for every role
that may read the contract, so `paid` and `outstanding = amount - paid` always agree — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from starlette.testclient import TestClient

from engine.fields.registry import field_type
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.org.users import user_id_by_name
from engine.records.model import Actor, Query
from engine.storage.database import read_transaction
from engine.storage.system import users
from tests.conftest import add_user
from tests.crm_sample import crm_sample
from web.app import create_app

SYSTEM = Actor.system_actor()
SAMPLE = crm_sample()


def _install(ws: Any, sample_data: bool) -> None:
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=sample_data)


def test_a_new_client_has_the_health_its_own_inputs_give(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    _install(ws, sample_data=False)
    rep = Actor(user_id=add_user(ws, "rep", admin=False, roles=("sales_rep",)), roles=frozenset({"sales_rep"}))
    created = ws.records.create(rep, "client", {"name": "新客户有限公司", "industry": "MANU"})
    # no follow-ups, contracts or complaints yet: 40 + 0 × 5 + 0 − 0 × 15
    assert (created.values["health_score"], created.values["health_flag"]) == (40, True)
    stored = ws.records.get(rep, "client", created.id)
    assert (stored.values["health_score"], stored.values["health_flag"]) == (40, True)
    assert stored.values["follow_up_count"] == 0 and stored.values["contract_total"] == 0

    ws.records.create(rep, "follow_up", {"client": created.id, "summary": "首次电话", "content": "电话沟通需求"})
    after = ws.records.get(rep, "client", created.id)  # the follow-up recomputes the client's stored formulas
    assert (after.values["follow_up_count"], after.values["health_score"]) == (1, 45)


def test_a_preview_of_a_new_client_shows_the_same_health(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    _install(ws, sample_data=False)
    preview = ws.records.preview(SYSTEM, "client", {"name": "预览客户", "industry": "MANU"}, fmt="json")
    assert (preview.values["health_score"], preview.values["health_flag"]) == (40, True)


def _user_ids(ws: Any) -> dict[str, int]:
    with read_transaction(ws.engine) as conn:
        return {str(name): int(i) for i, name in conn.execute(users.select().with_only_columns(
            users.c.id, users.c.username))}


def _department_of(ws: Any, user_id: int) -> int | None:
    with read_transaction(ws.engine) as conn:
        return conn.execute(users.select().with_only_columns(users.c.department_id)
                            .where(users.c.id == user_id)).scalar()


def _readers(ws: Any) -> list[tuple[str, Actor]]:
    """One actor per CRM role (a sample user who holds it, in that user's department) and every sample user with
    all their roles."""
    ids = _user_ids(ws)
    holders: dict[str, str] = {}
    for user in SAMPLE["users"]:
        for role in user["roles"]:
            holders.setdefault(role, user["username"])
    readers = []
    for role in ws.definitions.roles:
        username = holders.get(role.id, "zhaolei")
        uid = ids[username]
        readers.append((f"role {role.id}", Actor(uid, _department_of(ws, uid), frozenset({role.id}))))
    for user in SAMPLE["users"]:
        uid = ids[user["username"]]
        readers.append((user["username"], Actor(uid, _department_of(ws, uid), frozenset(user["roles"]))))
    return readers


def test_paid_and_outstanding_agree_for_every_role(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    _install(ws, sample_data=True)
    truth = {r.id: r.values for r in ws.records.list(SYSTEM, "contract", Query(limit=500)).records}
    paid_contracts = {i for i, v in truth.items() if v["paid"]}
    assert paid_contracts, "the sample data has contracts with confirmed payments"
    for values in truth.values():
        assert values["outstanding"] == values["amount"] - values["paid"], values

    narrower_than_payments = []
    readers = 0
    for name, actor in _readers(ws):
        guard = ws.records.guard(actor, "contract")
        if not guard.access.can("read"):
            continue
        readers += 1
        seen = ws.records.list(actor, "contract", Query(limit=500)).records
        for record in seen:
            values, facts = record.values, truth[record.id]
            if "paid" not in values:  # a viewer who may not see the total sees nothing computed from it either
                assert "outstanding" not in values and "paid_ratio" not in values, name
                continue
            assert values["paid"] == facts["paid"], (name, record.id, values["paid"], facts["paid"])
            assert values["outstanding"] == facts["outstanding"] == values["amount"] - values["paid"], name
            assert ws.records.get(actor, "contract", record.id).values["paid"] == facts["paid"], name
        payments = ws.records.guard(actor, "payment")
        if seen and not (payments.access.can("read") and payments.access.reaches_all("read")):
            if any(record.id in paid_contracts for record in seen):
                narrower_than_payments.append(name)
    assert readers >= 6
    # the case of the report: a sales manager reads contracts whose payments finance entered outside their tree
    assert "role sales_manager" in narrower_than_payments and "wangfang" in narrower_than_payments


def test_the_api_and_record_page_show_the_true_paid_total(fresh_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    _install(ws, sample_data=True)
    truth = {r.id: r.values for r in ws.records.list(SYSTEM, "contract", Query(limit=500)).records}
    with read_transaction(ws.engine) as conn:
        manager = user_id_by_name(conn, "wangfang")
    actor = Actor(manager, _department_of(ws, manager), frozenset({"sales_manager"}))
    theirs = [r for r in ws.records.list(actor, "contract", Query(limit=500)).records if truth[r.id]["paid"]]
    assert theirs
    amount = ws.definitions.form("payment").field("amount")  # the paid total reads as the money it sums
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": "wangfang", "password": SAMPLE["password"], "next": "/",
                                    "csrf_token": token}, follow_redirects=False)
        for record in theirs:
            got = client.get(f"/api/v1/contract/{record.id}").json()["values"]
            assert Decimal(str(got["paid"])) == truth[record.id]["paid"]
            assert Decimal(str(got["outstanding"])) == truth[record.id]["amount"] - truth[record.id]["paid"]
            page = client.get(f"/apps/contract/contract/{record.id}").text
            shown = field_type(amount.type).format(amount, truth[record.id]["paid"])
            assert shown in page, (record.id, shown)
        client_id = ws.records.list(actor, "client", Query(limit=1)).records[0].id
        for lang, words, yes_no in (("en", "Needs attention", ("Yes", "No")), ("zh", "需重点关注", ("是", "否"))):
            client.get(f"/lang/{lang}", follow_redirects=False)
            page = client.get(f"/apps/client/client/{client_id}").text
            cell = page.split('data-field="health_flag"', 1)[1].split('data-field="', 1)[0]
            value = re.search(r'class="field-value">([^<]*)<', cell).group(1)  # type: ignore[union-attr]
            assert words in cell and value in yes_no, (lang, cell)
            assert lang == "zh" or "需重点关注" not in page  # no Chinese value for an English reader
