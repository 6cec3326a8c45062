"""Creating users and shaping departments as the admin pages do: every problem at once, audited changes, and a
hand-over that disables the leaving user all together or not at all."""

from __future__ import annotations

import pytest

from engine.audit import AuditFilter, list_audit
from engine.errors import RecordInvalid
from engine.org.departments import add_department, change_department, department_tree, remove_department
from engine.org.profiles import Profile, add_user, set_admin, update_profile
from engine.org.users import NewUser, user_by_id
from engine.records.model import Actor
from engine.records.transfer import owned_counts, transfer_ownership
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user as add_test_user


def problems(exc: RecordInvalid) -> dict[str, list[str]]:
    return {key: [e.code for e in errs] for key, errs in exc.errors.items()}


def test_a_new_user_gets_every_problem_at_once(shop, clock) -> None:  # type: ignore[no-untyped-def]
    bad = NewUser("alice", " ", password="abcdefgh", email="x@", roles=("clerk", "ghost"), department_id=7,
                  language="fr")
    with pytest.raises(RecordInvalid) as refused, write_transaction(shop.engine) as conn:
        add_user(conn, 1, bad, [8], ["clerk"], clock.now)
    assert problems(refused.value) == {
        "username": ["not_unique"], "display_name": ["required"], "email": ["bad_format"], "language": ["bad_option"],
        "password": ["weak_password"], "department_id": ["bad_option"], "other_departments": ["bad_option"],
        "roles": ["bad_option"]}


def test_profile_and_admin_changes_are_audited_with_what_changed(shop, clock) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        bob = add_user(conn, 1, NewUser("bob", "Bob", password="correct horse 2"), [], [], clock.now, "10.0.0.1")
        update_profile(conn, 1, bob, Profile(" Bob Li ", "bob@example.com", "en"), clock.now)
        update_profile(conn, 1, bob, Profile("Bob Li", "bob@example.com", "en"), clock.now)  # nothing changed
        set_admin(conn, 1, bob, True, clock.now)
    with read_transaction(shop.engine) as conn:
        entries = list_audit(conn, AuditFilter(target="bob"))
        assert user_by_id(conn, bob)["display_name"] == "Bob Li"  # type: ignore[index]
    assert [e["action"] for e in entries] == ["roles_changed", "user_updated", "user_created"]
    assert entries[1]["detail"]["changes"]["display_name"] == ["Bob", "Bob Li"] and entries[2]["address"] == "10.0.0.1"
    with pytest.raises(RecordInvalid) as own, write_transaction(shop.engine) as conn:
        set_admin(conn, 1, 1, False, clock.now)
    assert problems(own.value) == {"is_admin": ["cannot_demote_self"]}


def test_departments_are_created_moved_and_deleted_without_cycles(shop, clock) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        top = add_department(conn, 1, {"zh": "总部"}, None, None, clock.now)
        sales = add_department(conn, 1, {"en": "Sales"}, top, 1, clock.now)
        east = add_department(conn, 1, {"zh": "华东", "en": "East"}, sales, None, clock.now)
        tree = department_tree(conn)
    assert [(d.id, d.depth) for d in tree] == [(top, 0), (sales, 1), (east, 2)]
    assert tree[0].name == {"zh": "总部", "en": "总部"} and tree[1].name == {"zh": "Sales", "en": "Sales"}
    with pytest.raises(RecordInvalid) as cycle, write_transaction(shop.engine) as conn:
        change_department(conn, 1, top, {"zh": "总部"}, east, None, clock.now)
    assert problems(cycle.value) == {"parent_id": ["department_cycle"]}
    with pytest.raises(RecordInvalid) as busy, write_transaction(shop.engine) as conn:
        remove_department(conn, 1, sales, clock.now)
    assert problems(busy.value) == {"department": ["department_not_empty"]}
    with write_transaction(shop.engine) as conn:
        change_department(conn, 1, east, {"zh": "华东", "en": "East"}, top, 1, clock.now)
        remove_department(conn, 1, sales, clock.now)
        assert [(d.id, d.depth, d.head_user_id) for d in department_tree(conn)] == [(top, 0, None), (east, 1, 1)]
        actions = [e["detail"] for e in list_audit(conn, AuditFilter(actions=("department_changed",)))]
    assert actions[0] == {"deleted": sales} and actions[1]["changes"]["parent"] == [sales, top]


def test_a_hand_over_that_cannot_disable_the_user_changes_nothing(shop, clock) -> None:  # type: ignore[no-untyped-def]
    taking = add_test_user(shop, "wang", admin=False)
    customer = shop.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": "甲"})
    admin = Actor(user_id=taking, is_admin=True)  # alice is the only active administrator: she cannot be disabled
    with pytest.raises(RecordInvalid) as refused:
        transfer_ownership(shop.engine, shop.records.runtimes, admin, 1, taking, clock.now, disable=True)
    assert problems(refused.value) == {"user": ["last_admin"]}
    with read_transaction(shop.engine) as conn:
        assert owned_counts(conn, shop.records.runtimes, 1) == {"customer": 1}
        assert not list_audit(conn, AuditFilter(actions=("transfer",)))
    assert shop.records.get(Actor(user_id=1, is_admin=True), "customer", customer.id).owner_id == 1
