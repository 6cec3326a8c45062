"""Roles resolved to access and scopes compiled to SQL: each scope reaches exactly its records (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.definitions.model import FormPermission, RoleDef
from engine.errors import FormulaError
from engine.org.users import NewUser, create_department, create_user
from engine.permissions.access import resolve
from engine.permissions.condition import check_condition
from engine.permissions.scope import scope_predicate
from engine.permissions.viewer import load_viewer
from engine.records.model import Actor, Query
from engine.storage.database import read_transaction, write_transaction


def perm(ops: str, scope: str = "own", condition: str | None = None, **fields: str) -> FormPermission:
    return FormPermission(operations=frozenset(ops.split()), scope=scope, condition=condition, fields=fields)


def role(role_id: str, **perms: FormPermission) -> RoleDef:
    return RoleDef(id=role_id, label=role_id, permissions=perms)


@pytest.fixture
def org(shop):  # type: ignore[no-untyped-def]
    """Sales (head office) over East and West; a rep in each, a manager in Sales; one customer per rep."""
    with write_transaction(shop.engine) as conn:
        sales = create_department(conn, "sales", "销售部")
        east = create_department(conn, "east", "华东", parent_id=sales)
        west = create_department(conn, "west", "华西", parent_id=sales)
        ids = {
            "east_rep": create_user(conn, NewUser("east_rep", "East", department_id=east,
                                                  attributes={"region": "华东"}), shop.now()),
            "west_rep": create_user(conn, NewUser("west_rep", "West", department_id=west,
                                                  attributes={"region": "华西"}), shop.now()),
            "manager": create_user(conn, NewUser("manager", "Boss", department_id=sales), shop.now()),
        }
    for name, grade in (("east_rep", "A"), ("west_rep", "B"), ("manager", "C")):
        actor = Actor(user_id=ids[name], department_id={"east_rep": east, "west_rep": west, "manager": sales}[name],
                      system=True)
        shop.records.create(actor, "customer", {"name": f"{name}的客户", "grade": grade})
    return shop, ids


def reached(ws, user_id: int, roles: list[RoleDef], operation: str = "read") -> list[str]:  # type: ignore[no-untyped-def]
    rt = ws.records.runtime("customer")
    ctx = ws.records.filter_context(Actor(user_id=user_id))
    with read_transaction(ws.engine) as conn:
        viewer = load_viewer(conn, user_id)
        assert viewer is not None
        access = resolve(roles, [r.id for r in roles], "customer")
        where = scope_predicate(access, operation, rt.form, rt.main, viewer, ctx)
        return sorted(conn.execute(sa.select(rt.main.c.name).where(where)).scalars())


@pytest.mark.parametrize(("scope", "user", "expected"), [
    ("own", "east_rep", ["east_rep的客户"]),
    ("department", "east_rep", ["east_rep的客户"]),
    ("department", "manager", ["manager的客户"]),
    ("department_tree", "manager", ["east_rep的客户", "manager的客户", "west_rep的客户"]),
    ("department_tree", "west_rep", ["west_rep的客户"]),
    ("all", "west_rep", ["east_rep的客户", "manager的客户", "west_rep的客户"]),
])
def test_each_scope_reaches_exactly_its_records(org, scope: str, user: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    ws, ids = org
    assert reached(ws, ids[user], [role("r", customer=perm("read", scope))]) == expected


def test_a_condition_scope_uses_the_viewers_attributes(org) -> None:  # type: ignore[no-untyped-def]
    ws, ids = org
    by_grade = role("r", customer=perm("read", "condition", "OR(grade = 'A', owner = $me)"))
    assert reached(ws, ids["west_rep"], [by_grade]) == ["east_rep的客户", "west_rep的客户"]
    not_c = role("r", customer=perm("read", "condition", "AND(NOT(grade = 'C'), NOT(ISEMPTY(grade)))"))
    assert reached(ws, ids["manager"], [not_c]) == ["east_rep的客户", "west_rep的客户"]


def test_rights_add_up_across_roles(org) -> None:  # type: ignore[no-untyped-def]
    ws, ids = org
    own = role("a", customer=perm("read update", "own", notes="hidden", grade="read_only"))
    dept = role("b", customer=perm("read", "department_tree", notes="hidden"))
    assert reached(ws, ids["east_rep"], [own, dept]) == ["east_rep的客户"]
    assert reached(ws, ids["manager"], [own, dept]) == ["east_rep的客户", "manager的客户", "west_rep的客户"]
    assert reached(ws, ids["manager"], [own, dept], "update") == ["manager的客户"]
    access = resolve([own, dept], ["a", "b"], "customer")
    assert not access.visible("notes") and not access.writable("grade") and access.writable("email")
    shows_notes = role("c", customer=perm("read"))
    assert resolve([own, shows_notes], ["a", "c"], "customer").visible("notes")


def test_no_grant_reaches_nothing(org) -> None:  # type: ignore[no-untyped-def]
    ws, ids = org
    assert reached(ws, ids["manager"], [role("r", order=perm("read", "all"))]) == []
    assert reached(ws, ids["manager"], [role("r", customer=perm("create", "all"))]) == []


@pytest.mark.parametrize(("condition", "message"), [
    ("LEN(name) > 3", "LEN() cannot be used in a scope condition"),
    ("grade = email", "compare one field of the form with a value"),
    ("nope = 1", "'nope' is not a stored field of form 'customer'"),
    ("grade", "'grade' is not a yes/no field"),
    ("grade = UPPER('a')", "the other side of a comparison must be a value"),
])
def test_conditions_sql_cannot_answer_are_refused(shop, condition: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FormulaError) as caught:
        check_condition(condition, shop.definitions.form("customer"))
    assert message in str(caught.value)


ROLES = """roles:
  - id: rep
    label: Rep
    permissions:
      customer: {operations: [create, read, update], scope: own, fields: {notes: hidden, grade: read_only}}
  - id: lead
    label: Lead
    permissions:
      customer: {operations: [read], scope: department_tree, fields: {notes: hidden}}
