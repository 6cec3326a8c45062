"""Schema sync: compare the tables the definitions need with the live database, show the plan, apply it.

Adding never rewrites a table (ADD COLUMN, CREATE INDEX); removing a field or a form keeps its column or
table until an explicit purge, so an admin can undo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Definitions
from engine.errors import DefinitionError, Problem
from engine.i18n import zh_en
from engine.storage import system
from engine.storage.database import write_transaction
from engine.storage.formtables import FormTables, build_all, is_trigram


@dataclass(frozen=True)
class Step:
    """One change the database needs; `applies` is False for what is only reported (kept columns)."""

    action: str  # create_table add_column add_index drop_index alter_column keep_column keep_table
    table: str
    name: str = ""
    detail: str = ""
    applies: bool = True
    payload: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        target = f"{self.table}.{self.name}" if self.name else self.table
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.action:<13} {target}{extra}"


@dataclass(frozen=True)
class Plan:
    """Everything sync would do, in order."""

    steps: tuple[Step, ...]

    @property
    def changes(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.applies)

    def is_empty(self) -> bool:
        return not self.changes

    def describe(self) -> list[str]:
        return [s.describe() for s in self.steps]


@dataclass(frozen=True)
class Schema:
    """The target schema: system tables plus the tables of every form, with indexes shaped for `dialect`."""

    metadata: sa.MetaData
    forms: dict[str, FormTables]
    defs: Definitions = field(default_factory=Definitions, compare=False, repr=False)
    dialect: str | None = None

    def for_dialect(self, dialect: str) -> Schema:
        """The same schema with the indexes one database needs (PostgreSQL's hold their NULLS order)."""
        return self if self.dialect == dialect else target_schema(self.defs, dialect)


def target_schema(defs: Definitions, dialect: str | None = None) -> Schema:
    """Build the full target MetaData for these definitions (indexes for `dialect`; compute_plan picks it)."""
    metadata = sa.MetaData()
    for table in system.metadata.sorted_tables:
        table.to_metadata(metadata)
    return Schema(metadata, build_all(defs, metadata, dialect), defs, dialect)


def _ours(name: str) -> bool:
    return name.startswith("f_") or name in system.metadata.tables


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table":
        return bool(name) and _ours(str(name))
    table = getattr(obj, "table", None)
    return table is None or _ours(table.name)


def compute_plan(conn: sa.Connection, schema: Schema) -> Plan:
    """Compare the live database (through `conn`) with the target schema built for its dialect."""
    schema = schema.for_dialect(conn.dialect.name)
    ctx = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True,
                                                 "render_as_batch": conn.dialect.name == "sqlite"})
    steps: list[Step] = []
    for diff in compare_metadata(ctx, schema.metadata):
        steps.extend(_steps(diff))
    # Indexes go before a column's type changes: a trigram index would refuse the column's new type (a text field
    # turned into a number is no longer searched, so its index is dropped).
    order = {"create_table": 0, "add_column": 1, "drop_index": 2, "alter_column": 3, "add_index": 4,
             "keep_column": 5, "keep_table": 6}
    return Plan(tuple(sorted(steps, key=lambda s: (order.get(s.action, 9), s.table, s.name))))


def _steps(diff: Any) -> list[Step]:
    if isinstance(diff, list):  # column modifications come grouped
        return [s for d in diff for s in _steps(d)]
    kind = diff[0]
    if kind == "add_table":
        table = diff[1]
        return [Step("create_table", table.name, detail=f"{len(table.columns)} columns", payload=table)]
    if kind == "remove_table":
        return [Step("keep_table", diff[1].name, detail="form removed; data kept until purged", applies=False)]
    if kind == "add_column":
        column = diff[3]
        return [Step("add_column", diff[2], column.name, str(column.type), payload=column)]
    if kind == "remove_column":
        return [Step("keep_column", diff[2], diff[3].name, "field removed; column kept until purged", applies=False)]
    if kind == "add_index":
        index = diff[1]
        return [Step("add_index", index.table.name, index.name or "", ", ".join(_terms(index)), payload=index)]
    if kind == "remove_index":
        index = diff[1]
        return [Step("drop_index", index.table.name, index.name or "", payload=index)]
    if kind == "modify_type":
        _, _, table, column, existing, old, new = diff
        return [Step("alter_column", table, column, f"{old} → {new}", payload=(new, existing))]
    if kind == "modify_nullable":
        return []  # nullability is the engine's business (required is enforced on write)
    return [Step(kind, str(diff[1]), detail="not applied automatically", applies=False)]


