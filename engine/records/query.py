"""Build list queries: typed filters, quick search, sorting and keyset pagination, as SQL apart from running it."""

from __future__ import annotations

import base64
import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import QueryInvalid
from engine.fields.base import TEXT_OPS, FilterContext
from engine.records.model import Query
from engine.records.paths import path_filter, resolve_path
from engine.records.runtime import FormRuntime
from engine.records.terms import check_term

MAX_LIMIT = 1000
# Rows a page may skip by number: the database still reads every skipped row, so deep pages go by cursor instead.
MAX_OFFSET = 10_000
# Where a list's total stops counting ("10,000+"): past it a count reads rows nobody pages through.
COUNT_CAP = 10_000


def where_clause(rt: FormRuntime, query: Query, ctx: FilterContext) -> ColumnElement[bool]:
    """Every filter, the search and the recycle-bin switch, ANDed together."""
    table = rt.main
    clauses: list[ColumnElement[bool]] = [
        table.c.deleted_at.is_not(None) if query.deleted else table.c.deleted_at.is_(None)
    ]
    for flt in query.filters:
        path = resolve_path(rt, flt.field)
        if path is None or not path.ftype.stored:
            raise QueryInvalid("bad_filter", message=f"cannot filter on '{flt.field}'")
        if flt.op in TEXT_OPS:
            _check_terms(flt.value)
        clauses.append(path_filter(rt, path, flt, ctx))
    if query.search and query.search.strip():
        clauses.append(_search(rt, check_term(query.search.strip())))
    return sa.and_(*clauses)


def _check_terms(operand: Any) -> None:
    """A text operator's operand is a term, or {part: term} (an address): each becomes a LIKE pattern."""
    for term in operand.values() if isinstance(operand, dict) else (operand,):
        if isinstance(term, str):
            check_term(term)


def _search(rt: FormRuntime, term: str) -> ColumnElement[bool]:
    found = [rt.types[f.id].search_clause(f, rt.main, term) for f in rt.search_fields]
    parts = [p for p in found if p is not None]
    return sa.or_(*parts) if parts else sa.false()


def sort_keys(rt: FormRuntime, query: Query) -> list[tuple[str, ColumnElement[Any], bool]]:
    """(name, expression, descending) for each sort key, ending with id so the order is total."""
    keys: list[tuple[str, ColumnElement[Any], bool]] = []
    for name, desc in query.sort:
        f = rt.field(name)
        if f is None or name == "id" or not rt.field_type_of(f).stored:
            if name == "id":
                continue
            raise QueryInvalid("bad_sort", value=name)
        keys.append((name, rt.field_type_of(f).sort_key(f, rt.main), desc))
    # The id tie-break follows the last sort key's direction, so an index on that key serves the
    # whole ORDER BY (an index entry ends with the row id).
    id_desc = next((d for n, d in query.sort if n == "id"), keys[-1][2] if keys else True)
    keys.append(("id", rt.main.c.id, id_desc))
    return keys


def not_null(expr: ColumnElement[Any]) -> bool:
    """True for a column that never holds NULL (id, created_at, updated_at, version)."""
    return isinstance(expr, sa.Column) and not expr.nullable


def order_by(keys: list[tuple[str, ColumnElement[Any], bool]], dialect: str) -> list[ColumnElement[Any]]:
    """ORDER BY terms; empty values count as the smallest (SQLite's natural order, so its indexes serve). On
    PostgreSQL a nullable key says so (NULLS FIRST / DESC NULLS LAST, the order its sort indexes hold) and a
    NOT NULL key is sorted plainly, so the primary key and created_at indexes serve it."""
    terms: list[ColumnElement[Any]] = []
    for _, expr, desc in keys:
        term = expr.desc() if desc else expr.asc()
        if dialect == "postgresql" and not not_null(expr):
            term = term.nulls_last() if desc else term.nulls_first()
        terms.append(term)
    return terms


def seek_clause(keys: list[tuple[str, ColumnElement[Any], bool]], values: list[Any]) -> ColumnElement[bool] | None:
    """The cursor condition as one row comparison, `(k1, …, id) < (v1, …, id)`, which an index scan starts from
    (PostgreSQL and SQLite: the OR of after_clause makes SQLite walk the index from the top, so page n of an
    export costs n pages), when it means the same rows as after_clause: one direction, no NULL in the cursor, and only the
    first key nullable (ascending, every row after a value has one; descending, empty values come last)."""
    directions = {desc for _, _, desc in keys}
    if len(directions) != 1 or any(v is None for v in values) or not all(not_null(e) for _, e, _ in keys[1:]):
        return None
    desc = directions.pop()
    if desc and not not_null(keys[0][1]):
        return None  # the rows after it include the empty ones: `… OR k1 IS NULL` would not start an index scan
    row = sa.tuple_(*(expr for _, expr, _ in keys))
    bound = sa.tuple_(*(sa.literal(v, expr.type) for (_, expr, _), v in zip(keys, values)))
    return row < bound if desc else row > bound


