"""Create SQLAlchemy engines for SQLite (embedded default, WAL) and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.fields.types.text_order_sql import SQLITE_FUNCTION
from engine.text_order import pinyin_key


def normalise_url(url: str) -> str:
    """Accept plain postgres:// and postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings Formwork relies on (WAL, foreign keys and a busy timeout on SQLite)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, manage transactions, so BEGIN IMMEDIATE below takes effect.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Text fields sort by pinyin: ORDER BY formwork_pinyin(col) (engine/fields/types/text_order_sql.py).
    dbapi_connection.create_function(SQLITE_FUNCTION, 1, pinyin_key, deterministic=True)


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A write transaction takes the write lock up front: a read-then-write transaction can then never
    # fail half-way with "database is locked", and counters and unique checks are serialised.
    # Reads begin deferred so that they never wait for writers (WAL).
    options = connection.get_execution_options()
    if options.get("formwork_write"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif not options.get("formwork_single_statement"):
        connection.exec_driver_sql("BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction meant for writing; commits on success, rolls back on error."""
    with engine.connect() as conn:
        conn = conn.execution_options(formwork_write=True)
        with conn.begin():
            yield conn


@contextmanager
def single_statement(engine: Engine) -> Iterator[sa.Connection]:
    """A connection for one read statement: it is consistent on its own, so no explicit BEGIN is sent."""
    with engine.connect() as conn:
        yield conn.execution_options(formwork_single_statement=True)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A connection in a read transaction (a consistent snapshot on both databases)."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


def is_sqlite(engine: Engine | sa.Connection) -> bool:
    """True for SQLite."""
    return engine.dialect.name == "sqlite"
