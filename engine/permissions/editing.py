"""Changing roles from the permission matrix: publish the new roles document (checked and versioned like every
definition) and record the change in the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.permissions.document import (
    Grant, RolesEditError, add_role, path_of_role, remove_role, role_grant, roles_paths, set_grant,
)
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import role_members, users

if TYPE_CHECKING:
    from engine.workspace import Workspace

NEW_ROLES_PATH = "roles.yaml"


def fingerprint(grant: Grant | None) -> str:
    """A short hash of a grant: an edit of a cell that changed since its editor was opened is refused."""
    return hashlib.sha256(json.dumps(_data(grant), sort_keys=True).encode()).hexdigest()[:16]


def current_grant(ws: Workspace, role_id: str, form_id: str) -> tuple[Grant | None, str]:
    """The role's grant on the form and its fingerprint."""
    sources = ws.sources()
    path = path_of_role(sources, role_id)
    if path is None:
        raise RolesEditError("unknown_role", role=role_id)
    grant = role_grant(sources[path], role_id, form_id)
    return grant, fingerprint(grant)


def save_grant(ws: Workspace, role_id: str, form_id: str, grant: Grant | None, *, admin_id: int | None,
               base: str | None = None, address: str | None = None) -> bool:
    """Publish the role's new grant on the form; False when nothing changed.

    The change is made to the latest document, so other cells saved meanwhile are kept. Raises DefinitionError
    (nothing saved) when the definitions refuse it, RolesEditError("stale") when this cell changed since its
    fingerprint `base` was read.
    """
    sources = ws.sources()
    path = path_of_role(sources, role_id)
    if path is None:
        raise RolesEditError("unknown_role", role=role_id)
    before = role_grant(sources[path], role_id, form_id)
    if base is not None and base != fingerprint(before):
        raise RolesEditError("stale")
    text = set_grant(sources[path], role_id, form_id, grant)
    if text == sources[path]:
        return False
    changed = ws.publish({path: text}, author_id=admin_id, comment=f"permissions: {role_id} on {form_id}").changed
    after = role_grant(text, role_id, form_id)
    if changed and before != after:
        _audit(ws, admin_id, address, f"{role_id}/{form_id}",
               {"role": role_id, "form": form_id, "before": _data(before), "after": _data(after)})
    return bool(changed)


def create_role(ws: Workspace, role_id: str, label: Mapping[str, str], *, admin_id: int | None,
                address: str | None = None) -> None:
    """Add a role without permissions to the (first) roles document, creating one if there is none."""
    sources = ws.sources()
    if path_of_role(sources, role_id) is not None:
        raise RolesEditError("role_exists", role=role_id)
    paths = roles_paths(sources)
    path = paths[0] if paths else NEW_ROLES_PATH
    text = add_role(sources.get(path), role_id, label)
    ws.publish({path: text}, author_id=admin_id, comment=f"role {role_id} created")
    _audit(ws, admin_id, address, role_id, {"role": role_id, "change": "role_created", "label": dict(label)})


def delete_role(ws: Workspace, role_id: str, *, admin_id: int | None, address: str | None = None) -> None:
    """Remove a role; RolesEditError("role_in_use", count=n) while n users hold it."""
    sources = ws.sources()
    path = path_of_role(sources, role_id)
    if path is None:
        raise RolesEditError("unknown_role", role=role_id)
    with read_transaction(ws.engine) as conn:
        holders = len(role_members_of(conn, role_id))
    if holders:
        raise RolesEditError("role_in_use", role=role_id, count=holders)
    ws.publish({path: remove_role(sources[path], role_id)}, author_id=admin_id, comment=f"role {role_id} deleted")
    _audit(ws, admin_id, address, role_id, {"role": role_id, "change": "role_deleted"})


def member_counts(conn: sa.Connection) -> dict[str, int]:
    """How many users hold each role."""
    stmt = sa.select(role_members.c.role, sa.func.count()).group_by(role_members.c.role)
    return {str(role): int(n) for role, n in conn.execute(stmt)}


def role_members_of(conn: sa.Connection, role_id: str) -> list[dict[str, Any]]:
    """The users who hold a role (id, username, display name, active), by username."""
    stmt = (sa.select(users.c.id, users.c.username, users.c.display_name, users.c.active, users.c.department_id)
            .join(role_members, role_members.c.user_id == users.c.id)
            .where(role_members.c.role == role_id).order_by(users.c.username))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _data(grant: Grant | None) -> dict[str, Any] | None:
    if grant is None:
        return None
    data = asdict(grant)
    data["operations"] = list(grant.operations)
    data["fields"] = dict(grant.fields)
    return data


def _audit(ws: Workspace, admin_id: int | None, address: str | None, target: str, detail: dict[str, Any]) -> None:
    with write_transaction(ws.engine) as conn:
        record_audit(conn, ws.now(), "permissions_changed", actor_id=admin_id, target=target, address=address,
                     detail=detail)
