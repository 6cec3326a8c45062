"""What a printed record reads: its values as the record page shows them (option labels, formatted money, titles of
related records, names), the raw values, subform rows, the approval history with signatures, the serial number
and a QR code of the record's link. The same context feeds the default layout and the admins' templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

import segno
from markupsafe import Markup

from engine import locale_format
from engine.definitions.model import FieldDef
from engine.fields.registry import field_type
from engine.i18n import text
from engine.mail.sending import base_url
from engine.org.users import display_names
from engine.printing.record import PrintRecord
from engine.workspace import Workspace
from web.views.display import Formatter
from web.views.workflow_input import shown_signature
from web.views.workflow_record import step_text, step_user_ids


def record_link(ws: Workspace, printed: PrintRecord) -> str:
    """The record's absolute address (the workspace's base_url setting), which its QR code holds."""
    form = printed.form
    return f"{base_url(ws)}/apps/{form.app}/{form.id}/{printed.record.id}"


def qr_svg(link: str) -> Markup:
    """A QR code of `link` as inline SVG (segno's own markup: no text of ours inside it)."""
    return Markup(segno.make(link, error="m").svg_inline(scale=3, svgclass="qr", lineclass=None))


def print_context(ws: Workspace, printed: PrintRecord, fmt: Formatter, lang: str, tz: tzinfo,
                  t: Callable[[str], str]) -> dict[str, Any]:
    """The documented context of a print (docs/print.md) for one record."""
    form, record = printed.form, printed.record
    shown = [f for f in form.fields if printed.shown(f.id)]
    scalars = [f for f in shown if not field_type(f.type).holds_rows]
    tables = [f for f in shown if field_type(f.type).holds_rows]
    link = record_link(ws, printed)
    return {
        "lang": lang,
        "form": {"id": form.id, "label": text(form.label, lang)},
        "record": {"id": record.id, "created_at": _when(record.created_at, tz, lang),
                   "updated_at": _when(record.updated_at, tz, lang)},
        "serial": printed.serial or "",
        "labels": {f.id: text(f.label, lang) for f in shown},
        "fields": {f.id: fmt.value(f, fmt.get(record, f)) for f in scalars},
        "values": {f.id: fmt.get(record, f) for f in scalars},
        "rows": {f.id: [_row(fmt, f, row) for row in _rows(record.values.get(f.id))] for f in tables},
        "raw_rows": {f.id: [dict(row) for row in _rows(record.values.get(f.id))] for f in tables},
        "columns": {f.id: {c.id: text(c.label, lang) for c in f.fields} for f in tables},
        "approvals": approvals(ws, printed, lang, tz, t),
        "link": link,
        "qr": qr_svg(link),
        "company": company(ws),
    }


def approvals(ws: Workspace, printed: PrintRecord, lang: str, tz: tzinfo,
              t: Callable[[str], str]) -> list[dict[str, Any]]:
    """The approval history, oldest first: step, person, what they did, comment, time and signature."""
    with ws.reading() as conn:
        names = display_names(conn, step_user_ids(printed.approvals))
    labels = {node: text(label, lang) for node, label in printed.node_labels.items()}
    return [{"node": text(s.node_label, lang) if s.node_label else "",
             "person": s.actor.name if s.actor else t("system"),
             "action": step_text(s, names, labels, t),
             "comment": s.comment, "at": _when(s.at, tz, lang), "signature": shown_signature(s.signature) or ""}
            for s in printed.approvals]


def company(ws: Workspace) -> dict[str, str]:
    """The company the prints head with (the company_* settings), empty texts when unset."""
    values = ws.settings.values
    return {key: str(values.get(f"company_{key}") or "") for key in ("name", "address", "phone")}


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value or [] if isinstance(row, Mapping)]


def _row(fmt: Formatter, sub: FieldDef, row: Mapping[str, Any]) -> dict[str, str]:
    return {c.id: fmt.value(c, row.get(c.id)) for c in sub.fields}


def _when(at: datetime | None, tz: tzinfo, lang: str) -> str:
    """A moment in the reader's zone and language: 2026年12月6日 14:30 · Dec 6, 2026, 14:30."""
    return locale_format.moment(at.astimezone(tz), lang) if at else ""
