"""Turn records into what a page shows: formatted values, relation titles and user names, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.fields.registry import field_type
from engine.org.users import display_names
from engine.records.model import Record
from engine.storage.database import read_transaction
from engine.workspace import Workspace

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

    def __init__(self, ws: Workspace, form: FormDef, records: Iterable[Record], lang: str):
        self.ws, self.form, self.lang = ws, form, lang
        self.records = list(records)
        self.titles: dict[str, dict[int, str]] = {}
        self.users: dict[int, str] = {}
        self._load()

    def _load(self) -> None:
        wanted: dict[str, set[int]] = {}
        users: set[int] = set()
        for record in self.records:
            users.update(i for i in (record.owner_id, record.created_by, record.updated_by) if i)
            for f in self.form.fields:
                value = record.values.get(f.id)
                ids = value if isinstance(value, list) else [value]
                if f.type in ("relation", "relation_many"):
                    wanted.setdefault(str(f.get("to")), set()).update(int(i) for i in ids if isinstance(i, int))
                elif f.type in ("user", "users"):
                    users.update(int(i) for i in ids if isinstance(i, int))
        for form_id, ids in wanted.items():
            self.titles[form_id] = self.ws.records.titles(form_id, ids)
        with read_transaction(self.ws.engine) as conn:
            self.users = display_names(conn, users)

    def user(self, user_id: int | None) -> str:
        return self.users.get(int(user_id), f"#{user_id}") if user_id else ""

    def value(self, f: FieldDef, value: Any) -> str:
        """The display text of a field's value."""
        if value is None or value == [] or value == "":
            return ""
        if f.type in ("relation", "relation_many"):
            titles = self.titles.get(str(f.get("to")), {})
            ids = value if isinstance(value, list) else [value]
            return ", ".join(titles.get(int(i), f"#{i}") for i in ids)
        if f.type in ("user", "users"):
            ids = value if isinstance(value, list) else [value]
            return ", ".join(self.user(i) for i in ids)
        return field_type(f.type).format(f, value, self.lang, self.ws.tz)
