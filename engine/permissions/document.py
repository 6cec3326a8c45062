"""Edits of the `roles` document as plain data: one role's grant on one form, new roles, removed roles.

The functions take the current document (its text or its parsed data) and return the new one; nothing here
checks the result against the forms — publishing the new text does that, with every problem in one error.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.definitions.schemas import kind_of
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
from engine.permissions.access import OPERATIONS

SCOPES = ("own", "department", "department_tree", "all", "condition")
FIELD_ACCESS = ("hidden", "read_only")


class RolesEditError(ValueError):
    """The edit cannot be made: `code` names why (unknown_role, role_exists, no_roles_document)."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(f"{code} {params}" if params else code)


@dataclass(frozen=True)
class Grant:
    """What one role may do on one form, as the matrix shows and edits it."""

    operations: tuple[str, ...] = ()
    scope: str = "own"  # one of SCOPES
    condition: str | None = None  # the formula when scope is "condition"
    fields: Mapping[str, str] = field(default_factory=dict)  # field id → hidden | read_only

    def as_data(self) -> dict[str, Any]:
        """The grant as the roles document writes it."""
        data: dict[str, Any] = {"operations": [op for op in OPERATIONS if op in self.operations]}
        data["scope"] = {"condition": self.condition or ""} if self.scope == "condition" else self.scope
        if self.fields:
            data["fields"] = {k: v for k, v in self.fields.items() if v in FIELD_ACCESS}
        return data


def grant_of(data: Mapping[str, Any] | None) -> Grant | None:
    """The grant a document entry describes (None when there is none)."""
    if not isinstance(data, Mapping):
        return None
    raw_scope = data.get("scope", "own")
    scope, condition = str(raw_scope), None
    if isinstance(raw_scope, Mapping):
        scope, condition = "condition", str(raw_scope.get("condition") or "")
    operations = data.get("operations") or []
    fields = data.get("fields") or {}
    return Grant(tuple(op for op in OPERATIONS if op in operations), scope, condition,
                 {str(k): str(v) for k, v in fields.items()} if isinstance(fields, Mapping) else {})


def parse(text: str) -> dict[str, Any]:
    """The data of a roles document's text."""
    data = safe_data(text, "roles") or {}
    if not isinstance(data, dict):
        data = {}
    data.setdefault("roles", [])
    return data


def dump(data: Mapping[str, Any]) -> str:
    """Stable, readable YAML for a roles document (keys in the order given, Chinese kept as is)."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)


def roles_paths(sources: Mapping[str, str]) -> list[str]:
    """The paths of the stored documents whose kind is `roles`, in path order."""
    found = []
    for path, text in sorted(sources.items()):
        try:
            data = safe_data(text, path)
        except YamlSyntaxError:
            continue
        if kind_of(data) == "roles":
            found.append(path)
    return found


def path_of_role(sources: Mapping[str, str], role_id: str) -> str | None:
    """The path of the roles document that defines `role_id`."""
    for path in roles_paths(sources):
        if _index(parse(sources[path]), role_id) is not None:
            return path
    return None


def role_grant(text: str, role_id: str, form_id: str) -> Grant | None:
    """The role's current grant on the form (None when the role has none there)."""
    data = parse(text)
    index = _index(data, role_id)
    if index is None:
        raise RolesEditError("unknown_role", role=role_id)
    return grant_of((data["roles"][index].get("permissions") or {}).get(form_id))


def set_grant(text: str, role_id: str, form_id: str, grant: Grant | None) -> str:
    """The document with the role's grant on the form replaced (removed when `grant` is None or allows nothing);
    every other role and form is kept as it was."""
    data = parse(text)
    index = _index(data, role_id)
    if index is None:
        raise RolesEditError("unknown_role", role=role_id)
    new = copy.deepcopy(data)
    role = new["roles"][index]
    permissions = dict(role.get("permissions") or {})
    if grant is None or not grant.operations:
        permissions.pop(form_id, None)
    else:
        permissions[form_id] = grant.as_data()
    if permissions:
        role["permissions"] = permissions
    else:
        role.pop("permissions", None)
    return dump(new)


def add_role(text: str | None, role_id: str, label: Mapping[str, str]) -> str:
    """The document with a new role (no permissions yet) at the end; RolesEditError when the id is taken."""
    data = parse(text or "roles: []")
    if _index(data, role_id) is not None:
        raise RolesEditError("role_exists", role=role_id)
    new = copy.deepcopy(data)
    names = {k: v.strip() for k, v in label.items() if v and v.strip()}
    new["roles"].append({"id": role_id, "label": names or role_id})
    return dump(new)


def remove_role(text: str, role_id: str) -> str:
    """The document without the role."""
    data = parse(text)
    index = _index(data, role_id)
    if index is None:
        raise RolesEditError("unknown_role", role=role_id)
    new = copy.deepcopy(data)
    del new["roles"][index]
    return dump(new)


def _index(data: Mapping[str, Any], role_id: str) -> int | None:
    for i, role in enumerate(data.get("roles") or []):
        if isinstance(role, Mapping) and role.get("id") == role_id:
            return i
    return None