def after_clause(keys: list[tuple[str, ColumnElement[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row in the order given by `keys` (empty values smallest)."""
    if len(values) != len(keys):
        raise QueryInvalid("bad_cursor")
    (_, expr, desc), value = keys[0], values[0]
    if len(keys) == 1:
        if value is None:
            raise QueryInvalid("bad_cursor")
        last: ColumnElement[bool] = expr < value if desc else expr > value
        return last
    rest = after_clause(keys[1:], values[1:])
    if value is None:
        return sa.and_(expr.is_(None), rest) if desc else sa.or_(expr.is_not(None), sa.and_(expr.is_(None), rest))
    if desc:
        return sa.or_(expr < value, expr.is_(None), sa.and_(expr == value, rest))
    return sa.or_(expr > value, sa.and_(expr == value, rest))


def select_page(rt: FormRuntime, query: Query, ctx: FilterContext) -> tuple[sa.Select[Any], list[tuple[str, ColumnElement[Any], bool]]]:
    """The SELECT of one page (one row more than the limit, to know whether a next page exists)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise QueryInvalid("bad_filter", message=f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= query.offset <= MAX_OFFSET:
        raise QueryInvalid("bad_filter", message=f"offset must be between 0 and {MAX_OFFSET}")
    keys = sort_keys(rt, query)
    where = where_clause(rt, query, ctx)
    if query.after:
        values = decode_cursor(query.after)
        if len(values) != len(keys) or not all(_fits(expr, v) for (_, expr, _), v in zip(keys, values)):
            raise QueryInvalid("bad_cursor")  # made for another sort, or forged: never let it reach the database
        seek = seek_clause(keys, values)
        where = sa.and_(where, seek if seek is not None else after_clause(keys, values))
    labelled = [expr.label(f"_k{i}") for i, (_, expr, _) in enumerate(keys)]
    stmt = sa.select(rt.main, *labelled).where(where).order_by(*order_by(keys, ctx.dialect)).limit(query.limit + 1)
    return (stmt.offset(query.offset) if query.offset else stmt), keys


def _fits(expr: ColumnElement[Any], value: Any) -> bool:
    """True when a cursor value has the Python type of its sort key's column (and a size the database takes)."""
    if value is None:
        return True
    try:
        expected = expr.type.python_type
    except NotImplementedError:
        return _storable(value)
    try:
        return _has_type(value, expected)
    except (ValueError, OverflowError, ArithmeticError):  # sNaN, or a number too large for a float
        return False


def _has_type(value: Any, expected: type) -> bool:
    if isinstance(value, bool) or expected is bool:
        return isinstance(value, bool) and expected is bool
    if expected is int:
        return isinstance(value, int) and abs(value) < 2**63
    if expected in (float, Decimal):
        return isinstance(value, (int, float, Decimal)) and math.isfinite(value) and abs(float(value)) < 1e30
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, expected) and _storable(value)


def _storable(value: Any) -> bool:
    """False for text neither database takes as a parameter: NUL (PostgreSQL) or a lone surrogate (UTF-8)."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def cursor_of(row: Any, keys: list[tuple[str, ColumnElement[Any], bool]]) -> str:
    """The cursor pointing just after `row` (selected by select_page)."""
    mapping = row._mapping
    return encode_cursor([mapping[f"_k{i}"] for i in range(len(keys))])


def count_query(rt: FormRuntime, query: Query, ctx: FilterContext,
                extra: ColumnElement[bool] | None = None) -> sa.Select[Any]:
    """SELECT count(*) under the same filters (and `extra`: the scope, a search narrowed to visible fields). With
    `query.total_cap` it counts at most cap + 1 rows (`SELECT count(*) FROM (SELECT 1 … LIMIT cap + 1)`), so a
    count over a million records stops early; cap + 1 means "more than cap"."""
    where = where_clause(rt, query, ctx)
    if extra is not None:
        where = sa.and_(where, extra)
    if query.total_cap is None:
        return sa.select(sa.func.count()).select_from(rt.main).where(where)
    if query.total_cap < 1:
        raise QueryInvalid("bad_filter", message="total_cap must be at least 1")
    capped = sa.select(sa.literal(1).label("one")).select_from(rt.main).where(where).limit(query.total_cap + 1)
    return sa.select(sa.func.count()).select_from(capped.subquery())


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor from the sort-key values of the last row of a page."""
    payload = json.dumps([_tag(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort-key values inside a cursor; QueryInvalid if it was not made by encode_cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        items = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(items, list):
            raise ValueError
        return [_untag(i) for i in items]
    except (ValueError, TypeError, KeyError, ArithmeticError, RecursionError):
        # forged: not base64 or JSON, nested too deep, a number Decimal cannot read (InvalidOperation)
        raise QueryInvalid("bad_cursor") from None


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise QueryInvalid("bad_sort", value=repr(value))


def _untag(item: Any) -> Any:
    if isinstance(item, dict):
        if "dt" in item:
            return datetime.fromisoformat(item["dt"])
        if "d" in item:
            return date.fromisoformat(item["d"])
        if "n" in item:
            return Decimal(item["n"])
        raise ValueError
    if item is None or isinstance(item, (bool, int, float, str)):
        return item
    raise ValueError
