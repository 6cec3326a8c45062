"""Marks: values that change whenever data a cached result was computed from may have changed.

- Records: every record write (create, update, delete, restore, purge, transfer, import) adds rows to the record
  history in its own transaction, so the highest history id moves with each one. On PostgreSQL, ids are taken
  when rows are inserted and transactions commit in any order: a write still in progress may later commit under
  an id below the highest one seen. So the mark is only given while no other transaction of the database is
  writing (every record write has written its record, and so holds a transaction id, before it takes a history
  id); otherwise a cache simply computes again.
- The organisation (users, departments, memberships, role members): database triggers count every change in
  `data_marks`, whichever code (admin pages, CLI, sign-up, a script) made it.
- API tokens: a trigger counts every revocation or deletion of a token (not the once-a-minute note of its last
  use), so a process that keeps tokens in memory sees a revocation made by any other process at once.
- Definitions: a trigger counts every change to the stored documents (a publish, a rollback, a template install),
  so every web process sees another's publish on its next request (read with the identity marks, at no extra cost).
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.storage.system import data_marks, history

ORG = "org"
ORG_TABLES = ("users", "departments", "memberships", "role_members")
TOKENS = "tokens"
DEFINITIONS = "definitions"

# Each counter and the tables whose changes move it: (table, PostgreSQL trigger events, SQLite trigger events).
_ALL = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
COUNTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    ORG: [(table, _ALL, ("INSERT", "UPDATE", "DELETE")) for table in ORG_TABLES],
    TOKENS: [("api_tokens", "UPDATE OF revoked_at OR DELETE OR TRUNCATE", ("UPDATE OF revoked_at", "DELETE"))],
    DEFINITIONS: [("meta_documents", _ALL, ("INSERT", "UPDATE", "DELETE"))],
}


INSTALL_LOCK = 0x666F726D  # the advisory lock `install` holds on PostgreSQL ("form")


def install(engine: Engine) -> None:
    """The counters and their triggers (idempotent: run each time a workspace opens)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # processes opening the workspace at once would race on the functions
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({INSTALL_LOCK})")  # ("tuple concurrently updated")
        for counter, tables in COUNTED.items():
            bump = f"UPDATE data_marks SET value = value + 1 WHERE name = '{counter}';"
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    f"INSERT INTO data_marks (name, value) VALUES ('{counter}', 0) ON CONFLICT DO NOTHING")
                conn.exec_driver_sql(f"CREATE OR REPLACE FUNCTION formwork_{counter}_mark() RETURNS trigger "
                                     f"LANGUAGE plpgsql AS $$ BEGIN {bump} RETURN NULL; END $$")
                for table, events, _ in tables:
                    conn.exec_driver_sql(
                        f"CREATE OR REPLACE TRIGGER formwork_{counter}_mark_{table} AFTER {events} ON {table} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION formwork_{counter}_mark()")
            else:
                conn.exec_driver_sql(f"INSERT OR IGNORE INTO data_marks (name, value) VALUES ('{counter}', 0)")
                for table, _, sqlite_events in tables:
                    for event in sqlite_events:
                        conn.exec_driver_sql(
                            f"CREATE TRIGGER IF NOT EXISTS formwork_{counter}_mark_{table}_{event.split()[0].lower()} "
                            f"AFTER {event} ON {table} BEGIN {bump} END")


def data_mark(conn: sa.Connection) -> tuple[object, object] | None:
    """(records mark, organisation mark), or None when it cannot be trusted now (see the module's note)."""
    if conn.dialect.name == "postgresql":
        busy = conn.exec_driver_sql(  # writing transactions of this database, other than ours
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()").scalar()
        if busy:
            return None
    records = conn.execute(sa.select(sa.func.max(history.c.id))).scalar()
    org = conn.execute(sa.select(data_marks.c.value).where(data_marks.c.name == ORG)).scalar()
    return records, org


class IdentityMarks(NamedTuple):
    """What users, roles, departments and API tokens kept in memory depend on, and the definitions' mark read with
    them (so a process learns of another's publish on its next signed-in request without another query)."""

    org: int
    tokens: int
    definitions: int


_IDENTITY_MARKS = sa.select(data_marks.c.name, data_marks.c.value).where(
    data_marks.c.name.in_((ORG, TOKENS, DEFINITIONS)))


def identity_marks(conn: sa.Connection) -> IdentityMarks:
    found = {str(name): int(value) for name, value in conn.execute(_IDENTITY_MARKS)}
    return IdentityMarks(found.get(ORG, 0), found.get(TOKENS, 0), found.get(DEFINITIONS, 0))


def definitions_mark(conn: sa.Connection) -> int:
    """The definitions' counter alone: it moves with every change to the stored documents."""
    return int(conn.execute(sa.select(data_marks.c.value).where(data_marks.c.name == DEFINITIONS)).scalar() or 0)
