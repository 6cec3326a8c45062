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

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION formwork_org_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_marks SET value = value + 1 WHERE name = '{ORG}';
  RETURN NULL;
END $$
"""
_PG_DEFINITIONS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION formwork_definitions_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_marks SET value = value + 1 WHERE name = '{DEFINITIONS}';
  RETURN NULL;
END $$
"""
_PG_TOKENS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION formwork_tokens_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_marks SET value = value + 1 WHERE name = '{TOKENS}';
  RETURN NULL;
END $$
"""


def install(engine: Engine) -> None:
    """The org counter and its triggers (idempotent: run each time a workspace opens)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"INSERT INTO data_marks (name, value) VALUES ('{ORG}', 0) ON CONFLICT DO NOTHING")
            conn.exec_driver_sql(_PG_FUNCTION)
            for table in ORG_TABLES:
                conn.exec_driver_sql(
                    f"CREATE OR REPLACE TRIGGER formwork_org_mark_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION formwork_org_mark()")
            conn.exec_driver_sql(f"INSERT INTO data_marks (name, value) VALUES ('{TOKENS}', 0) ON CONFLICT DO NOTHING")
            conn.exec_driver_sql(_PG_TOKENS_FUNCTION)
            conn.exec_driver_sql(
                "CREATE OR REPLACE TRIGGER formwork_tokens_mark AFTER UPDATE OF revoked_at OR DELETE OR TRUNCATE "
                "ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION formwork_tokens_mark()")
            conn.exec_driver_sql(
                f"INSERT INTO data_marks (name, value) VALUES ('{DEFINITIONS}', 0) ON CONFLICT DO NOTHING")
            conn.exec_driver_sql(_PG_DEFINITIONS_FUNCTION)
            conn.exec_driver_sql(
                "CREATE OR REPLACE TRIGGER formwork_definitions_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                "ON meta_documents FOR EACH STATEMENT EXECUTE FUNCTION formwork_definitions_mark()")
        else:
            conn.exec_driver_sql(f"INSERT OR IGNORE INTO data_marks (name, value) VALUES ('{ORG}', 0)")
            for table in ORG_TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER IF NOT EXISTS formwork_org_mark_{table}_{event.lower()} AFTER {event} "
                        f"ON {table} BEGIN UPDATE data_marks SET value = value + 1 WHERE name = '{ORG}'; END")
            conn.exec_driver_sql(f"INSERT OR IGNORE INTO data_marks (name, value) VALUES ('{TOKENS}', 0)")
            for event in ("UPDATE OF revoked_at", "DELETE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER IF NOT EXISTS formwork_tokens_mark_{event.split()[0].lower()} AFTER {event} "
                    f"ON api_tokens BEGIN UPDATE data_marks SET value = value + 1 WHERE name = '{TOKENS}'; END")
            conn.exec_driver_sql(f"INSERT OR IGNORE INTO data_marks (name, value) VALUES ('{DEFINITIONS}', 0)")
            for event in ("INSERT", "UPDATE", "DELETE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER IF NOT EXISTS formwork_definitions_mark_{event.lower()} AFTER {event} ON meta_documents "
                    f"BEGIN UPDATE data_marks SET value = value + 1 WHERE name = '{DEFINITIONS}'; END")


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
