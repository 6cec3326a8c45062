"""RecordService: the one path for every write and read of form records, each write one transaction."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import Conflict, FieldError, NotFound, PermissionDenied, RecordInvalid
from engine.fields.base import FilterContext
from engine.records import reading, writing
from engine.records.compute import apply_defaults, check_errors, compute_formulas, evaluate_rules, RuleState
from engine.records.env import RecordEnv
from engine.permissions.viewer import load_viewer
from engine.records.guard import Guard, ViewerLoader, guard_for
from engine.records.joins import fill_joined, join_lookups
from engine.records.linked_defaults import unseen_defaults
from engine.records.model import Actor, Page, Query, Record
from engine.records.query import count_query, cursor_of, select_page
from engine.records.reach import drop_unreachable
from engine.records.preview import Preview, formula_errors, preview_record
from engine.records.runtime import FormRuntime, Runtimes
from engine.records.serials import assign_serials
from engine.records.sums import Totals, column_totals
from engine.pipelines.moves import check_stages, follow_stages, record_moves
from engine.records.values import Errors, parse_input, validate_values
from engine.storage.database import read_transaction, single_statement, write_transaction
from engine.storage.system import users
from engine.workflow.lock import check_record_lock
from engine.zones import zone_or

Clock = Callable[[], datetime]
MAX_RECORD_ID = 2**63 - 1  # the largest BIGINT


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RecordService:
    """Create, update, delete, restore, purge, get and list records of any form."""

    def __init__(self, engine: Engine, runtimes: Runtimes, tz: tzinfo, clock: Clock = utc_now,
                 viewers: ViewerLoader = load_viewer, *, replica: Engine | None = None):
        self.engine, self.runtimes, self.tz, self.clock = engine, runtimes, tz, clock
        self.viewers = viewers  # how scopes learn a user's departments (the workspace passes its cache)
        self.report_engine = replica or engine  # where report datasets are computed (DATABASE_REPLICA_URL)

    def runtime(self, form_id: str) -> FormRuntime:
        """The runtime of a form; KeyError names the missing form."""
        if form_id not in self.runtimes:
            raise KeyError(f"no form '{form_id}'")
        return self.runtimes[form_id]

    def guard(self, actor: Actor, form_id: str) -> Guard:
        """What `actor` may do on the form: operations, reach, hidden and read-only fields."""
        return guard_for(self.runtimes.defs, actor, self.runtime(form_id), self.viewers)

    def _reach(self, conn: sa.Connection, guard: Guard, operation: str, record_id: int, deleted: bool = False) -> None:
        """NotFound when the record is outside what the actor may read; PermissionDenied when they may read it
        but not do `operation` to it."""
        if not 0 < record_id <= MAX_RECORD_ID:  # an id no table can hold is not found, not a database error
            raise NotFound(guard.rt.form.id, record_id)
        if guard.access.reaches_all(operation):
            return
        rt, ctx = guard.rt, self.filter_context(guard.actor)
        live = rt.main.c.deleted_at.is_not(None) if deleted else rt.main.c.deleted_at.is_(None)

        def within(op: str) -> bool:
            return conn.execute(sa.select(rt.main.c.id).where(
                rt.main.c.id == record_id, live, guard.predicate(conn, op, ctx))).first() is not None

        if within(operation):
            return
        if guard.access.can("read") and within("read"):
            raise PermissionDenied(guard.actor, operation, rt.form.id)
        raise NotFound(rt.form.id, record_id)

    def allowed(self, actor: Actor, form_id: str, record_id: int, operation: str) -> bool:
        """Whether `actor` may do `operation` to this record (for showing or hiding its buttons)."""
        guard = self.guard(actor, form_id)
        if not guard.access.can(operation):
            return False
        try:
            with read_transaction(self.engine) as conn:
                self._reach(conn, guard, operation, record_id)
        except (NotFound, PermissionDenied):
            return False
        return True

    # -- environments ------------------------------------------------------------------------------
    def _env(self, rt: FormRuntime, values: Mapping[str, Any], actor: Actor, cache: reading.RelatedCache,
             now: datetime) -> RecordEnv:
        variables = {"me": actor.user_id, "my_department": actor.department_id}
        return RecordEnv(self.runtimes.defs, rt.form, values, now, self.tz, cache.get, variables)

    # -- writes ------------------------------------------------------------------------------------
    def create(self, actor: Actor, form_id: str, raw: Mapping[str, Any], *, fmt: str = "json", via: str = "api",
               owner_id: int | None = None, origin: Mapping[str, Any] | None = None,
               hook: writing.WriteHook | None = None) -> Record:
        """Create one record; RecordInvalid lists every problem and nothing is written. `origin` is added to the
        write's outbox events and `hook(conn, event)` runs in its transaction (an automation's chain depth and
        step marker)."""
        extras = writing.WriteExtras(origin or {}, hook)
        return self._create(actor, form_id, [raw], fmt, via, owner_id, extras, numbered_errors=False)[0]

    def create_many(self, actor: Actor, form_id: str, raws: Iterable[Mapping[str, Any]], *, fmt: str = "json",
                    via: str = "import", owner_id: int | None = None, origin: Mapping[str, Any] | None = None,
                    hook: writing.WriteHook | None = None, conn: sa.Connection | None = None,
                    records: bool = True) -> list[Record]:
        """Create records in one transaction: all of them, or (on any error) none; errors keyed `[i].field`. With
        `conn`, the write joins that open transaction (an import writes a batch and its checkpoint together);
        `records=False` returns [] instead of the records written (an import does not read them back)."""
        extras = writing.WriteExtras(origin or {}, hook)
        return self._create(actor, form_id, list(raws), fmt, via, owner_id, extras, numbered_errors=True, conn=conn,
                            records=records)

    def _create(self, actor: Actor, form_id: str, raws: list[Mapping[str, Any]], fmt: str, via: str,
                owner_id: int | None, extras: writing.WriteExtras, numbered_errors: bool,
                conn: sa.Connection | None = None, records: bool = True) -> list[Record]:
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("create")
        now = self.clock()
        fulls: list[dict[str, Any]] = []
        with writing.unique_guard(rt, fulls), self._transaction(conn) as conn:
            cache = reading.RelatedCache(conn, self.runtimes)
            owner = owner_id if owner_id is not None else actor.user_id
            system = {"created_at": now, "updated_at": now, "created_by": actor.user_id, "updated_by": actor.user_id,
                      "owner_id": owner, "department_id": self._department_of(conn, owner, actor), "version": 1}
            errors: list[Errors] = [{} for _ in raws]
            envs = []
            unseen = unseen_defaults(self.runtimes, actor, rt)
            ctx = self.filter_context(actor)
            for index, raw in enumerate(raws):
                errors[index].update(guard.write_errors(raw))
                values = parse_input(rt, raw, fmt, errors[index])
                drop_unreachable(conn, self.runtimes, actor, rt, values, None, ctx, errors[index])
                full = {**values, **system}
                env = self._env(rt, full, actor, cache, now)
                apply_defaults(rt, full, values.keys() | unseen if unseen else values.keys(), env)
                if rt.owner_field and rt.owner_field not in values and owner_id is not None:
                    full[rt.owner_field] = owner_id
                follow_stages(rt, None, full, values)
                self._roll_up(conn, rt, full, env)
                self._evaluate(rt, full, env, errors[index], None)
                check_stages(rt, None, full, actor, via, errors[index])
                fulls.append(full)
                envs.append(env)
            writing.check_references(conn, rt, self.runtimes, fulls, errors)
            writing.check_unique(conn, rt, fulls, errors)
            self._raise_errors(errors, numbered_errors)
            local = now.astimezone(self.tz)
            for numbering in rt.form.numbering:
                numbers = assign_serials(conn, rt.form.id, numbering, [(local, env.lookup) for env in envs])
                for full, number in zip(fulls, numbers):
                    full[numbering.field] = number
            if rt.formulas_read_serials:
                for full, env in zip(fulls, envs):
                    compute_formulas(rt, full, env)
            self._follow_owner_field(conn, rt, fulls)
            rows = [writing.main_row(rt, full, complete=True, into={**system, "owner_id": full["owner_id"],
                                                                    "department_id": full["department_id"]})
                    for full in fulls]
            ids = writing.insert_rows(conn, rt.main, rows)
            for full, record_id in zip(fulls, ids):
                full["id"] = record_id
            writing.write_children_many(conn, rt, list(zip(ids, fulls)), replace=False)
            writing.record_created(conn, rt, ids, actor.user_id, via, now, extras)
            record_moves(conn, rt, [None] * len(fulls), fulls, actor.user_id, via, now, extras.origin)
            self._refresh_dependents(conn, rt, [{}], fulls, actor, now, cache, extras)
            self._complete(conn, rt, fulls, actor)
        if not records:
            return []
        return [reading.to_record(rt, guard.mask(full)) for full in fulls]  # to_record copies

    @staticmethod
    def _raise_errors(errors: list[Errors], numbered: bool) -> None:
        merged: Errors = {}
        for index, errs in enumerate(errors):
            for path, items in errs.items():
                key = (f"[{index}].{path}" if path else f"[{index}]") if numbered else path
                merged[key] = items
        if merged:
            raise RecordInvalid(merged)

    @staticmethod
    def _follow_owner_field(conn: sa.Connection, rt: FormRuntime, fulls: Sequence[dict[str, Any]],
                            befores: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Where the form has an `owner` user field, the record's owner and department follow its value."""
        if not rt.owner_field:
            return
        changed = [f for i, f in enumerate(fulls) if f.get(rt.owner_field) is not None and
                   (befores is None or befores[i].get(rt.owner_field) != f.get(rt.owner_field))]
        owners = {int(f[rt.owner_field]) for f in changed}
        if not owners:
            return
        depts = dict(conn.execute(sa.select(users.c.id, users.c.department_id).where(users.c.id.in_(owners))).all())
        for full in changed:
            full["owner_id"] = int(full[rt.owner_field])
            full["department_id"] = depts.get(full["owner_id"])

    def _department_of(self, conn: sa.Connection, owner: int | None, actor: Actor) -> int | None:
        if owner is None or owner == actor.user_id:
            return actor.department_id
        return conn.execute(sa.select(users.c.department_id).where(users.c.id == owner)).scalar()

    def _evaluate(self, rt: FormRuntime, full: dict[str, Any], env: RecordEnv, errors: Errors,
                  before: Mapping[str, Any] | None) -> RuleState:
        """Formulas, rules and validation (no database access beyond related records), adding to `errors`."""
        failed: dict[str, str] = {}
        compute_formulas(rt, full, env, failed)
        rules = evaluate_rules(rt, env)
        rules.formula_errors = failed
        for field_id in rules.readonly:
            if before is not None and writing.json_value(rt, field_id, before.get(field_id)) != \
                    writing.json_value(rt, field_id, full.get(field_id)):
                f = rt.form.field(field_id)
                errors.setdefault(field_id, []).append(FieldError("read_only", {"label": f.label if f else field_id}))
        validate_values(rt, full, rules, errors)
        for rule in rules.failed:
            for target in rule.fields or ("",):
                errors.setdefault(target, []).append(check_errors(rule))
        return rules

    def _roll_up(self, conn: sa.Connection, rt: FormRuntime, full: dict[str, Any], env: RecordEnv) -> None:
        """Fill the record's rollups before its formulas, which may read them (a record not yet written has the
        empty totals: 0 for count and sum)."""
        if rt.read_computed:
            reading.resolve_rollups(conn, rt, self.runtimes, [full], self._env_factory(env))

    def _env_factory(self, env: RecordEnv) -> Callable[[FormRuntime, Mapping[str, Any]], RecordEnv]:
        def make(rt: FormRuntime, values: Mapping[str, Any]) -> RecordEnv:
            return RecordEnv(self.runtimes.defs, rt.form, values, env.now, env.tz, env.load, env.variables)
        return make

    def update(self, actor: Actor, form_id: str, record_id: int, raw: Mapping[str, Any], *, version: int,
               fmt: str = "json", via: str = "api", conn: sa.Connection | None = None,
               origin: Mapping[str, Any] | None = None, hook: writing.WriteHook | None = None) -> Record:
        """Change the fields given; `version` must be the one the caller read (else Conflict). With `conn`, the
        write joins that open transaction (a workflow step writes the record and its task together); `origin` and
        `hook` as for `create`."""
        extras = writing.WriteExtras(origin or {}, hook)
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("update")
        now = self.clock()
        written: list[dict[str, Any]] = []
        with writing.unique_guard(rt, written), self._transaction(conn) as conn:
            cache = reading.RelatedCache(conn, self.runtimes)
            self._reach(conn, guard, "update", record_id)
            before = self._load(conn, rt, record_id)
            check_record_lock(self.runtimes.defs, form_id, before, actor, via)
            if before["version"] != version:
                raise Conflict(form_id, record_id, version, before["version"], guard.mask(dict(before)))
            errors: Errors = guard.write_errors(raw)
            values = parse_input(rt, raw, fmt, errors)
            drop_unreachable(conn, self.runtimes, actor, rt, values, before, self.filter_context(actor), errors)
            full = {**before, **values, "updated_at": now, "updated_by": actor.user_id, "version": version + 1}
            written.append(full)
            env = self._env(rt, full, actor, cache, now)
            self._roll_up(conn, rt, full, env)
            follow_stages(rt, before, full, values)
            self._evaluate(rt, full, env, errors, before)
            check_stages(rt, before, full, actor, via, errors)
            writing.check_references(conn, rt, self.runtimes, [full], [errors])
            writing.check_unique(conn, rt, [full], [errors])
            if errors:
                raise RecordInvalid(errors)
            changes = writing.diff(rt, before, full)
            self._follow_owner_field(conn, rt, [full], [before])
            ownership = {k: full[k] for k in ("owner_id", "department_id") if full[k] != before[k]}
            self._write_update(conn, rt, record_id, version, full, now, actor, set(values) | set(rt.formulas),
                               ownership)
            writing.record_event(conn, rt, record_id, version + 1, "update", actor.user_id, via, now, changes, extras)
            record_moves(conn, rt, [before], [full], actor.user_id, via, now, extras.origin)
            self._refresh_dependents(conn, rt, [before], [full], actor, now, cache, extras)
            self._complete(conn, rt, [full], actor)
        return reading.to_record(rt, guard.mask(dict(full)))

    @contextmanager
    def _transaction(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        """The caller's open transaction, or a new write transaction."""
        if conn is not None:
            yield conn
            return
        with write_transaction(self.engine) as own:
            yield own

    def _write_update(self, conn: sa.Connection, rt: FormRuntime, record_id: int, version: int,
                      full: Mapping[str, Any], now: datetime, actor: Actor, touched: set[str],
                      system: Mapping[str, Any] | None = None) -> None:
        row = writing.main_row(rt, {k: v for k, v in full.items() if k in touched or "." in k})
        row.update(system or {})
        row.update(updated_at=now, updated_by=actor.user_id, version=version + 1)
        result = conn.execute(sa.update(rt.main).where(
            rt.main.c.id == record_id, rt.main.c.version == version, rt.main.c.deleted_at.is_(None)).values(row))
        if result.rowcount != 1:
            actual = conn.execute(sa.select(rt.main.c.version).where(rt.main.c.id == record_id)).scalar()
            raise Conflict(rt.form.id, record_id, version, int(actual or 0))
        touched_subforms = {s.id for s in rt.subforms if s.id in touched or any(k.startswith(f"{s.id}.") for k in touched)}
        writing.write_children(conn, rt, record_id, {k: full[k] for k in touched_subforms}, replace=True)

    def _load(self, conn: sa.Connection, rt: FormRuntime, record_id: int, deleted: bool = False) -> dict[str, Any]:
        clause = rt.main.c.deleted_at.is_not(None) if deleted else rt.main.c.deleted_at.is_(None)
        row = conn.execute(sa.select(rt.main).where(rt.main.c.id == record_id, clause)).first()
        if row is None:
            raise NotFound(rt.form.id, record_id)
        values = reading.row_values(rt, row)
        reading.load_children(conn, rt, [values])
        return values

    def _refresh_dependents(self, conn: sa.Connection, rt: FormRuntime, befores: Sequence[Mapping[str, Any]],
                            afters: Sequence[Mapping[str, Any]], actor: Actor, now: datetime,
                            cache: reading.RelatedCache, extras: writing.WriteExtras = writing.NO_EXTRAS,
                            depth: int = 0) -> None:
        """Recompute stored formulas of records whose rollups read the records just written (their events carry
        the write's `extras`)."""
        if depth > 5:
            return
        for parent_rt, rollup in self.runtimes.dependents_of(rt.form.id):
            link = str(rollup.get("link"))
            ids = {v.get(link) for v in [*befores, *afters] if v.get(link) is not None}
            if not ids or not parent_rt.formulas:
                continue
            for parent_id in sorted(int(str(i)) for i in ids):
                self._recompute(conn, parent_rt, parent_id, actor, now, cache, extras, depth)

    def _recompute(self, conn: sa.Connection, rt: FormRuntime, record_id: int, actor: Actor, now: datetime,
                   cache: reading.RelatedCache, extras: writing.WriteExtras, depth: int) -> None:
        try:
            before = self._load(conn, rt, record_id)
        except NotFound:
            return
        full = dict(before)
        env = self._env(rt, full, actor, cache, now)
        self._roll_up(conn, rt, full, env)
        compute_formulas(rt, full, env)
        changes = writing.diff(rt, before, full)
        if not changes:
            return
        version = before["version"]
        full.update(updated_at=now, version=version + 1)
        self._write_update(conn, rt, record_id, version, full, now, actor, set(rt.formulas))
        writing.record_event(conn, rt, record_id, version + 1, "update", actor.user_id, "rollup", now, changes, extras)
        self._refresh_dependents(conn, rt, [before], [full], actor, now, cache, extras, depth + 1)

    def delete(self, actor: Actor, form_id: str, record_id: int, *, version: int | None = None,
               via: str = "api") -> None:
        """Move a record to the recycle bin."""
        self._set_deleted(actor, form_id, record_id, version, via, deleted=True)

    def restore(self, actor: Actor, form_id: str, record_id: int, *, via: str = "api") -> Record:
        """Bring a record back from the recycle bin."""
        self._set_deleted(actor, form_id, record_id, None, via, deleted=False)
        return self.get(actor, form_id, record_id)

    def _set_deleted(self, actor: Actor, form_id: str, record_id: int, version: int | None, via: str,
                     deleted: bool) -> None:
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("delete")
        now = self.clock()
        restored: list[dict[str, Any]] = []
        with writing.unique_guard(rt, restored), write_transaction(self.engine) as conn:
            cache = reading.RelatedCache(conn, self.runtimes)
            self._reach(conn, guard, "delete", record_id, deleted=not deleted)
            before = self._load(conn, rt, record_id, deleted=not deleted)
            if deleted:
                check_record_lock(self.runtimes.defs, form_id, before, actor, via)
            restored.append(before)
            if version is not None and before["version"] != version:
                raise Conflict(form_id, record_id, version, before["version"], guard.mask(dict(before)))
            if not deleted:
                errors: Errors = {}
                writing.check_unique(conn, rt, [before], [errors])
                if errors:
                    raise RecordInvalid(errors)
            new_version = before["version"] + 1
            conn.execute(sa.update(rt.main).where(rt.main.c.id == record_id).values(
                deleted_at=now if deleted else None, version=new_version, updated_at=now, updated_by=actor.user_id))
            action = "delete" if deleted else "restore"
            writing.record_event(conn, rt, record_id, new_version, action, actor.user_id, via, now, None)
            self._refresh_dependents(conn, rt, [before], [], actor, now, cache)

    def purge(self, actor: Actor, form_id: str, record_id: int, *, via: str = "api") -> None:
        """Remove a record from the recycle bin for good (its history stays); needs the manage right."""
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("manage")
        now = self.clock()
        with write_transaction(self.engine) as conn:
            self._reach(conn, guard, "manage", record_id, deleted=True)
            before = self._load(conn, rt, record_id, deleted=True)
            for table in rt.tables.children.values():
                conn.execute(sa.delete(table).where(table.c.parent_id == record_id))
            conn.execute(sa.delete(rt.main).where(rt.main.c.id == record_id))
            writing.record_event(conn, rt, record_id, before["version"] + 1, "purge", actor.user_id, via, now, None)

    # -- reads -------------------------------------------------------------------------------------
    def get(self, actor: Actor, form_id: str, record_id: int, *, deleted: bool = False) -> Record:
        """One live record (or one in the recycle bin with deleted=True) with subforms, lookups and rollups."""
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("read")
        with read_transaction(self.engine) as conn:
            self._reach(conn, guard, "read", record_id, deleted)
            values = self._load(conn, rt, record_id, deleted)
            self._complete(conn, rt, [values], actor)
        return reading.to_record(rt, guard.mask(values))

    def list(self, actor: Actor, form_id: str, query: Query = Query(), *, operation: str = "read") -> Page:
        """A page of records matching the query, with the cursor of the next page. With another `operation`
        (export), it must be allowed too and only records both it and read reach are listed."""
        rt = self.runtime(form_id)
        guard = self.guard(actor, form_id)
        guard.require("read")
        guard.require(operation)
        narrowed = [op for op in dict.fromkeys(("read", operation)) if not guard.access.reaches_all(op)]
        ctx = self.filter_context(actor)
        query, visible_search = guard.narrow(query)
        stmt, keys = select_page(rt, query, ctx)
        stmt, joined = join_lookups(rt, self.runtimes, stmt, query.limit)
        done = {j.field for j in joined}
        extra: builtins.list[ColumnElement[bool]] = [visible_search] if visible_search is not None else []
        one_statement = not query.with_total and not (query.with_children and rt.subforms) and not narrowed \
            and all(f.id in done for f in rt.read_computed)
        with (single_statement if one_statement else read_transaction)(self.engine) as conn:
            extra += [guard.predicate(conn, op, ctx) for op in narrowed]
            if extra:
                stmt = stmt.where(*extra)
            count = count_query(rt, query, ctx, sa.and_(*extra) if extra else None) if query.with_total else None
            rows = conn.execute(stmt).all()
            more = len(rows) > query.limit
            rows = rows[:query.limit]
            records = [reading.row_values(rt, r) for r in rows]
            fill_joined(rows, records, joined)
            if query.with_children:
                reading.load_children(conn, rt, records)
            self._complete(conn, rt, records, actor, done)
            total = conn.execute(count).scalar_one() if count is not None else None
        cursor = cursor_of(rows[-1], keys) if more and rows else None
        exact = total is None or query.total_cap is None or total <= query.total_cap
        if not exact and query.total_cap is not None:
            total = query.total_cap
        return Page([reading.to_record(rt, guard.mask(v)) for v in records], cursor, total, exact)

    def totals(self, actor: Actor, form_id: str, query: Query, by: str,
               measure: str | None = None) -> Totals:
        """Count and sum of `measure` per value of `by` ("" for none) of the records the actor reads under the query's
        filters and search, in one aggregate query (a kanban board's columns)."""
        return column_totals(self, actor, form_id, query, by, measure)

    def initial_values(self, actor: Actor, form_id: str) -> dict[str, Any]:
        """The defaults a new record starts with ($me, $today, literals, default formulas), for empty forms."""
        rt = self.runtime(form_id)
        values: dict[str, Any] = {}
        with read_transaction(self.engine) as conn:
            env = self._env(rt, values, actor, reading.RelatedCache(conn, self.runtimes), self.clock())
            apply_defaults(rt, values, set(), env)
        return self.guard(actor, form_id).mask(values)

    def preview(self, actor: Actor, form_id: str, raw: Mapping[str, Any], fmt: str = "form",
                record_id: int | None = None) -> Preview:
        """The record as `raw` would save it (formulas, lookups, rules, errors), without writing anything."""
        return preview_record(self, actor, form_id, raw, fmt, record_id)

    def formula_errors(self, actor: Actor, form_id: str, record_id: int) -> dict[str, str]:
        """The error values (`#DIV/0!`) the record's stored formulas end in now, by field path (left empty)."""
        return formula_errors(self, actor, form_id, record_id)

    def titles(self, form_id: str, ids: Iterable[int], actor: Actor | None = None) -> dict[int, str]:
        """Display titles of records by id, in one query (for relation values in lists and pages). With an
        `actor`, only of records they may read (a hidden title field gives `#id`): for ids a request names."""
        rt = self.runtime(form_id)
        wanted = sorted({int(i) for i in ids if i is not None})
        title = rt.form.title_field()
        if not wanted:
            return {}
        guard = self.guard(actor, form_id) if actor is not None else None
        if guard is not None and not guard.access.can("read"):
            return {}
        if guard is not None and title in guard.access.hidden:
            title = "id"
        column = rt.main.c[title] if title in rt.main.c else rt.main.c.id
        with single_statement(self.engine) as conn:
            stmt = sa.select(rt.main.c.id, column).where(rt.main.c.id.in_(wanted))
            if guard is not None and not guard.access.reaches_all("read"):
                stmt = stmt.where(guard.predicate(conn, "read", self.filter_context(guard.actor)))
            rows = conn.execute(stmt).all()
        return {int(i): str(t) if t is not None and title != "id" else f"#{i}" for i, t in rows}

    def filter_context(self, actor: Actor) -> FilterContext:
        """Time, zone (the actor's own when chosen), user and dialect for filters."""
        return FilterContext(now=self.clock(), tz=zone_or(actor.timezone, self.tz), user_id=actor.user_id,
                             dialect=self.engine.dialect.name)

    def _complete(self, conn: sa.Connection, rt: FormRuntime, records: builtins.list[dict[str, Any]],
                  actor: Actor, done: Container[str] = ()) -> None:
        """Compute the lookups and rollups of `records`, but those already `done` (read by a join)."""
        if not records or all(f.id in done for f in rt.read_computed):
            return
        cache = reading.RelatedCache(conn, self.runtimes)
        reading.resolve_lookups(rt, records, cache, done)
        env = self._env(rt, {}, actor, cache, self.clock())
        # Rollups are facts of the record, aggregated over every related record whoever reads them, as the stored
        # formulas built on them were: a viewer who may not see a rollup has it (and those formulas) masked.
        reading.resolve_rollups(conn, rt, self.runtimes, records, self._env_factory(env))

    def history(self, actor: Actor, form_id: str, record_id: int) -> builtins.list[dict[str, Any]]:
        """The record's history, newest first (for a record the actor may read; hidden fields left out)."""
        from engine.storage.system import history as history_table

        guard = self.guard(actor, form_id)
        guard.require("read")
        with read_transaction(self.engine) as conn:
            self._reach(conn, guard, "read", record_id)
            rows = conn.execute(sa.select(history_table).where(
                history_table.c.form == form_id, history_table.c.record_id == record_id,
            ).order_by(history_table.c.id.desc()))
            found = [dict(r._mapping) for r in rows]
        for entry in found:
            if entry.get("changes"):
                entry["changes"] = guard.mask(dict(entry["changes"]))
        return found
