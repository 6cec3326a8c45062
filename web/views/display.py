"""Turn records into what a page shows: formatted values, relation titles and user names, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from engine.definitions.model import FieldDef, FormDef
from engine.fields.registry import field_type
from engine.org.users import display_names
from engine.records.export import lookup_target
from engine.records.model import Record
from engine.storage.database import read_transaction
from engine.storage.system import departments
from engine.workspace import Workspace
from web.views.media_display import value_html

HIDDEN_IN_LISTS = {"subform", "rich_text", "textarea", "file", "image", "signature", "divider", "location"}


def list_columns(form: FormDef, limit: int = 7) -> list[FieldDef]:
    """The fields a list shows: in layout order, skipping bulky types."""
    order = [name for row in form.layout for name in (row if isinstance(row, tuple) else
                                                     [c for r in row.rows for c in r])]
    order += [f.id for f in form.fields if f.id not in order]
    fields = [form.field(name) for name in order]
    return [f for f in fields if f is not None and f.type not in HIDDEN_IN_LISTS][:limit]


class Formatter:
    """Formats values of many records, resolving relation titles and user names in one query each."""

    def __init__(self, ws: Workspace, form: FormDef, records: Iterable[Record], lang: str, tz: tzinfo | None = None):
        self.ws, self.form, self.lang = ws, form, lang
        self.tz = tz or ws.tz  # the reader's zone for date-times
        self.records = list(records)
        self.titles: dict[str, dict[int, str]] = {}
        self.users: dict[int, str] = {}
        self.departments: dict[int, str] = {}
        self._load()

    def _load(self) -> None:
        wanted: dict[str, set[int]] = {}
        users: set[int] = set()
        wanted_departments: set[int] = set()
        for record in self.records:
            users.update(i for i in (record.owner_id, record.created_by, record.updated_by) if i)
            for f, value in _shown_values(self.form, record):
                if f.type == "lookup":
                    f = lookup_target(self.ws.definitions, self.form, f)[0]
                ids = value if isinstance(value, list) else [value]
                if f.type in ("relation", "relation_many"):
                    wanted.setdefault(str(f.get("to")), set()).update(int(i) for i in ids if isinstance(i, int))
                elif f.type in ("user", "users"):
                    users.update(int(i) for i in ids if isinstance(i, int))
                elif f.type in ("department", "departments"):
                    wanted_departments.update(int(i) for i in ids if isinstance(i, int))
        for form_id, ids in wanted.items():
            self.titles[form_id] = self.ws.records.titles(form_id, ids)
        with read_transaction(self.ws.engine) as conn:
            self.users = display_names(conn, users)
            self.departments = department_names(conn, wanted_departments, self.lang)

    def user(self, user_id: int | None) -> str:
        return self.users.get(int(user_id), f"#{user_id}") if user_id else ""

    def value(self, f: FieldDef, value: Any) -> str:
        """The display text of a field's value."""
        if value is None or value == [] or value == "":
            return ""
        if f.type == "lookup":
            target, many = lookup_target(self.ws.definitions, self.form, f)
            if target is not f:  # shown as the field it reads: option labels, titles, names, money...
                if many and isinstance(value, list):
                    return ", ".join(text for text in (self.value(target, v) for v in value) if text)
                return self.value(target, value)
        if f.type in ("relation", "relation_many"):
            titles = self.titles.get(str(f.get("to")), {})
            ids = value if isinstance(value, list) else [value]
            return ", ".join(titles.get(int(i), f"#{i}") for i in ids)
        if f.type in ("user", "users"):
            ids = value if isinstance(value, list) else [value]
            return ", ".join(self.user(i) for i in ids)
        if f.type in ("department", "departments"):
            ids = value if isinstance(value, list) else [value]
            return ", ".join(self.departments.get(int(i), f"#{i}") for i in ids)
        return field_type(f.type).format(f, value, self.lang, self.tz)

    def html(self, f: FieldDef, value: Any) -> Markup:
        """The value as safe HTML: media as thumbnails and links, ratings as stars, rich text sanitised."""
        return value_html(f, value, self.value(f, value), self.lang)


def _shown_values(form: FormDef, record: Record) -> Iterable[tuple[FieldDef, Any]]:
    """(field, value) of a record's fields and of its subform rows' columns."""
    for f in form.fields:
        value = record.values.get(f.id)
        if f.type == "subform":
            for row in value or []:
                if isinstance(row, dict):
                    yield from ((c, row.get(c.id)) for c in f.fields)
        else:
            yield f, value


def department_names(conn: sa.Connection, ids: Iterable[int], lang: str) -> dict[int, str]:
    """Department names by id in the language (one query)."""
    wanted = {int(i) for i in ids}
    if not wanted:
        return {}
    rows = conn.execute(sa.select(departments.c.id, departments.c.key, departments.c.name)
                        .where(departments.c.id.in_(wanted))).all()
    return {int(r.id): str((r.name or {}).get(lang) or (r.name or {}).get("zh") or r.key or f"#{r.id}") for r in rows}
