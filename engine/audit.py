"""The audit log: who did what to the organisation, permissions, definitions and data in bulk, and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.storage.system import audit_log
from engine.records.terms import check_term

ACTIONS = (
    "sign_in", "sign_in_failed", "sign_out", "password_changed", "password_reset", "user_created", "user_disabled",
    "user_enabled", "roles_changed", "permissions_changed", "definitions_published", "export", "import", "transfer",
    "token_created", "token_revoked",
    "user_updated", "department_changed",  # admin pages: a user's name, e-mail or language; the department tree
    "automation_enabled", "automation_disabled", "automation_edited",  # /admin/automations
    "job_retried", "job_discarded",  # /admin/jobs
    "mail_settings_changed", "mail_template_saved", "mail_template_deleted", "mail_test_sent",  # /admin/email
    "workflow_cancelled", "workflow_reassigned",  # /admin/workflows
    "form_purged",  # /design: a removed form's kept tables dropped
)


def record_audit(conn: sa.Connection, at: datetime, action: str, *, actor_id: int | None = None,
                 target: str | None = None, address: str | None = None,
                 detail: Mapping[str, Any] | None = None) -> None:
    """Add one entry, in the caller's transaction (so it is kept exactly when the change is)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action '{action}'")
    conn.execute(sa.insert(audit_log).values(at=at, action=action, actor_id=actor_id, target=target,
                                             address=address, detail=dict(detail) if detail else None))


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: by action, actor, target text and time window; newest first, keyset by id."""

    actions: tuple[str, ...] = ()
    actor_id: int | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


def list_audit(conn: sa.Connection, flt: AuditFilter = AuditFilter()) -> list[dict[str, Any]]:
    """Entries matching the filter, newest first."""
    clauses: list[Any] = []
    if flt.actions:
        clauses.append(audit_log.c.action.in_(flt.actions))
    if flt.actor_id is not None:
        clauses.append(audit_log.c.actor_id == flt.actor_id)
    if flt.target:
        check_term(flt.target)
        clauses.append(audit_log.c.target.contains(flt.target, autoescape=True))
    if flt.since is not None:
        clauses.append(audit_log.c.at >= flt.since)
    if flt.until is not None:
        clauses.append(audit_log.c.at < flt.until)
    if flt.before_id is not None:
        clauses.append(audit_log.c.id < flt.before_id)
    stmt = sa.select(audit_log).where(*clauses).order_by(audit_log.c.id.desc()).limit(max(1, min(flt.limit, 1000)))
    return [dict(r._mapping) for r in conn.execute(stmt)]
