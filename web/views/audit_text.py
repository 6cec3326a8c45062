"""Audit entries in words: the action's name and a readable detail, with user, department, form and role ids
turned into names — one formatter per action, and a plain key: value fallback for any other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import Definitions
from engine.i18n import text
from engine.org.departments import department_names
from engine.org.users import display_names
from web.user_agents import describe_agent


@dataclass
class Names:
    """What ids in audit details stand for, looked up once for a page of entries."""

    lang: str
    t: Callable[[str], str]
    users: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    forms: Mapping[str, Any] = field(default_factory=dict)
    roles: Mapping[str, Any] = field(default_factory=dict)

    def user(self, user_id: Any) -> str:
        """A user's display name, or #id."""
        return self.users.get(user_id, f"#{user_id}") if isinstance(user_id, int) else str(user_id)

    def department(self, dept_id: Any) -> str:
        """A department's name, or #id."""
        return self.departments.get(dept_id, f"#{dept_id}") if isinstance(dept_id, int) else str(dept_id)

    def form(self, form_id: str) -> str:
        """A form's label, or its id."""
        form = self.forms.get(form_id)
        return text(form.label, self.lang) if form is not None else form_id

    def role(self, role_id: str) -> str:
        """A role's label, or its id."""
        role = self.roles.get(role_id)
        return text(role.label, self.lang) if role is not None else role_id


def _ids(entries: Iterable[Mapping[str, Any]], keys: tuple[str, ...]) -> set[int]:
    found: set[int] = set()
    for e in entries:
        detail = e.get("detail") or {}
        for key in keys:
            value = detail.get(key)
            values = value if isinstance(value, list) else [value]
            found.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
        for key in ("head", "parent"):  # department changes: [before, after]
            change = (detail.get("changes") or {}).get(key)
            if isinstance(change, list):
                found.update(v for v in change if isinstance(v, int))
    return found


def load_names(conn: sa.Connection, entries: list[dict[str, Any]], lang: str, t: Callable[[str], str],
               definitions: Definitions) -> Names:
    """The names an audit page (or export) needs: actors and the users and departments its details mention."""
    user_ids = {e["actor_id"] for e in entries if e.get("actor_id") is not None}
    user_ids |= _ids(entries, ("from_user", "to_user", "head"))
    user_ids |= _ids([e for e in entries if e.get("action") == "workflow_reassigned"], ("from", "to"))
    dept_ids = _ids(entries, ("departments", "main", "parent", "created", "deleted", "department"))
    return Names(lang, t, display_names(conn, user_ids), department_names(conn, dept_ids, lang),
                 definitions.forms, {r.id: r for r in definitions.roles})


def action_label(action: str, t: Callable[[str], str]) -> str:
    """The action's name in the language (the code itself for an action this page does not know)."""
    key = f"audit_action_{action}"
    label = t(key)
    return action if label == key else label


def _yes_no(value: Any, names: Names) -> str:
    return names.t("audit_yes") if value else names.t("audit_no")


