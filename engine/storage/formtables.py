"""Build SQLAlchemy tables from form definitions: one table per form, a child table per subform."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.registry import field_type
from engine.storage.sqltypes import UTCDateTime

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True)
class FormTables:
    """The main table of a form and the child tables of its subforms (by subform field id)."""

    form: FormDef
    main: sa.Table
    children: dict[str, sa.Table] = field(default_factory=dict)


def child_table_name(form: FormDef, subform: FieldDef) -> str:
    """`f_<app>_<form>__<subform>`."""
    return f"{form.table}__{subform.id}"


def _field_columns(fields: tuple[FieldDef, ...]) -> list[sa.Column]:  # type: ignore[type-arg]
    columns: list[sa.Column] = []  # type: ignore[type-arg]
    for f in fields:
        ftype = field_type(f.type)
        if ftype.stored and not ftype.layout_only:
            columns.extend(ftype.columns(f))
    return columns


def _system_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.BigInteger),
        sa.Column("owner_id", sa.BigInteger),
        sa.Column("department_id", sa.BigInteger),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", UTCDateTime),
        sa.Column("wf_state", sa.String(40)),
    ]


def index_name(table: str, suffix: str) -> str:
    """An index name that fits PostgreSQL's 63-character limit, stable for the same input."""
    name = f"ix_{table}_{suffix}"
    if len(name) <= 60:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:51]}_{digest}"


def unique_index_name(table: str, field_id: str) -> str:
    """The name of the partial unique index that backs a `unique` field (found again in integrity errors)."""
    return index_name(table, f"{field_id}_uq")


def _sort_index(table: sa.Table, name: str, column: str, dialect: str | None) -> sa.Index:
    """An index that serves list sorts on `column` (then id, the tie-break). Lists sort empty values first
    (SQLite's order): on PostgreSQL the index holds the column NULLS FIRST, then id, so it serves
    `col ASC NULLS FIRST, id` read forward and `col DESC NULLS LAST, id DESC` read backward; an SQLite index
    entry already ends with the row id and puts NULL first."""
    col = table.c[column]
    if dialect != "postgresql":
        return sa.Index(name, col)
    return sa.Index(name, col if not col.nullable else col.nulls_first(), table.c.id)


TRIGRAM_OPS = "gin_trgm_ops"


def searched_fields(form: FormDef) -> list[FieldDef]:
    """The fields quick search (and a picker's type-ahead) matches: the form's `search:` list, else its stored
    searchable fields."""
    if form.search:
        return [f for f in form.fields if f.id in form.search]
    return [f for f in form.fields if field_type(f.type).stored and not field_type(f.type).layout_only
            and field_type(f.type).searchable]


def _search_indexes(table: sa.Table, form: FormDef) -> None:
    """On PostgreSQL, a trigram GIN index (pg_trgm) per searched column, so `ILIKE '%term%'` (quick search, a
    picker's type-ahead) is answered from the index instead of reading the whole table."""
    for f in searched_fields(form):
        for column in field_type(f.type).search_columns(f):
            sa.Index(index_name(table.name, f"{column}_trgm"), table.c[column], postgresql_using="gin",
                     postgresql_ops={column: TRIGRAM_OPS})


def is_trigram(index: sa.Index) -> bool:
    """True for an index that needs the pg_trgm extension."""
    return TRIGRAM_OPS in (index.dialect_options["postgresql"].get("ops") or {}).values()


SCOPE_COLUMNS = {"own": "owner_id", "department": "department_id", "department_tree": "department_id"}


def scope_columns(defs: Definitions, form_id: str) -> list[str]:
    """The columns the roles' data scopes on a form select by (owner_id for `own`, department_id for the
    department scopes), in a stable order."""
    found = {SCOPE_COLUMNS[p.scope] for role in defs.roles for f, p in role.permissions.items()
             if f == form_id and p.scope in SCOPE_COLUMNS}
    return sorted(found)


def _scoped_sort_index(table: sa.Table, scope: str, column: str) -> sa.Index:
    """On PostgreSQL, (scope column, sort column NULLS FIRST, id): a scoped user's list sorted by the column is read
    from it in order (`owner_id = 7 ORDER BY stage, id`), instead of sorting every record the scope reaches."""
    col = table.c[column]
    return sa.Index(index_name(table.name, f"{scope}_{column}"), table.c[scope],
                    col if not col.nullable else col.nulls_first(), table.c.id)


def _indexes(table: sa.Table, fields: tuple[FieldDef, ...], dialect: str | None,
             scopes: tuple[str, ...] = ()) -> None:
    """Add the indexes of a form's main table: relations, owner, department, created_at and marked fields; on
    PostgreSQL the scope columns of `scopes` combined with created_at and the marked fields."""
    name = table.name
    for column in ("owner_id", "created_at", "department_id"):
        _sort_index(table, index_name(name, column), column, dialect)
    if dialect == "postgresql":
        for scope in scopes:
            for column in ["created_at", *(f.id for f in fields if f.index and not f.unique
                                            and field_type(f.type).stored and len(field_type(f.type).columns(f)) == 1)]:
                _scoped_sort_index(table, scope, column)
    for f in fields:
        ftype = field_type(f.type)
        if not ftype.stored or ftype.layout_only:
            continue
        wanted = f.index or f.unique or f.type in ("relation", "user", "department", "serial")
        if not wanted:
            continue
        column = [c.name for c in ftype.columns(f)][0]
        if f.unique:  # among live records only: a deleted record keeps its value until purged or restored
            live = sa.text("deleted_at IS NULL")
            key = table.c[column].nulls_first() if dialect == "postgresql" else table.c[column]
            sa.Index(unique_index_name(name, f.id), key, unique=True, sqlite_where=live, postgresql_where=live)
        else:
            _sort_index(table, index_name(name, f.id), column, dialect)


def build_form_tables(form: FormDef, metadata: sa.MetaData, dialect: str | None = None,
                      scopes: tuple[str, ...] = ()) -> FormTables:
    """Define the tables of one form in `metadata`; indexes take the shape that serves list sorts on `dialect` (and
    under the data scopes selecting by the columns `scopes`)."""
    main = sa.Table(form.table, metadata, *_system_columns(), *_field_columns(form.fields))
    _indexes(main, form.fields, dialect, scopes)
    if dialect == "postgresql":
        _search_indexes(main, form)
    children: dict[str, sa.Table] = {}
    for f in form.fields:
        if f.type != "subform":
            continue
        name = child_table_name(form, f)
        children[f.id] = sa.Table(
            name, metadata,
            sa.Column("id", ID, primary_key=True, autoincrement=True),
            sa.Column("parent_id", sa.BigInteger, sa.ForeignKey(f"{form.table}.id", ondelete="CASCADE"), nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            *_field_columns(f.fields),
            sa.Index(index_name(name, "parent_id"), "parent_id", "position"),
        )
    return FormTables(form, main, children)


def build_all(defs: Definitions, metadata: sa.MetaData, dialect: str | None = None) -> dict[str, FormTables]:
    """Tables of every form, by form id."""
    return {form.id: build_form_tables(form, metadata, dialect, tuple(scope_columns(defs, form.id)))
            for form in defs.forms.values()}
