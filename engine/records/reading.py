"""Read records: rows → typed values, subform rows, and lookups and rollups computed in batches (no N+1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from engine.definitions.model import FieldDef
from engine.fields.registry import field_type, record_target
from engine.fields.types.relations import Rollup
from engine.formulas import compile_formula, evaluate
from engine.errors import FormulaError
from engine.records.env import RecordEnv
from engine.records.model import Record
from engine.records.runtime import FormRuntime, Runtimes

SYSTEM_KEYS = ("id", "version", "created_at", "updated_at", "created_by", "updated_by", "owner_id",
               "department_id", "deleted_at", "wf_state")
SYSTEM_KEY_SET = frozenset(SYSTEM_KEYS)


def row_values(rt: FormRuntime, row: Any) -> dict[str, Any]:
    """Typed values of the stored fields of one main-table row, plus its system columns.

    Most field types read their one column as it comes back from the driver, so the row is taken
    as a dict and only the few types with their own reader (address, formula…) are converted.
    """
    data: dict[str, Any] = dict(zip(rt.column_names, row)) if isinstance(row, sa.Row) else dict(row)
    for f, ftype in rt.custom_readers:
        data[f.id] = ftype.from_db(f, data)
    for column in rt.extra_columns:
        data.pop(column, None)
    return data


def to_record(rt: FormRuntime, values: Mapping[str, Any]) -> Record:
    """A Record from a full values mapping (fields and system columns)."""
    fields = dict(values)
    pop = fields.pop  # every SYSTEM_KEYS key is taken out before Record gets `fields` (arguments run first)
    return Record(rt.form.id, pop("id", None), pop("version", None), fields, pop("created_at", None),
                  pop("updated_at", None), pop("created_by", None), pop("updated_by", None), pop("owner_id", None),
                  pop("department_id", None), pop("deleted_at", None), pop("wf_state", None))


class RelatedCache:
    """Values of related records, fetched by batches of ids and kept for the operation."""

    def __init__(self, conn: sa.Connection, runtimes: Runtimes):
        self.conn, self.runtimes = conn, runtimes
        self._rows: dict[tuple[str, int], dict[str, Any] | None] = {}

    def prefetch(self, form_id: str, ids: Iterable[Any]) -> None:
        """Load every not-yet-loaded id of a form in one query."""
        wanted = {int(i) for i in ids if i is not None and (form_id, int(i)) not in self._rows}
        if not wanted or form_id not in self.runtimes:
            return
        rt = self.runtimes[form_id]
        for chunk in _chunks(sorted(wanted), 500):
            rows = self.conn.execute(sa.select(rt.main).where(rt.main.c.id.in_(chunk), rt.main.c.deleted_at.is_(None)))
            for row in rows:
                self._rows[(form_id, row.id)] = row_values(rt, row)
        for i in wanted:
            self._rows.setdefault((form_id, i), None)

    def get(self, form_id: str, record_id: int) -> dict[str, Any] | None:
        """One related record's values (loaded on first use)."""
        if (form_id, record_id) not in self._rows:
            self.prefetch(form_id, [record_id])
        return self._rows.get((form_id, record_id))


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def load_children(conn: sa.Connection, rt: FormRuntime, records: list[dict[str, Any]]) -> None:
    """Attach subform rows to each record's values, one query per subform."""
    if not rt.subforms or not records:
        return
    ids = [r["id"] for r in records]
    for sub in rt.subforms:
        table = rt.tables.children[sub.id]
        rows_by_parent: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for chunk in _chunks(ids, 500):
            stmt = sa.select(table).where(table.c.parent_id.in_(chunk)).order_by(table.c.parent_id, table.c.position)
            for row in conn.execute(stmt):
                m = row._mapping
                rows_by_parent[m["parent_id"]].append({
                    c.id: rt.types[f"{sub.id}.{c.id}"].from_db(c, m) for c in sub.fields
                    if rt.types[f"{sub.id}.{c.id}"].stored
                })
        for r in records:
            r[sub.id] = rows_by_parent.get(r["id"], [])


