"""Load a template's sample_data.yaml: departments, users and records with references by key.

Conventions (see apps_templates/crm/sample_data.yaml): `_key` names a record; "@key" in a relation
field is that record's id; user fields take usernames; `_owner` is the owning username; dates may be
"@today", "@today-30", "@today+7" and datetimes "@now-30" (days) or "@now-2h" (hours). `_created` ("@now-200",
"@today-200" or an ISO date-time) back-dates a record: its created_at and updated_at, and the start of the
pipeline stage it is in — for sample data only, set after the record is written, never through the write path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any


from engine.definitions.model import FieldDef, FormDef
from engine.definitions.yamlsource import DATA_LIMITS, load_yaml
from engine.org.passwords import generate_password
from engine.org.users import NewUser, create_department, create_user, user_id_by_name
from engine.pipelines.tables import stage_periods
from engine.records.model import Actor
from engine.storage.database import write_transaction
from engine.workspace import Workspace

CREATED = FieldDef("created_at", "datetime", {"zh": "创建时间", "en": "Created at"})
RELATIVE = re.compile(r"^@(today|now)(?:([+-])(\d+)(h|d)?)?$")


@dataclass
class SampleReport:
    """Counts of what was loaded, and the password given to the sample users."""

    departments: int = 0
    users: int = 0
    records: dict[str, int] = field(default_factory=dict)
    password: str = ""


class SampleDataError(Exception):
    """The sample data refers to something that does not exist."""


def load_sample_data(ws: Workspace, path: Path) -> SampleReport:
    """Create the departments, users and records described in a sample data file."""
    data = load_yaml(path, limits=DATA_LIMITS).data or {}
    report = SampleReport(password=str(data.get("password") or generate_password()))
    now = ws.now()
    dept_ids: dict[str, int] = {}
    user_ids: dict[str, int] = {}
    user_depts: dict[int, int | None] = {}
    with write_transaction(ws.engine) as conn:
        for d in data.get("departments", []):
            dept_ids[d["key"]] = create_department(conn, d["key"], d.get("name", d["key"]),
                                                   dept_ids.get(d.get("parent")) if d.get("parent") else None)
            report.departments += 1
        for u in data.get("users", []):
            existing = user_id_by_name(conn, u["username"])
            dept = dept_ids.get(u.get("department")) if u.get("department") else None
            uid = existing or create_user(conn, NewUser(
                username=u["username"], display_name=u.get("name", u["username"]), password=report.password,
                email=u.get("email"), department_id=dept, roles=tuple(u.get("roles", [])),
                language=u.get("language"), attributes={k: v for k, v in u.items() if k in ("region", "phone", "title")},
            ), now)
            user_ids[u["username"]] = uid
            user_depts[uid] = dept
            report.users += 0 if existing else 1
        from engine.storage.system import departments
        for d in data.get("departments", []):
            if d.get("head") in user_ids:
                conn.execute(departments.update().where(departments.c.id == dept_ids[d["key"]])
                             .values(head_user_id=user_ids[d["head"]]))
    keys: dict[str, int] = {}
    resolver = _Resolver(ws, keys, user_ids, dept_ids, now)
    backdated: list[tuple[str, int, datetime]] = []
    for form_id, rows in (data.get("records") or {}).items():
        form = ws.definitions.form(form_id)
        by_owner: dict[int | None, list[dict[str, Any]]] = {}
        for row in rows:  # one write per owner and form: rollups over the batch are refreshed once
            by_owner.setdefault(user_ids.get(row.get("_owner")) if row.get("_owner") else None, []).append(row)
        for owner, group in by_owner.items():
            actor = Actor(user_id=owner, department_id=user_depts.get(owner) if owner else None, system=True)
            values = [{k: resolver.value(form, form.field(k), v) for k, v in row.items() if not k.startswith("_")}
                      for row in group]
            records = ws.records.create_many(actor, form_id, values, via="sample_data", owner_id=owner)
            for row, record in zip(group, records):
                if row.get("_key"):
                    keys[row["_key"]] = record.id
                if row.get("_created"):
                    backdated.append((form_id, record.id, resolver.moment(row["_created"])))
            report.records[form_id] = report.records.get(form_id, 0) + len(records)
    _backdate(ws, backdated)
    return report


def _backdate(ws: Workspace, rows: list[tuple[str, int, datetime]]) -> None:
    """Give sample records the creation time their `_created` says, and their open stage period the same start."""
    if not rows:
        return
    with write_transaction(ws.engine) as conn:
        for form_id, record_id, moment in rows:
            main = ws.records.runtime(form_id).main
            conn.execute(main.update().where(main.c.id == record_id).values(created_at=moment, updated_at=moment))
            conn.execute(stage_periods.update().where(
                (stage_periods.c.form == form_id) & (stage_periods.c.record_id == record_id)
                & stage_periods.c.left_at.is_(None)).values(entered_at=moment))


@dataclass
class _Resolver:
    ws: Workspace
    keys: Mapping[str, int]
    users: Mapping[str, int]
    departments: Mapping[str, int]
    now: datetime

    def value(self, form: FormDef, f: FieldDef | None, raw: Any) -> Any:
        if f is None:
            raise SampleDataError(f"form '{form.id}' has no field for sample value {raw!r}")
        if f.type == "subform":
            return [{k: self.value(form, f.child(k), v) for k, v in row.items()} for row in raw or []]
        if isinstance(raw, list):
            return [self._one(f, v) for v in raw]
        return self._one(f, raw)

    def moment(self, raw: Any) -> datetime:
        """The date-time a `_created` value names: "@now-200", "@today-200" (that day, at this time) or ISO."""
        match = RELATIVE.match(str(raw))
        if match:
            found = self._relative(CREATED, match)
            assert isinstance(found, datetime)
            return found
        try:
            parsed = datetime.fromisoformat(str(raw))
        except ValueError:
            raise SampleDataError(f"_created must be @now-N, @today-N or an ISO date-time, not {raw!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.ws.tz)

    def _one(self, f: FieldDef, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        if f.type in ("relation", "relation_many") and raw.startswith("@"):
            if raw[1:] not in self.keys:
                raise SampleDataError(f"no sample record with _key '{raw[1:]}'")
            return self.keys[raw[1:]]
        if f.type in ("user", "users"):
            if raw not in self.users:
                raise SampleDataError(f"no sample user '{raw}'")
            return self.users[raw]
        if f.type in ("department", "departments"):
            return self.departments.get(raw, raw)
        match = RELATIVE.match(raw)
        if match:
            return self._relative(f, match).isoformat()
        return raw

    def _relative(self, f: FieldDef, match: re.Match[str]) -> date | datetime:
        base, sign, amount, unit = match.groups()
        delta = timedelta(hours=int(amount)) if unit == "h" else timedelta(days=int(amount or 0))
        moment = self.now + (delta if sign != "-" else -delta)
        local = moment.astimezone(self.ws.tz)
        wants_date = f.type == "date" or (f.type == "formula" and f.get("result") == "date")
        return local.date() if wants_date else moment