def _roles(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = []
    if "before" in detail or "after" in detail:
        before = ", ".join(names.role(r) for r in detail.get("before") or []) or "—"
        after = ", ".join(names.role(r) for r in detail.get("after") or []) or "—"
        parts.append(f"{names.t('audit_roles')}: {before} → {after}")
    if "departments" in detail:
        main = detail.get("main")
        shown = [names.department(d) + (f" ({names.t('audit_main')})" if d == main else "")
                 for d in detail.get("departments") or []]
        parts.append(f"{names.t('audit_departments')}: {', '.join(shown) or '—'}")
    if isinstance(detail.get("admin"), list):
        before, after = detail["admin"]
        parts.append(f"{names.t('audit_admin')}: {_yes_no(before, names)} → {_yes_no(after, names)}")
    return parts


def _created(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [f"{names.t('audit_roles')}: {', '.join(names.role(r) for r in detail.get('roles') or []) or '—'}",
             f"{names.t('audit_departments')}: "
             f"{', '.join(names.department(d) for d in detail.get('departments') or []) or '—'}"]
    if detail.get("admin"):
        parts.append(names.t("audit_admin"))
    return parts


def _updated(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    return [f"{names.t('audit_field_' + key)}: {before or '—'} → {after or '—'}"
            for key, (before, after) in (detail.get("changes") or {}).items()]


def _department(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    if "created" in detail:
        parts = [names.t("audit_department_created")]
        if detail.get("parent") is not None:
            parts.append(f"{names.t('audit_parent')}: {names.department(detail['parent'])}")
        return parts
    if "deleted" in detail:
        return [names.t("audit_department_deleted")]
    shown = {"name": lambda v: text(v, names.lang) if v else "—",
             "parent": lambda v: names.department(v) if v is not None else "—",
             "head": lambda v: names.user(v) if v is not None else "—"}
    return [f"{names.t('audit_department_' + key)}: {shown[key](before)} → {shown[key](after)}"
            for key, (before, after) in (detail.get("changes") or {}).items() if key in shown]


def _transfer(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    moved = ", ".join(f"{names.form(form)} {count}" for form, count in sorted((detail.get("records") or {}).items()))
    return [f"{names.user(detail.get('from_user'))} → {names.user(detail.get('to_user'))}",
            f"{names.t('audit_records')}: {moved or '0'}"]


def _sign_in_failed(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    reason = detail.get("reason")
    return [names.t(f"audit_reason_{reason}") if reason in ("wrong", "throttled") else str(reason)]


def _export(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [names.t("audit_log") if detail.get("what") == "audit_log" else names.form(target)]
    if detail.get("format"):
        parts.append(str(detail["format"]).upper())
    if detail.get("rows") is not None:
        parts.append(names.t("audit_rows").format(n=detail["rows"]))
    if detail.get("search"):
        parts.append(f"{names.t('search')}: {detail['search']}")
    if detail.get("filters"):
        parts.append(names.t("audit_filters").format(n=len(detail["filters"])))
    return parts


def _automation(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [str(detail["label"])] if detail.get("label") else []
    if detail.get("file"):
        parts.append(str(detail["file"]))
    if "added" in detail or "removed" in detail:
        parts.append(names.t("audit_lines_changed").format(added=detail.get("added", 0),
                                                           removed=detail.get("removed", 0)))
    return parts


def _job(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [str(detail.get("label") or detail.get("kind") or "")]
    if detail.get("status"):
        status = str(detail["status"])
        shown = names.t(f"job_status_{status}")
        parts.append(f"{names.t('audit_job_was')}: {status if shown.startswith('job_status_') else shown}")
    return parts


def _sign_out(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    if "user_agent" in detail:  # one other session, ended from /settings
        return [names.t("audit_sessions_one").format(device=describe_agent(detail.get("user_agent"), names.t)),
                str(detail.get("from") or "")]
    return [names.t("audit_sessions_others").format(n=detail.get("other_sessions", 0))]


def _published(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [f"{names.t('audit_documents')}: {', '.join(str(p) for p in detail.get('paths') or []) or '—'}"]
    if detail.get("note"):
        parts.append(f"{names.t('audit_note')}: {detail['note']}")
    return parts


def _purged(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    return [names.form(str(detail.get("form") or "")),
            f"{names.t('audit_tables')}: {', '.join(str(t) for t in detail.get('tables') or [])}"]


def _import(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    parts = [names.form(target), str(detail.get("file") or "")]
    if detail.get("dry_run"):
        parts.append(names.t("audit_import_dry_run"))
    return [p for p in parts if p]


def _workflow(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    """A cancelled flow's reason, a reassigned task's people: the record it concerns is the entry's target."""
    parts = [_record_of(target, names)]
    if detail.get("reason"):
        parts.append(f"{names.t('audit_workflow_reason')}: {detail['reason']}")
    if "to" in detail:
        parts.append(names.t("audit_workflow_reassigned_to").format(
            **{"from": names.user(detail.get("from")), "to": names.user(detail.get("to"))}))
    return parts


def _record_of(target: str, names: Names) -> str:
    """`form#id` as the form's name and the record number."""
    form_id, _, record_id = target.partition("#")
    return f"{names.form(form_id)} #{record_id}" if record_id else target


def _plain(detail: Mapping[str, Any], names: Names, target: str = "") -> list[str]:
    return [f"{key}: {value}" for key, value in detail.items()]


# each gets the detail, the names, and the entry's target
FORMATTERS: dict[str, Callable[[Mapping[str, Any], Names, str], list[str]]] = {
    "roles_changed": _roles, "user_created": _created, "user_updated": _updated,
    "department_changed": _department, "transfer": _transfer, "sign_in_failed": _sign_in_failed,
    "export": _export, "import": _import, "sign_out": _sign_out,
    "automation_enabled": _automation, "automation_disabled": _automation, "automation_edited": _automation,
    "job_retried": _job, "job_discarded": _job,
    "definitions_published": _published, "form_purged": _purged,
    "workflow_cancelled": _workflow, "workflow_reassigned": _workflow,
}


def describe(entry: Mapping[str, Any], names: Names) -> str:
    """The entry's detail in words ('' when it has none)."""
    detail = entry.get("detail")
    if not detail:
        return ""
    try:
        parts = FORMATTERS.get(entry["action"], _plain)(detail, names, str(entry.get("target") or ""))
    except (TypeError, ValueError, AttributeError):  # a detail of an older or unexpected shape: show it as it is
        parts = _plain(detail, names, "")
    return "; ".join(p for p in parts if p)