"""


@pytest.fixture
def guarded(org):  # type: ignore[no-untyped-def]
    ws, ids = org
    ws.publish({"shop/roles.yaml": ROLES})
    with write_transaction(ws.engine) as conn:
        from engine.org.users import set_roles

        set_roles(conn, ids["east_rep"], ["rep"])
        set_roles(conn, ids["manager"], ["rep", "lead"])
    rep = Actor(user_id=ids["east_rep"], roles=frozenset({"rep"}))
    manager = Actor(user_id=ids["manager"], roles=frozenset({"rep", "lead"}))
    others = {r.values["name"]: r.id for r in ws.records.list(Actor.system_actor(), "customer").records}
    return ws, rep, manager, others


def test_the_record_service_narrows_every_read(guarded) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import NotFound, PermissionDenied

    ws, rep, manager, ids = guarded
    ws.records.update(Actor.system_actor(), "customer", ids["east_rep的客户"], {"notes": "secret plan"}, version=1)
    page = ws.records.list(rep, "customer", Query(with_total=True))
    assert [r.values["name"] for r in page.records] == ["east_rep的客户"] and page.total == 1
    assert "notes" not in page.records[0].values
    with pytest.raises(NotFound):
        ws.records.get(rep, "customer", ids["west_rep的客户"])
    with pytest.raises(NotFound):
        ws.records.history(rep, "customer", ids["west_rep的客户"])
    assert all("notes" not in (e["changes"] or {}) for e in ws.records.history(rep, "customer", ids["east_rep的客户"]))
    assert len(ws.records.list(manager, "customer").records) == 3
    with pytest.raises(PermissionDenied):  # the manager reads the tree but updates only their own
        ws.records.update(manager, "customer", ids["west_rep的客户"], {"email": "x@example.com"}, version=1)
    with pytest.raises(NotFound):
        ws.records.update(rep, "customer", ids["west_rep的客户"], {"email": "x@example.com"}, version=1)
    with pytest.raises(PermissionDenied):
        ws.records.list(rep, "order")


def test_hidden_fields_cannot_be_probed_or_written(guarded) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import QueryInvalid, RecordInvalid
    from engine.records.model import Filter

    ws, rep, _, ids = guarded
    ws.records.update(Actor.system_actor(), "customer", ids["east_rep的客户"], {"notes": "secret plan"}, version=1)
    with pytest.raises(QueryInvalid):
        ws.records.list(rep, "customer", Query(filters=(Filter("notes", "contains", "secret"),)))
    with pytest.raises(QueryInvalid):
        ws.records.list(rep, "customer", Query(sort=(("notes", False),)))
    assert ws.records.list(rep, "customer", Query(search="secret")).records == []
    with pytest.raises(RecordInvalid) as caught:
        ws.records.update(rep, "customer", ids["east_rep的客户"], {"notes": "mine", "grade": "A"}, version=2)
    assert caught.value.errors["notes"][0].code == "unknown_field"
    assert caught.value.errors["grade"][0].code == "read_only_for_you"
    created = ws.records.create(rep, "customer", {"name": "新客户"})
    assert created.values["grade"] == "B" and "notes" not in created.values  # defaults still apply
    assert ws.records.get(Actor.system_actor(), "customer", ids["east_rep的客户"]).values["notes"] == "secret plan"


def test_a_leaving_users_records_are_handed_over_with_history(org) -> None:  # type: ignore[no-untyped-def]
    from engine.audit import list_audit
    from engine.errors import PermissionDenied
    from engine.records.transfer import transfer_ownership

    ws, ids = org
    leaving, taking = ids["east_rep"], ids["west_rep"]
    order = ws.records.create(Actor(user_id=leaving, system=True), "order",
                              {"customer": ws.records.list(Actor.system_actor(), "customer").records[0].id})
    with pytest.raises(PermissionDenied):
        transfer_ownership(ws.engine, ws.records.runtimes, Actor(user_id=leaving), leaving, taking, ws.now())
    admin = Actor(user_id=1, is_admin=True)
    moved = transfer_ownership(ws.engine, ws.records.runtimes, admin, leaving, taking, ws.now())
    assert moved == {"customer": 1, "order": 1}
    got = ws.records.get(admin, "order", order.id)
    assert got.owner_id == taking and got.version == order.version + 1
    customer = ws.records.list(admin, "customer", Query(search="east_rep")).records[0]
    assert customer.values["owner"] == taking and customer.owner_id == taking
    entry = ws.records.history(admin, "customer", customer.id)[0]
    assert entry["via"] == "transfer" and entry["changes"] == {"owner": [leaving, taking]}
    with read_transaction(ws.engine) as conn:
        audit = list_audit(conn)
    assert audit[0]["action"] == "transfer" and audit[0]["detail"]["records"] == {"customer": 1, "order": 1}


def test_the_owner_field_decides_who_owns_a_record(org) -> None:  # type: ignore[no-untyped-def]
    ws, ids = org
    admin = Actor(user_id=1, is_admin=True)
    record = ws.records.create(admin, "customer", {"name": "指派客户", "owner": ids["west_rep"]})
    assert record.owner_id == ids["west_rep"]
    moved = ws.records.update(admin, "customer", record.id, {"owner": ids["manager"]}, version=1)
    assert moved.owner_id == ids["manager"]
    with read_transaction(ws.engine) as conn:
        viewer = load_viewer(conn, ids["manager"])
    assert viewer is not None and moved.department_id in viewer.departments


def test_publishing_a_condition_sql_cannot_answer_is_refused_with_its_line(shop) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import DefinitionError

    bad = ROLES.replace("scope: own, fields: {notes: hidden, grade: read_only}",
                        "scope: {condition: \"LEN(name) > 3\"}")
    with pytest.raises(DefinitionError) as caught:
        shop.publish({"shop/roles.yaml": bad})
    assert "shop/roles.yaml:5 /roles/0/permissions/customer/scope/condition: scope condition 'LEN(name) > 3': " \
           "LEN() cannot be used in a scope condition" in str(caught.value)
    shop.publish({"shop/roles.yaml": bad.replace("LEN(name) > 3", "grade = 'A'")})


def test_a_lookup_of_a_hidden_field_is_hidden_too(shop) -> None:  # type: ignore[no-untyped-def]
    roles = """roles:
  - id: seller
    label: Seller
    permissions:
      order: {operations: [create, read], scope: all}
      customer: {operations: [read], scope: all, fields: {grade: hidden}}
  - id: packer
    label: Packer
    permissions:
      order: {operations: [read], scope: all}
