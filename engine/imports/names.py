"""Finding the ids an imported cell names: people by display name or username, departments by name (zh or en) or
key, records of a related form by their title or serial number; `#12` is id 12 anywhere. People and departments
are loaded once per import; related records once per batch, for the names the batch holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from engine.errors import FieldValueError
from engine.fields.screen import DEPARTMENT, RECORD, USER, Reference
from engine.imports.reading import normal
from engine.records.runtime import Runtimes
from engine.storage.system import departments, users

AN_ID = re.compile(r"#(\d{1,18})")
SEVERAL = -1  # a name two things share


class Names:
    """The lookups of one import; `find(ref, name)` is the FieldType.import_cell finder."""

    def __init__(self, runtimes: Runtimes):
        self.runtimes = runtimes
        self._people: dict[str, int] | None = None
        self._departments: dict[str, int] | None = None
        self._records: dict[str, dict[str, int]] = {}  # form → normal(title or serial) → id

    def load(self, conn: sa.Connection, wanted: Mapping[Reference, Iterable[str]]) -> None:
        """Read what the names of a batch need: people and departments (once), the related records named."""
        for ref, names in wanted.items():
            if ref.kind == USER and self._people is None:
                self._people = _people(conn)
            elif ref.kind == DEPARTMENT and self._departments is None:
                self._departments = _departments(conn)
            elif ref.kind == RECORD:
                self._records[ref.form] = self._related(conn, ref.form, names)

    def find(self, ref: Reference, name: str, label: Any = "") -> int:
        """The id `name` stands for; FieldValueError no_match / several_match."""
        direct = AN_ID.fullmatch(name.strip())
        if direct:
            return int(direct.group(1))
        if ref.kind == USER:
            table = self._people or {}
        elif ref.kind == DEPARTMENT:
            table = self._departments or {}
        else:
            table = self._records.get(ref.form, {})
        found = table.get(normal(name))
        if found is None:
            raise FieldValueError("no_match", label=label, value=name)
        if found == SEVERAL:
            raise FieldValueError("several_match", label=label, value=name)
        return found

    def _related(self, conn: sa.Connection, form_id: str, names: Iterable[str]) -> dict[str, int]:
        try:
            rt = self.runtimes[form_id]
        except KeyError:
            return {}
        columns = [c for c in dict.fromkeys([rt.form.title_field(), *(n.field for n in rt.form.numbering)])
                   if c in rt.main.c and c != "id"]
        wanted = sorted({n.strip() for n in names if n and n.strip()})
        found: dict[str, int] = {}
        for column in columns:
            col = rt.main.c[column]
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = conn.execute(sa.select(rt.main.c.id, col).where(col.in_(chunk), rt.main.c.deleted_at.is_(None)))
                for record_id, value in rows:
                    _add(found, str(value), int(record_id))
        return found


def _add(table: dict[str, int], name: str, ident: int) -> None:
    key = normal(name)
    if not key:
        return
    table[key] = ident if table.get(key, ident) == ident else SEVERAL


def _people(conn: sa.Connection) -> dict[str, int]:
    by_name: dict[str, int] = {}
    rows = conn.execute(sa.select(users.c.id, users.c.username, users.c.display_name).where(users.c.active)).all()
    for row in rows:
        _add(by_name, str(row.display_name), int(row.id))
    for row in rows:  # a username is unique: it wins over a display name
        by_name[normal(str(row.username))] = int(row.id)
    return by_name


def _departments(conn: sa.Connection) -> dict[str, int]:
    by_name: dict[str, int] = {}
    rows = conn.execute(sa.select(departments.c.id, departments.c.key, departments.c.name)).all()
    for row in rows:
        names = row.name.values() if isinstance(row.name, Mapping) else [row.name]
        for name in dict.fromkeys(str(n) for n in names if n):
            _add(by_name, name, int(row.id))
    for row in rows:
        if row.key:
            by_name[normal(str(row.key))] = int(row.id)
    return by_name
