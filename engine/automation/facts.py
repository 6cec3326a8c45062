"""What an automation run knows: the trigger record (values, old values, display texts), the webhook body,
earlier steps' results — as a formula environment (for conditions and values) and a template context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.registry import field_type
from engine.formulas import MappingEnv, compile_formula, evaluate
from engine.records import reading
from engine.records.env import RecordEnv
from engine.records.runtime import Runtimes
from engine.records.values import parse_input
from engine.storage.system import departments, users


@dataclass
class Facts:
    """The data of one run; `record` is None for schedules and webhooks without a record."""

    defs: Definitions
    form: FormDef | None
    record: dict[str, Any] | None
    now: datetime
    tz: tzinfo
    old: dict[str, Any] | None = None
    body: Any = None
    trigger: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None

    def variables(self) -> dict[str, Any]:
        return {"old": self.old or {}, "steps": self.steps, "body": self.body, "trigger": self.trigger,
                "me": self.actor_id, "my_department": None}

    def evaluate(self, conn: sa.Connection, runtimes: Runtimes, source: str) -> Any:
        """A formula over the trigger record (following relations), $old, $steps, $body and $trigger."""
        expr = compile_formula(source)
        if self.form is None or self.record is None:
            return evaluate(expr, MappingEnv({}, self.now, self.tz, self.variables()))
        cache = reading.RelatedCache(conn, runtimes)
        env = RecordEnv(self.defs, self.form, self.record, self.now, self.tz, cache.get, self.variables())
        return evaluate(expr, env)


def old_values(runtimes: Runtimes, form_id: str, record: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The record as it was before an update: its values with each changed field's old value put back."""
    rt = runtimes[form_id]
    before = {k: v[0] for k, v in changes.items() if isinstance(v, list) and len(v) == 2 and rt.form.field(k)}
    errors: dict[str, Any] = {}
    parsed = parse_input(rt, before, "json", errors) if before else {}
    return {**record, **{k: v for k, v in parsed.items() if k not in errors}}


def display_record(conn: sa.Connection, runtimes: Runtimes, form: FormDef, record: Mapping[str, Any],
                   lang: str, tz: tzinfo) -> dict[str, str]:
    """Field id → the text a person reads (option labels, names, related titles), for templates."""
    shown: dict[str, str] = {"id": str(record.get("id", ""))}
    for f in form.fields:
        if f.type in ("divider", "section", "subform"):
            continue
        shown[f.id] = _display(conn, runtimes, f, record.get(f.id), lang, tz)
    return shown


def _display(conn: sa.Connection, runtimes: Runtimes, f: FieldDef, value: Any, lang: str, tz: tzinfo) -> str:
    if value is None or value == [] or value == "":
        return ""
    ids = value if isinstance(value, list) else [value]
    if f.type in ("user", "users"):
        names = dict(conn.execute(sa.select(users.c.id, users.c.display_name).where(users.c.id.in_(ids))).all())
        return ", ".join(str(names.get(i, f"#{i}")) for i in ids)
    if f.type in ("department", "departments"):
        rows = conn.execute(sa.select(departments.c.id, departments.c.name).where(departments.c.id.in_(ids))).all()
        found = {i: (n.get(lang) or next(iter(n.values()), "") if isinstance(n, dict) else str(n)) for i, n in rows}
        return ", ".join(str(found.get(i, f"#{i}")) for i in ids)
    if f.type in ("relation", "relation_many") and str(f.get("to")) in runtimes:
        target = runtimes[str(f.get("to"))]
        title = target.form.title_field()
        column = target.main.c[title] if title in target.main.c else target.main.c.id
        titles = dict(conn.execute(sa.select(target.main.c.id, column).where(target.main.c.id.in_(ids))).all())
        return ", ".join(str(titles.get(i, f"#{i}")) for i in ids)
    try:
        return field_type(f.type).format(f, value, lang, tz)
    except (TypeError, ValueError, KeyError):
        return str(value)
