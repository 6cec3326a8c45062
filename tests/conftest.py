"""Shared fixtures: a throw-away PostgreSQL for the session, fresh workspaces on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("FORMWORK_FAST_HASH", "1")  # argon2 at minimum cost; set before engine.org is imported

import pytest
import sqlalchemy as sa

from tests.pg import (ThrowawayPostgres, create_database, drop_database, remove_memory_folder,
                      use_memory_for_temporary_files)
from tests.prepared import PreparedWorkspaces

use_memory_for_temporary_files()  # before pytest picks its base temporary folder (this file loads first)

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == 0 and not hasattr(session.config, "workerinput"):  # the controller, after every worker ended
        remove_memory_folder()
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
    return create_database(server_url, f"t_{os.getpid()}_{next(_db_counter)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: each test that uses a workspace runs once on each."""
    return str(request.param)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A brand-new empty database: an SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url = _fresh_pg_database(request.getfixturevalue("postgres_server"))
    request.addfinalizer(lambda: drop_database(url))  # after the workspaces on it closed (fixtures end in reverse)
    return url


def server_url(request: pytest.FixtureRequest, backend: str) -> str | None:
    """The session's PostgreSQL server when the test runs on PostgreSQL, else None."""
    return str(request.getfixturevalue("postgres_server")) if backend == "postgresql" else None


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> PreparedWorkspaces:
    """This worker's templates of prepared workspaces (see tests/prepared.py)."""
    return PreparedWorkspaces(tmp_path_factory.mktemp("prepared"))


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A brand-new empty PostgreSQL database (dropped after the test)."""
    url = _fresh_pg_database(postgres_server)
    yield url
    drop_database(url)


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
def fresh_workspace(request: pytest.FixtureRequest, backend: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                    clock: Clock):
    """An empty workspace on SQLite or PostgreSQL with a controlled clock (in a test that also uses `shop`, the shop
    workspace, as `shop` is this workspace with the shop published)."""
    if "shop" in request.fixturenames:
        yield request.getfixturevalue("shop")
        return
    ws = open_workspace(request.getfixturevalue("db_url"), tmp_path / "ws", clock)
    yield ws
    ws.close()


def publish_directory(ws, root: Path, prefix: str = "") -> None:  # type: ignore[no-untyped-def]
    from engine.definitions.loader import read_directory

    ws.publish({f"{prefix}{k}": v for k, v in read_directory(root).items()})


def _shop_recipe(ws) -> None:  # type: ignore[no-untyped-def]
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")


@pytest.fixture
def shop(request: pytest.FixtureRequest, backend: str):  # type: ignore[no-untyped-def]
    """A workspace with the test 'shop' definitions installed and the administrator alice (user 1): a clone of
    the one this worker prepared."""
    return prepared_workspace(request, _shop_recipe)


def prepared_workspace(request: pytest.FixtureRequest, build: Callable[[Any], None]):  # type: ignore[no-untyped-def]
    """For a fixture that asks for `backend` (so that it runs on each database): a clone of what `build` (a
    module-level function) makes of an empty workspace, on the test's clock; closed after the test (see
    tests/prepared.py)."""
    prepared: PreparedWorkspaces = request.getfixturevalue("prepared")
    ws = prepared.clone(build, request.getfixturevalue("tmp_path"), request.getfixturevalue("clock"),
                        server_url(request, request.getfixturevalue("backend")))

    def done() -> None:
        ws.close()
        if ws.engine.dialect.name == "postgresql":
            drop_database(ws.engine.url.render_as_string(hide_password=False))
    request.addfinalizer(done)
    return ws


def add_user(ws, username: str, *, admin: bool = True, roles: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
             department_id: int | None = None, attributes: dict | None = None) -> int:  # type: ignore[type-arg]
    """Create a user (the first one gets id 1); an administrator unless the test is about permissions."""
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction

    with write_transaction(ws.engine) as conn:
        return create_user(conn, NewUser(username, username.title(), password="correct horse 1", is_admin=admin,
                                         roles=roles, department_id=department_id, attributes=attributes), ws.now())
