"""Insert many rows of one shape at the cost of the driver's own executemany.

SQLAlchemy's executemany builds a parameter dict per row and runs each column's bind processor per value. A bulk
write's rows all have the same columns, and many of their values are one shared object (the write's time, its
author, its version): here the statement is compiled once per batch, each column is converted as a whole, a value
met again in a column is converted once, and the driver gets one tuple (or dict) per row. On PostgreSQL a big
batch goes by `COPY`, which spares the server a statement per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

COPY_FROM = 50  # rows from which PostgreSQL gets them by COPY rather than executemany


def insert_many(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """`INSERT INTO table` every row; rows whose keys differ go through SQLAlchemy's own executemany."""
    if not rows:
        return
    keys = list(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        conn.execute(sa.insert(table), list(rows))
        return
    compiled = sa.insert(table).compile(dialect=conn.dialect, column_keys=keys)
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
    by_name = {name: compiled.binds[name].key for name in names}
    if sorted(by_name.values()) != sorted(keys) or len(rows) == 1:
        conn.execute(sa.insert(table), list(rows))  # defaults or renamed binds: let SQLAlchemy do it
        return
    columns = [_converted([row[by_name[name]] for row in rows], _processor(table.c[by_name[name]], conn.dialect))
               for name in names]
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(conn, table, [by_name[name] for name in names], columns)
        return
    params: list[Any] = list(zip(*columns)) if compiled.positional else \
        [dict(zip(names, values)) for values in zip(*columns)]
    conn.exec_driver_sql(compiled.string, params)


def _copy(conn: sa.Connection, table: sa.Table, keys: list[str], columns: list[list[Any]]) -> None:
    """PostgreSQL: the rows through `COPY … FROM STDIN` (text format: the server parses each value as its column's
    type, as it does a bound parameter), in the connection's transaction. A refused row (a unique index) raises
    SQLAlchemy's IntegrityError, as an INSERT would."""
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in keys)}) FROM STDIN"
    raw: Any = conn.connection.dbapi_connection  # psycopg's Connection
    dbapi = conn.dialect.dbapi
    assert dbapi is not None
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for values in zip(*columns):
                copy.write_row(values)
    except dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


def _processor(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind processor on this dialect (None: values go to the driver as they are)."""
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _converted(values: list[Any], processor: Callable[[Any], Any] | None) -> list[Any]:
    """The column's values as the driver takes them; an object met just before is converted once."""
    if processor is None:
        return values
    out: list[Any] = []
    last: Any = object()
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, processor(value)
        out.append(done)
    return out
