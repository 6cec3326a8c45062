"""Reports on a read replica (DATABASE_REPLICA_URL): datasets are computed on the replica, every other read and every
write goes to the primary. The replica here is a copy of the primary taken at one moment (a separate database), so
which one a number came from shows in the number."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.records.model import Actor
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report
from engine.settings import Settings
from engine.storage.system import history
from engine.workspace import Workspace
from tests.conftest import FIXTURES, add_user, publish_directory

ADMIN = Actor(user_id=1, is_admin=True)
COUNT = ReportDef(id="customers", app="sales", label="customers", form="customer",
                  measures=(MeasureDef("customers", aggregate="count"),))
BY_GRADE = ReportDef(id="by_grade", app="sales", label="by grade", form="customer",
                     dimensions=(DimensionDef("grade", "grade"),), measures=(MeasureDef("n", aggregate="count"),))


def open_ws(home: Path, url: str, replica: str = "") -> Workspace:
    return Workspace.open(Settings.load({"home": str(home), "database_url": url, "database_replica_url": replica},
                                        environ={}))


def add_customers(ws: Workspace, *names: str, grade: str = "A") -> None:
    for name in names:
        ws.records.create(ADMIN, "customer", {"name": name, "grade": grade})


def copy_database(ws: Workspace, url: str, tmp_path: Path) -> str:
    """A snapshot of the primary as a second database: the stand-in for a replica (frozen at this moment)."""
    if url.startswith("sqlite"):
        target = tmp_path / "replica.db"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"
    ws.engine.dispose()  # CREATE DATABASE … TEMPLATE needs the primary without sessions
    name = url.rsplit("/", 1)[1] + "_replica"
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def catch_up(ws: Workspace, *tables: sa.Table) -> None:
    """Replay on the replica the rows the primary has beyond it, in one transaction (a replica applies a commit
    whole): the records and the history entries that move the data mark."""
    assert ws.replica is not None
    with ws.replica.begin() as replica, ws.engine.connect() as primary:
        for table in tables:
            seen = replica.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            rows = [dict(r) for r in primary.execute(sa.select(table).where(table.c.id > seen)).mappings()]
            assert rows, f"the primary has nothing new in {table.name}"
            replica.execute(sa.insert(table), rows)


@pytest.fixture
def primary(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    ws = open_ws(tmp_path / "ws", db_url)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    add_customers(ws, "Acme", "Bolt", "Core")
    yield ws
    ws.close()


def test_reports_read_the_replica_and_everything_else_the_primary(primary: Workspace, db_url: str,
                                                                    tmp_path: Path) -> None:
    replica_url = copy_database(primary, db_url, tmp_path)
    add_customers(primary, "Dune", "Echo", grade="C")  # on the primary only: the replica has not seen them yet
    ws = open_ws(tmp_path / "ws", db_url, replica_url)
    try:
        assert ws.replica is not None and ws.replica.url != ws.engine.url
        assert run_report(ws.records, ADMIN, COUNT).totals["customers"] == 3  # the replica's number
        grades = {row[0].key: row[1] for row in run_report(ws.records, ADMIN, BY_GRADE).rows}
        assert grades == {"A": 3}
        assert len(ws.records.list(ADMIN, "customer").records) == 5  # lists read the primary
        add_customers(ws, "Fern")  # writes go to the primary
        assert len(ws.records.list(ADMIN, "customer").records) == 6
        assert run_report(ws.records, ADMIN, COUNT).totals["customers"] == 3  # the replica has not caught up
        with ws.replica.connect() as conn:
            assert conn.execute(sa.text(f'SELECT count(*) FROM "{ws.records.runtime("customer").main.name}"')).scalar() == 3
    finally:
        ws.close()
    without = open_ws(tmp_path / "ws", db_url)
    try:
        assert without.replica is None
        assert run_report(without.records, ADMIN, COUNT).totals["customers"] == 6  # no replica: the primary
    finally:
        without.close()


def test_a_replica_catching_up_shows_at_once_though_the_result_was_kept(primary: Workspace, db_url: str,
                                                                         tmp_path: Path) -> None:
    replica_url = copy_database(primary, db_url, tmp_path)
    ws = open_ws(tmp_path / "ws", db_url, replica_url)
    try:
        assert run_report(ws.records, ADMIN, COUNT).totals["customers"] == 3
        add_customers(ws, "Dune")  # the primary moves on: the replica's data and its data mark stay as they were
        assert run_report(ws.records, ADMIN, COUNT).totals["customers"] == 3
        assert ws.replica is not None
        catch_up(ws, ws.records.runtime("customer").main, history)  # the record and its history entry, as WAL does
        assert run_report(ws.records, ADMIN, COUNT).totals["customers"] == 4
    finally:
        ws.close()


def test_a_backup_leaves_the_replica_out(primary: Workspace, db_url: str, backend: str, tmp_path: Path,
                                         request: pytest.FixtureRequest) -> None:
    """The replica belongs to where a copy runs, like the database URL: a restored copy elsewhere must not go on
    reading the old site's replica."""
    from engine.backup.service import create_backup, restore_backup
    from tests.conftest import _fresh_pg_database

    ws = open_ws(tmp_path / "ws", db_url, db_url)  # any reachable URL stands for the replica here
    try:
        archive = create_backup(ws, tmp_path / "out" / "site.tar.gz").path
    finally:
        ws.close()
    target = "" if backend == "sqlite" else _fresh_pg_database(request.getfixturevalue("postgres_server"))
    restored = restore_backup(archive, tmp_path / "restored", target)
    config = (restored.home / "config.json").read_text()
    assert "database_replica_url" not in config
    again = Workspace.open(Settings.load({"home": str(restored.home)}, environ={}))
    try:
        assert again.replica is None
        assert run_report(again.records, ADMIN, COUNT).totals["customers"] == 3
    finally:
        again.close()
