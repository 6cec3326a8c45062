"""Administrators manage users and departments; every change is audited; mistakes get clear refusals."""

from __future__ import annotations

import pytest

from engine.audit import list_audit
from engine.errors import RecordInvalid
from engine.org.admin import (assign_roles, delete_department, reset_password, set_active, set_departments,
                              update_department)
from engine.org.signin import sign_in
from engine.org.users import create_department, user_by_id
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user


def codes(exc: RecordInvalid) -> list[str]:
    return [e.code for errs in exc.errors.values() for e in errs]


def test_disable_enable_and_reset_password(shop, clock) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    with write_transaction(shop.engine) as conn:
        set_active(conn, 1, bob, False, clock.now)
    with write_transaction(shop.engine) as conn:
        assert sign_in(conn, "bob", "correct horse 1", None, clock.now).refused == "wrong"
        set_active(conn, 1, bob, True, clock.now)
        new_password = reset_password(conn, 1, bob, clock.now)
    with write_transaction(shop.engine) as conn:
        assert sign_in(conn, "bob", "correct horse 1", None, clock.now).refused == "wrong"
        assert sign_in(conn, "bob", new_password, None, clock.now).user is not None
    with read_transaction(shop.engine) as conn:
        actions = [e["action"] for e in list_audit(conn)]
    assert actions[:4] == ["sign_in", "sign_in_failed", "password_reset", "user_enabled"]


def test_the_last_admin_and_oneself_cannot_be_disabled(shop, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecordInvalid) as own, write_transaction(shop.engine) as conn:
        set_active(conn, 1, 1, False, clock.now)
    assert codes(own.value) == ["cannot_disable_self"]
    with pytest.raises(RecordInvalid) as last, write_transaction(shop.engine) as conn:
        set_active(conn, None, 1, False, clock.now)
    assert codes(last.value) == ["last_admin"]


def test_roles_must_exist_and_changes_are_audited(shop, clock) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False)
    known = [r.id for r in shop.definitions.roles]
    with pytest.raises(RecordInvalid) as bad, write_transaction(shop.engine) as conn:
        assign_roles(conn, 1, bob, ["clerk", "wizard"], known, clock.now)
    assert codes(bad.value) == ["bad_option"]
    with write_transaction(shop.engine) as conn:
        assign_roles(conn, 1, bob, ["clerk"], known, clock.now)
    with read_transaction(shop.engine) as conn:
        assert user_by_id(conn, bob)["roles"] == ["clerk"]  # type: ignore[index]
        assert list_audit(conn)[0]["detail"] == {"before": [], "after": ["clerk"]}


def test_the_department_tree_stays_a_tree(shop, clock) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(shop.engine) as conn:
        top = create_department(conn, "top", "总部")
        mid = create_department(conn, "mid", "销售", parent_id=top)
        low = create_department(conn, "low", "华东", parent_id=mid)
    with pytest.raises(RecordInvalid) as cycle, write_transaction(shop.engine) as conn:
        update_department(conn, top, parent_id=low, move=True)
    assert codes(cycle.value) == ["department_cycle"]
    bob = add_user(shop, "bob", admin=False)
    with write_transaction(shop.engine) as conn:
        set_departments(conn, 1, bob, low, [mid], clock.now)
    with pytest.raises(RecordInvalid) as busy, write_transaction(shop.engine) as conn:
        delete_department(conn, low)
    assert codes(busy.value) == ["department_not_empty"]
    with write_transaction(shop.engine) as conn:
        set_departments(conn, 1, bob, None, [], clock.now)
        delete_department(conn, low)
        update_department(conn, mid, name={"zh": "销售中心", "en": "Sales"}, head_user_id=bob)
