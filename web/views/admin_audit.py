"""/admin/audit: the audit log newest first, filtered by action, user, target text and dates, paged to older
entries by id; and the filtered entries exported as CSV (the export itself is audited)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine.audit import ACTIONS, AuditFilter, list_audit, record_audit
from engine.locale_format import iso_stamp
from engine.org.users import list_users
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.admin_access import address_of, admin_id, admin_only, int_or_none
from web.views.audit_text import action_label, describe, load_names
from web.zones import user_tz

PAGE = 50
EXPORT_PAGE = 1000
PARAMS = ("action", "actor", "target", "from", "to")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet programs would run such a cell as a formula


def _day(raw: str, key: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = "audit_bad_date"
        return None


def parse_filter(request: Request) -> tuple[AuditFilter, dict[str, str], dict[str, str]]:
    """The filter the query string asks for, what was asked (to show again), and problems by parameter."""
    raw = {k: request.query_params.get(k, "").strip() for k in PARAMS}
    errors: dict[str, str] = {}
    if raw["action"] and raw["action"] not in ACTIONS:
        errors["action"] = "audit_bad_action"
    actor = int_or_none(raw["actor"])
    if raw["actor"] and actor is None:
        errors["actor"] = "audit_bad_user"
    if len(raw["target"]) > 200 or any(ord(c) < 32 for c in raw["target"]):
        errors["target"] = "audit_bad_target"
    tz = user_tz(request)
    since, until = _day(raw["from"], "from", errors), _day(raw["to"], "to", errors)
    flt = AuditFilter(actions=(raw["action"],) if raw["action"] else (), actor_id=actor,
                      target=raw["target"] or None,
                      since=datetime.combine(since, time(), tz) if since else None,
                      until=datetime.combine(until + timedelta(days=1), time(), tz) if until else None,
                      before_id=int_or_none(request.query_params.get("before")), limit=PAGE + 1)
    return flt, raw, errors


@admin_only
def audit_page(request: Request) -> Response:
    """GET a page of entries matching the filter, with a link to older ones."""
    ws, lang = workspace(request), choose_language(request)
    flt, raw, errors = parse_filter(request)
    with ws.reading() as conn:
        entries = [] if errors else list_audit(conn, flt)
        names = load_names(conn, entries, lang, translator(lang), ws.definitions)
        people = list_users(conn)
    shown, more = entries[:PAGE], len(entries) > PAGE
    query = {k: v for k, v in raw.items() if v}
    context = {"entries": shown, "names": names, "describe": describe, "action_of": lambda a: action_label(a, names.t),
               "actions": ACTIONS, "people": people, "values": raw, "errors": errors, "section": "audit",
               "older": f"?{urlencode({**query, 'before': shown[-1]['id']})}" if more else None,
               "newest": f"?{urlencode(query)}" if flt.before_id else None,
               "export": f"/admin/audit.csv?{urlencode(query)}"}
    return page(request, "admin_audit.html", context, status=400 if errors else 200)


def _cell(value: Any) -> str:
    shown = "" if value is None else str(value)
    return "'" + shown if shown.startswith(FORMULA_START) else shown


def _csv(entries: list[dict[str, Any]], names: Any, tz: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    t = names.t
    writer.writerow([t(k) for k in ("audit_id", "audit_at_iso", "audit_action_code", "audit_action", "audit_actor_id",
                                    "audit_actor", "audit_target", "audit_address", "audit_detail",
                                    "audit_detail_json")])
    for e in entries:
        writer.writerow([_cell(v) for v in (
            e["id"], iso_stamp(e["at"].astimezone(tz)), e["action"],
            action_label(e["action"], t), e["actor_id"], names.user(e["actor_id"]) if e["actor_id"] else "",
            e["target"], e["address"], describe(e, names),
            json.dumps(e["detail"], ensure_ascii=False, sort_keys=True) if e["detail"] else "")])
    return "\ufeff" + out.getvalue()  # the BOM tells Excel the file is UTF-8, so Chinese text opens correctly


def _all_entries(conn: Any, flt: AuditFilter) -> list[dict[str, Any]]:
    """Every entry matching the filter, read in keyset pages."""
    found: list[dict[str, Any]] = []
    flt = replace(flt, limit=EXPORT_PAGE)
    while True:
        batch = list_audit(conn, flt)
        found.extend(batch)
        if len(batch) < EXPORT_PAGE:
            return found
        flt = replace(flt, before_id=batch[-1]["id"])


@admin_only
def audit_export(request: Request) -> Response:
    """GET the filtered entries as a CSV file (UTF-8 with BOM); the export is written to the audit log."""
    ws, lang = workspace(request), choose_language(request)
    flt, raw, errors = parse_filter(request)
    if errors:
        return audit_page(request)
    with ws.reading() as conn:
        entries = _all_entries(conn, replace(flt, before_id=None))
        names = load_names(conn, entries, lang, translator(lang), ws.definitions)
    with ws.writing() as conn:
        record_audit(conn, ws.now(), "export", actor_id=admin_id(request), target="audit_log",
                     address=address_of(request),
                     detail={"what": "audit_log", "rows": len(entries), "filter": {k: v for k, v in raw.items() if v}})
    tz = user_tz(request)
    stamp = ws.now().astimezone(tz).strftime("%Y%m%d-%H%M%S")
    return Response(_csv(entries, names, tz), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="audit-{stamp}.csv"', "cache-control": "no-store"})
