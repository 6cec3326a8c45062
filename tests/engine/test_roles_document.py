"""Edits of the roles document as data: one cell changes, everything else stays as it was."""

from __future__ import annotations

import pytest
import yaml

from engine.permissions.document import (
    Grant, RolesEditError, add_role, dump, path_of_role, remove_role, role_grant, roles_paths, set_grant,
)

ROLES = """\
roles:
  - id: clerk
    label: {zh: 店员, en: Clerk}
    permissions:
      order: {operations: [create, read, update], scope: own, fields: {discount: read_only}}
      customer: {operations: [read], scope: all, fields: {email: hidden}}
  - id: boss
    label: 老板
    description: {zh: 看全部, en: Sees everything}
    permissions:
      order: {operations: [read], scope: {condition: "region = $me.region"}}
"""


def test_reading_a_grant() -> None:
    assert role_grant(ROLES, "clerk", "order") == Grant(("create", "read", "update"), "own", None,
                                                        {"discount": "read_only"})
    assert role_grant(ROLES, "boss", "order") == Grant(("read",), "condition", "region = $me.region", {})
    assert role_grant(ROLES, "boss", "customer") is None
    with pytest.raises(RolesEditError) as info:
        role_grant(ROLES, "nobody", "order")
    assert info.value.code == "unknown_role"


def test_setting_a_grant_keeps_every_other_role_and_form() -> None:
    before = yaml.safe_load(ROLES)
    text = set_grant(ROLES, "clerk", "product", Grant(("read", "export", "create"), "department_tree", None,
                                                      {"cost": "hidden", "price": "normal"}))
    after = yaml.safe_load(text)
    assert after["roles"][1] == before["roles"][1]
    assert after["roles"][0]["permissions"]["order"] == before["roles"][0]["permissions"]["order"]
    assert after["roles"][0]["permissions"]["customer"] == before["roles"][0]["permissions"]["customer"]
    assert after["roles"][0]["permissions"]["product"] == {
        "operations": ["create", "read", "export"], "scope": "department_tree", "fields": {"cost": "hidden"}}
    assert "店员" in text and "\\u" not in text  # Chinese kept readable
    assert list(after["roles"][0]) == ["id", "label", "permissions"]  # key order kept


def test_condition_scope_and_removing_a_grant() -> None:
    text = set_grant(ROLES, "clerk", "order", Grant(("read",), "condition", "owner = $me"))
    assert yaml.safe_load(text)["roles"][0]["permissions"]["order"] == {
        "operations": ["read"], "scope": {"condition": "owner = $me"}}
    gone = set_grant(text, "clerk", "order", Grant((), "all"))
    assert "order" not in yaml.safe_load(gone)["roles"][0]["permissions"]
    none_left = set_grant(set_grant(gone, "clerk", "customer", None), "clerk", "order", None)
    assert "permissions" not in yaml.safe_load(none_left)["roles"][0]


def test_the_output_is_stable() -> None:
    once = set_grant(ROLES, "clerk", "order", Grant(("read",), "all"))
    assert set_grant(once, "clerk", "order", Grant(("read",), "all")) == once
    assert dump(yaml.safe_load(once)) == once


def test_adding_and_removing_roles() -> None:
    text = add_role(ROLES, "auditor", {"zh": "审计", "en": "Auditor"})
    roles = yaml.safe_load(text)["roles"]
    assert roles[-1] == {"id": "auditor", "label": {"zh": "审计", "en": "Auditor"}}
    with pytest.raises(RolesEditError) as info:
        add_role(text, "auditor", {"en": "Again"})
    assert info.value.code == "role_exists"
    assert [r["id"] for r in yaml.safe_load(remove_role(text, "clerk"))["roles"]] == ["boss", "auditor"]
    assert yaml.safe_load(add_role(None, "first", {"en": "First"})) == {"roles": [{"id": "first",
                                                                                   "label": {"en": "First"}}]}
    with pytest.raises(RolesEditError):
        remove_role(ROLES, "nobody")


def test_finding_the_roles_documents() -> None:
    sources = {"shop/app.yaml": "app: {id: shop}", "shop/roles.yaml": ROLES,
               "more/roles.yaml": "roles:\n  - {id: extra, label: Extra}\n", "broken.yaml": "a: [b"}
    assert roles_paths(sources) == ["more/roles.yaml", "shop/roles.yaml"]
    assert path_of_role(sources, "boss") == "shop/roles.yaml"
    assert path_of_role(sources, "extra") == "more/roles.yaml"
    assert path_of_role(sources, "nobody") is None
