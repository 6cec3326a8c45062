"""Members of report dimensions: what people read for each key (option labels in their colours, names of users,
departments and records, date buckets), and the order members come in when the report does not sort them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo
from dataclasses import replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import Definitions
from engine.fields.screen import DEPARTMENT, RECORD, USER, Reference
from engine.i18n import I18n, text
from engine.reports.buckets import bucket_label
from engine.reports.compile import DimensionSpec
from engine.reports.dataset import Member
from engine.storage.formtables import build_form_tables
from engine.storage.system import departments, users

NO_VALUE: I18n = {"zh": "(空)", "en": "(No value)"}
OTHERS: I18n = {"zh": "其他", "en": "Others"}
OTHERS_KEY = "__others__"

Names = Callable[[sa.Connection, Definitions, Reference, list[Any]], dict[Any, I18n]]


def _user_names(conn: sa.Connection, defs: Definitions, ref: Reference, ids: list[Any]) -> dict[Any, I18n]:
    rows = conn.execute(sa.select(users.c.id, users.c.display_name).where(users.c.id.in_(ids)))
    return {int(i): str(name) for i, name in rows}


def _department_names(conn: sa.Connection, defs: Definitions, ref: Reference, ids: list[Any]) -> dict[Any, I18n]:
    rows = conn.execute(sa.select(departments.c.id, departments.c.name).where(departments.c.id.in_(ids)))
    return {int(i): name if isinstance(name, (dict, str)) else str(name) for i, name in rows}


def _record_titles(conn: sa.Connection, defs: Definitions, ref: Reference, ids: list[Any]) -> dict[Any, I18n]:
    form = defs.forms.get(ref.form)
    if form is None:
        return {}
    table = build_form_tables(form, sa.MetaData()).main
    title = form.title_field()
    column = table.c[title] if title in table.c else table.c.id
    rows = conn.execute(sa.select(table.c.id, column).where(table.c.id.in_(ids)))
    return {int(i): str(t) if t is not None else f"#{i}" for i, t in rows}


NAMES: dict[str, Names] = {USER: _user_names, DEPARTMENT: _department_names, RECORD: _record_titles}


class MemberMaker:
    """Members for one dimension's keys, names looked up in one query per dimension."""

    def __init__(self, spec: DimensionSpec, tz: tzinfo):
        self.spec, self.tz = spec, tz
        f, ftype = spec.path.field, spec.path.ftype
        self.options = {key: (label, color) for key, label, color in ftype.members(f)} if not spec.bucket else {}
        self.order = {key: i for i, key in enumerate(self.options)}
        self.ref = None if spec.bucket else ftype.refers_to(f)
        self.names: dict[Any, I18n] = {}

    def load(self, conn: sa.Connection, defs: Definitions, keys: Iterable[Any]) -> None:
        """Look up the names of the keys that are ids (users, departments, records)."""
        if self.ref is None:
            return
        wanted = sorted({int(k) for k in keys if k is not None and k != OTHERS_KEY})
        if wanted:
            for start in range(0, len(wanted), 500):
                self.names.update(NAMES[self.ref.kind](conn, defs, self.ref, wanted[start:start + 500]))

    def member(self, key: Any) -> Member:
        found = self._member(key)
        return replace(found, rank=self.rank(found))

    def _member(self, key: Any) -> Member:
        if key is None:
            return Member(None, NO_VALUE)
        if key == OTHERS_KEY:
            return Member(OTHERS_KEY, OTHERS)
        if self.spec.bucket:
            return Member(str(key), bucket_label(key, self.spec.bucket))
        if key in self.options:
            label, color = self.options[key]
            return Member(key, label, color)
        if self.ref is not None:
            return Member(int(key), self.names.get(int(key), f"#{key}"))
        return Member(key, self.spec.path.ftype.member_label(self.spec.path.field, key, self.tz))

    def rank(self, member: Member) -> tuple[int, float, str]:
        """Where a member comes when the report does not sort: options in their order, buckets in time, numbers
        by size, names alphabetically; "no value" and "others" last."""
        key = member.key
        if key is None or key == OTHERS_KEY:
            return (3 if key == OTHERS_KEY else 2, 0.0, "")
        if key in self.order:
            return (0, float(self.order[key]), "")
        if self.ref is not None:
            return (1, 0.0, text(member.label, "zh"))
        if isinstance(key, (int, float, Decimal)) and not isinstance(key, bool):
            return (1, float(key), "")
        return (1, 0.0, str(key))