def _terms(index: sa.Index) -> list[str]:
    """An index's terms as written: `stage NULLS FIRST`, `id`."""
    return [e if isinstance(e, str) else e.name if isinstance(e, sa.Column)
            else str(e.compile(compile_kwargs={"include_table": False})) for e in index.expressions]


# A column's new value computed from its old one (a field type change converting its values).
Rewrite = Callable[[ColumnElement[Any]], ColumnElement[Any]]


def apply_plan(conn: sa.Connection, plan: Plan, rewrites: Mapping[tuple[str, str], Rewrite] | None = None) -> None:
    """Carry out a plan's changes on `conn` (inside the caller's transaction).

    `rewrites` (by table and column) convert stored values: within the column's ALTER when its type changes
    (PostgreSQL's USING, the copy of SQLite's table rebuild), else by an UPDATE, before the other steps.
    """
    ops = Operations(MigrationContext.configure(conn))
    rewrites = dict(rewrites or {})
    trigram = _trigram_ready(conn, plan)
    altered = {(s.table, s.name) for s in plan.changes if s.action == "alter_column"}
    for (table, column), rewrite in rewrites.items():
        if (table, column) not in altered:
            t = sa.table(table, sa.column(column))
            conn.execute(t.update().where(t.c[column].is_not(None)).values({column: rewrite(t.c[column])}))
    for step in plan.changes:
        if step.action == "create_table":
            if not trigram:
                step.payload.indexes.difference_update({i for i in step.payload.indexes if is_trigram(i)})
            step.payload.create(conn)
        elif step.action == "add_column":
            ops.add_column(step.table, _copy_column(step.payload))
        elif step.action == "add_index":
            index = step.payload
            if is_trigram(index) and not trigram:
                continue
            if index.unique:
                _refuse_duplicates(conn, step.table, [c.name for c in index.columns])
            index.create(conn)  # as defined: NULLS order, partial WHERE (sqlite_where, postgresql_where)
        elif step.action == "drop_index":
            ops.drop_index(step.name, table_name=step.table)
        elif step.action == "alter_column":
            _alter_column(conn, ops, step, rewrites.get((step.table, step.name)))


def _trigram_ready(conn: sa.Connection, plan: Plan) -> bool:
    """Whether the plan's trigram (search) indexes can be made: pg_trgm is there or this user may add it (it is a
    trusted extension since PostgreSQL 13). Without it they are left out and quick search reads the table."""
    wanted = [s for s in plan.changes if (s.action == "add_index" and is_trigram(s.payload))
              or (s.action == "create_table" and any(is_trigram(i) for i in s.payload.indexes))]
    if not wanted or conn.dialect.name != "postgresql":
        return bool(wanted)
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return True
    except sa.exc.DBAPIError:
        return False


