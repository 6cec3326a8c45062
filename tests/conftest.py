"""Shared fixtures: a throw-away PostgreSQL for the session, fresh workspaces on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("FORMWORK_FAST_HASH", "1")  # argon2 at minimum cost; set before engine.org is imported

import pytest
import sqlalchemy as sa

from tests.pg import ThrowawayPostgres

FIXTURES = Path(__file__).parent / "fixtures"
_db_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of the session's throw-away PostgreSQL server (maintenance database)."""
    server = ThrowawayPostgres()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _fresh_pg_database(server_url: str) -> str:
    name = f"t_{os.getpid()}_{next(_db_counter)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A brand-new empty database: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return _fresh_pg_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    """A brand-new empty PostgreSQL database."""
    return _fresh_pg_database(postgres_server)


class Clock:
    """A clock the test controls."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc))  # 10:30 in Asia/Shanghai


def open_workspace(url: str, home: Path, clock: Clock | None = None):  # type: ignore[no-untyped-def]
    from engine.settings import Settings
    from engine.workspace import Workspace

    settings = Settings.load({"home": str(home), "database_url": url, "timezone": "Asia/Shanghai"}, environ={})
    return Workspace.open(settings, clock=clock) if clock else Workspace.open(settings)


@pytest.fixture
def fresh_workspace(db_url: str, tmp_path: Path, clock: Clock):  # type: ignore[no-untyped-def]
    """An empty workspace on SQLite or PostgreSQL with a controlled clock."""
    ws = open_workspace(db_url, tmp_path / "ws", clock)
    yield ws
    ws.close()


def publish_directory(ws, root: Path, prefix: str = "") -> None:  # type: ignore[no-untyped-def]
    from engine.definitions.loader import read_directory

    ws.publish({f"{prefix}{k}": v for k, v in read_directory(root).items()})


@pytest.fixture
def shop(fresh_workspace):  # type: ignore[no-untyped-def]
    """A workspace with the test 'shop' definitions installed."""
    publish_directory(fresh_workspace, FIXTURES / "shop", "shop/")
    add_user(fresh_workspace, "alice")
    return fresh_workspace


def add_user(ws, username: str, *, admin: bool = True, roles: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
             department_id: int | None = None, attributes: dict | None = None) -> int:  # type: ignore[type-arg]
    """Create a user (the first one gets id 1); an administrator unless the test is about permissions."""
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction

    with write_transaction(ws.engine) as conn:
        return create_user(conn, NewUser(username, username.title(), password="correct horse 1", is_admin=admin,
                                         roles=roles, department_id=department_id, attributes=attributes), ws.now())