def resolve_lookups(rt: FormRuntime, records: list[dict[str, Any]], cache: RelatedCache,
                    done: Container[str] = ()) -> None:
    """Fill lookup fields by walking their paths, prefetching each hop for all records at once (but those `done`,
    read with the records by a join)."""
    for f in rt.read_computed:
        path = rt.types[f.id].reads_path(f)
        if not path or f.id in done:
            continue
        form = rt.form
        current: list[list[Any]] = [[r.get(path[0])] for r in records]
        field = form.field(path[0])
        for step in path[1:]:
            if field is None or record_target(field) is None:
                current = [[] for _ in records]
                break
            target = rt.defs.forms[str(record_target(field))]
            flat_ids = [_ids(v) for vals in current for v in vals]
            cache.prefetch(target.id, [i for ids in flat_ids for i in ids])
            current = [[(cache.get(target.id, i) or {}).get(step) for v in vals for i in _ids(v)] for vals in current]
            form, field = target, target.field(step)
        many = any(field_type(h.type).many for h in _path_fields(rt, path))
        for r, vals in zip(records, current):
            r[f.id] = vals if many else (vals[0] if vals else None)


def _path_fields(rt: FormRuntime, path: list[str]) -> list[FieldDef]:
    found, form = [], rt.form
    for step in path[:-1]:
        field = form.field(step)
        if field is None:
            break
        found.append(field)
        if field.get("to") in rt.defs.forms:
            form = rt.defs.forms[str(field.get("to"))]
    return found


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, list):
        return [int(v) for v in value if v is not None]
    return [int(value)]


def resolve_rollups(conn: sa.Connection, rt: FormRuntime, runtimes: Runtimes, records: list[dict[str, Any]],
                    env_factory: Any = None) -> None:
    """Fill rollup fields with one grouped query per rollup (filtered rollups aggregate in Python), over every
    live related record: a rollup is a fact of the record, the same whoever reads it."""
    ids = [r["id"] for r in records if r.get("id") is not None]
    for f in rt.read_computed:
        if not isinstance(rt.types[f.id], Rollup):
            continue
        totals = rollup_values(conn, runtimes, f, ids, env_factory) if ids else {}
        empty = 0 if f.get("aggregate", "count") in ("count", "sum") else None
        for r in records:
            r[f.id] = totals.get(int(r["id"]), empty) if r.get("id") is not None else empty


def rollup_values(conn: sa.Connection, runtimes: Runtimes, f: FieldDef, ids: list[int],
                  env_factory: Any = None) -> dict[int, Any]:
    """Aggregate of one rollup field for each parent id."""
    source = runtimes[str(f.get("source"))]
    link = source.main.c[str(f.get("link"))]
    aggregate = str(f.get("aggregate", "count"))
    target = source.form.field(str(f.get("field"))) if f.get("field") else None
    if f.get("filter"):
        return _rollup_in_python(conn, source, f, link, target, aggregate, ids, env_factory)
    column = source.main.c[target.id] if target is not None else source.main.c.id
    functions: dict[str, Any] = {"count": sa.func.count, "sum": sa.func.sum, "avg": sa.func.avg, "min": sa.func.min,
                                 "max": sa.func.max}
    func = functions[aggregate]
    stmt = (sa.select(link, func(column)).where(link.in_(ids), source.main.c.deleted_at.is_(None))
            .group_by(link))
    result: dict[int, Any] = {}
    for parent_id, value in conn.execute(stmt):
        result[int(parent_id)] = _number(value) if aggregate in ("sum", "avg", "count") else value
    return result


def _rollup_in_python(conn: sa.Connection, source: FormRuntime, f: FieldDef, link: Any, target: FieldDef | None,
                      aggregate: str, ids: list[int], env_factory: Any) -> dict[int, Any]:
    expr = compile_formula(str(f.get("filter")))
    groups: dict[int, list[Any]] = defaultdict(list)
    stmt = sa.select(source.main).where(link.in_(ids), source.main.c.deleted_at.is_(None))
    for row in conn.execute(stmt):
        values = row_values(source, row)
        env: RecordEnv = env_factory(source, values)
        try:
            keep = bool(evaluate(expr, env))
        except FormulaError:
            keep = False
        if keep:
            groups[int(row._mapping[link.name])].append(values.get(target.id) if target else 1)
    return {k: _aggregate(aggregate, v) for k, v in groups.items()}


def _aggregate(aggregate: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if aggregate == "count":
        return len(values)
    if not present:
        return None
    if aggregate == "sum":
        return sum((Decimal(str(v)) for v in present), Decimal(0))
    if aggregate == "avg":
        return sum((Decimal(str(v)) for v in present), Decimal(0)) / len(present)
    return min(present) if aggregate == "min" else max(present)


def _number(value: Any) -> Any:
    if value is None or isinstance(value, (int, Decimal)):
        return value
    return Decimal(str(value))
