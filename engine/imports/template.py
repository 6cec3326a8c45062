"""A template workbook for an import: one header per importable field, labelled in the reader's language
(required ones marked with *), which `suggest_mapping` maps back to the fields."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from engine.i18n import text
from engine.imports.job import folder
import hashlib

from engine.imports.mapping import importable_fields
from engine.imports.rights import field_access
from engine.records.model import Actor

if TYPE_CHECKING:
    from engine.workspace import Workspace

REQUIRED_MARK = " *"


def write_template(ws: Workspace, form_id: str, lang: str = "zh", actor: Actor | None = None) -> Path:
    """Write (or rewrite) the template of the form in `lang` — with `actor`, of the fields that actor may fill —
    and return its path; KeyError for an unknown form."""
    lang = lang if lang in ("zh", "en") else "zh"
    form = ws.records.runtime(form_id).form
    choices = importable_fields(form, field_access(ws, actor, form_id) if actor is not None else None)
    fields_key = hashlib.sha256("\n".join(c.id for c in choices).encode()).hexdigest()[:12]
    target = folder(ws) / "templates" / f"{form_id}-{lang}-{fields_key}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    book = xlsxwriter.Workbook(str(partial))
    try:
        sheet = book.add_worksheet(text(form.label, lang)[:31] or "Sheet1")
        bold, plain = book.add_format({"bold": True}), book.add_format({})
        for column, choice in enumerate(choices):
            label = choice.label[lang] + (REQUIRED_MARK if choice.required else "")
            sheet.write_string(0, column, label, bold if choice.required else plain)
            sheet.set_column(column, column, max(10, min(40, len(label) * 2)))
        sheet.freeze_panes(1, 0)
    finally:
        book.close()
    partial.replace(target)
    return target