"""
    shop.publish({"shop/roles.yaml": roles})
    admin = Actor(user_id=1, is_admin=True)
    customer = shop.records.create(admin, "customer", {"name": "等级保密", "grade": "A"})
    order = shop.records.create(admin, "order", {"customer": customer.id})
    assert shop.records.get(admin, "order", order.id).values["grade"] == "A"
    for role in ("seller", "packer"):  # the grade is hidden on customer, or customer cannot be read at all
        seen = shop.records.get(Actor(user_id=1, roles=frozenset({role})), "order", order.id)
        assert "grade" not in seen.values and seen.values["customer"] == customer.id


def test_rollups_are_facts_of_the_record_whoever_reads_them(org) -> None:  # type: ignore[no-untyped-def]
    """A rollup counts every related record, as the stored formulas built on it do (issue 11: a narrowed total beside
    a formula over the full one showed paid 0 beside the whole amount outstanding)."""
    ws, ids = org
    ws.publish({"shop/roles.yaml": """roles:
  - id: rep
    label: Rep
    permissions:
      customer: {operations: [read], scope: all}
      order: {operations: [read], scope: own}
"""})
    customer = ws.records.list(Actor.system_actor(), "customer").records[0]
    for owner in ("east_rep", "west_rep", "west_rep"):
        ws.records.create(Actor(user_id=ids[owner], system=True), "order", {"customer": customer.id})
    admin_view = ws.records.get(Actor(user_id=1, is_admin=True), "customer", customer.id)
    assert admin_view.values["order_count"] == 3
    east = ws.records.get(Actor(user_id=ids["east_rep"], roles=frozenset({"rep"})), "customer", customer.id)
    assert east.values["order_count"] == 3
    nobody = Actor(user_id=ids["manager"], roles=frozenset({"rep"}))
    assert ws.records.get(nobody, "customer", customer.id).values["order_count"] == 3


@pytest.mark.parametrize("hides", [
    "order: {operations: [read], scope: all, fields: {paid: hidden}}\n      payment: {operations: [read], scope: all}",
    "order: {operations: [read], scope: all}\n      payment: {operations: [read], scope: all, fields: {amount: hidden}}",
])
def test_a_viewer_who_may_not_see_a_rollup_sees_no_formula_built_on_it(shop, hides: str) -> None:  # type: ignore[no-untyped-def]
    shop.publish({"shop/roles.yaml": f"""roles:
  - id: packer
    label: Packer
    permissions:
      {hides}
      customer: {{operations: [read], scope: all}}
"""})
    admin = Actor(user_id=1, is_admin=True)
    customer = shop.records.create(admin, "customer", {"name": "回款保密"})
    order = shop.records.create(admin, "order", {"customer": customer.id})
    shop.records.create(admin, "payment", {"order": order.id, "amount": "30.00"})
    packer = Actor(user_id=1, roles=frozenset({"packer"}))
    seen = shop.records.get(packer, "order", order.id).values
    assert "paid" not in seen and "outstanding" not in seen  # net − paid would give the total away
    assert "net" in seen and seen["label"]
    assert {"paid", "outstanding"} <= shop.records.guard(packer, "order").access.hidden
    assert shop.records.get(admin, "order", order.id).values["outstanding"] == -30