def _alter_column(conn: sa.Connection, ops: Operations, step: Step, rewrite: Rewrite | None) -> None:
    new_type, existing = step.payload
    if conn.dialect.name == "sqlite":
        # SQLite rebuilds the table. Alembic's copy would CAST the values to the new column's affinity, which turns
        # '2024-03-05 08:00:00' into 2024 (NUMERIC): a field's conversion copies them as the rewrite makes them.
        def transfer(column: sa.Column[Any], moved: dict[str, Any], _new: Any) -> None:
            moved["expr"] = rewrite(moved["expr"])  # type: ignore[misc]

        own = Operations(MigrationContext.configure(conn)) if rewrite is not None else ops  # the override stays here
        if rewrite is not None:
            own.impl.cast_for_batch_migrate = transfer  # type: ignore[method-assign,union-attr]
        with own.batch_alter_table(step.table) as batch:
            batch.alter_column(step.name, type_=new_type, existing_nullable=existing.get("existing_nullable"))
        return
    target = new_type.compile(dialect=conn.dialect)
    if rewrite is None:
        using = f'"{step.name}"::{target}'
    else:
        value = rewrite(sa.column(step.name)).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        using = f"CAST(({value}) AS {target})"
    ops.alter_column(step.table, step.name, type_=new_type, postgresql_using=using)


def _refuse_duplicates(conn: sa.Connection, table: str, columns: list[str]) -> None:
    """A field can become unique only when its live values do not repeat: say which value does."""
    t = sa.table(table, *(sa.column(c) for c in columns), sa.column("deleted_at"))
    keys = [t.c[c] for c in columns]
    repeated = conn.execute(
        sa.select(*keys, sa.func.count()).where(t.c.deleted_at.is_(None), *(k.is_not(None) for k in keys))
        .group_by(*keys).having(sa.func.count() > 1).limit(1)).first()
    if repeated is not None:
        value = ", ".join(str(v) for v in repeated[:-1])
        raise DefinitionError([Problem(f"table {table}", 0, ".".join(columns), zh_en(
            f"不能设为唯一:值“{value}”被 {repeated[-1]} 条记录使用,请先修改这些记录",
            f"cannot be made unique: the value '{value}' is used by {repeated[-1]} records; change those records "
            "first"))])



def _copy_column(column: sa.Column[Any]) -> sa.Column[Any]:
    return sa.Column(column.name, column.type, nullable=True, server_default=column.server_default)


def sync(engine: Engine, defs: Definitions, *, dry_run: bool = False) -> Plan:
    """Compute the plan and, unless `dry_run`, apply it in one transaction."""
    schema = target_schema(defs)
    with write_transaction(engine) as conn:
        plan = compute_plan(conn, schema)
        if not dry_run:
            apply_plan(conn, plan)
    return plan


def purge_columns(engine: Engine, defs: Definitions, table: str, columns: Sequence[str]) -> None:
    """Drop columns kept after their fields were removed (rewrites the table on SQLite)."""
    schema = target_schema(defs)
    wanted = schema.metadata.tables.get(table)
    for name in columns:
        if wanted is not None and name in wanted.c:
            raise ValueError(f"column {table}.{name} still belongs to a field; remove the field first")
    with write_transaction(engine) as conn:
        ops = Operations(MigrationContext.configure(conn))
        if conn.dialect.name == "sqlite":
            with ops.batch_alter_table(table) as batch:
                for name in columns:
                    batch.drop_column(name)
        else:
            for name in columns:
                ops.drop_column(table, name)


def form_tables_present(conn: sa.Connection, table: str) -> list[str]:
    """The live tables of one form: its main table and its subforms' child tables (`<table>__<subform>`)."""
    names = sa.inspect(conn).get_table_names()
    return sorted(n for n in names if n == table or n.startswith(table + "__"))


def purge_tables(conn: sa.Connection, defs: Definitions, tables: Sequence[str]) -> None:
    """Drop tables kept after their form was removed (in the caller's transaction); refuses a table still in use."""
    wanted = target_schema(defs).metadata.tables
    for name in tables:
        if name in wanted or not name.startswith("f_"):
            raise ValueError(f"table {name} still belongs to a form; remove the form first")
    ops = Operations(MigrationContext.configure(conn))
    for name in sorted(tables, reverse=True):  # child tables (`<table>__<subform>`) before the table they point to
        ops.drop_table(name)
