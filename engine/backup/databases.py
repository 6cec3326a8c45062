"""How each database kind is copied into an archive and back: SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore in custom format. A registry by dialect name, one class each."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from engine.backup.errors import BackupError
from engine.storage.database import create_engine, normalise_url


class DatabaseKind(Protocol):
    """One kind of database: its dump file's name in the archive, how to take a snapshot and how to restore it."""

    name: str
    dump_name: str

    def snapshot(self, engine: Engine, target: Path) -> AbstractContextManager[sa.Connection]:
        """Write a consistent copy of the database to `target`; yields a connection that reads that same state."""

    def is_empty(self, url: str) -> bool:
        """Whether the database at `url` holds no tables."""

    def restore(self, dump: Path, url: str) -> None:
        """Load a dump written by `snapshot` into the empty database at `url`."""


def kind_of(url: str) -> str:
    """The database kind of a SQLAlchemy URL: 'sqlite' or 'postgresql'."""
    return make_url(normalise_url(url)).get_backend_name()


class Sqlite:
    """The embedded SQLite file, copied page by page while the server keeps writing (WAL readers never block)."""

    name = "sqlite"
    dump_name = "formwork.db"

    @contextmanager
    def snapshot(self, engine: Engine, target: Path) -> Iterator[sa.Connection]:
        with engine.connect() as conn:
            source = conn.connection.driver_connection
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)  # type: ignore[union-attr]
            finally:
                dest.close()
        copy = sa.create_engine(f"sqlite:///{target}")
        try:
            with copy.connect() as conn:
                yield conn
        finally:
            copy.dispose()

    def is_empty(self, url: str) -> bool:
        database = make_url(url).database
        return not database or not Path(database).exists() or Path(database).stat().st_size == 0

    def restore(self, dump: Path, url: str) -> None:
        database = make_url(url).database
        if not database:
            raise BackupError("SQLite 数据库地址没有文件名", "the SQLite database URL names no file")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, database)


class Postgres:
    """A PostgreSQL database, dumped by the pg_dump matching the server, in the snapshot our own transaction sees."""

    name = "postgresql"
    dump_name = "formwork.dump"

    @contextmanager
    def snapshot(self, engine: Engine, target: Path) -> Iterator[sa.Connection]:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                _run(_tool("pg_dump", conn), ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                     engine.url)
                yield conn

    def is_empty(self, url: str) -> bool:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return not sa.inspect(conn).get_table_names()
        except sa.exc.OperationalError as exc:
            shown = engine.url.render_as_string(hide_password=True)
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise BackupError(f"无法连接数据库 {shown}：{detail}", f"cannot connect to {shown}: {detail}") from None
        finally:
            engine.dispose()

    def restore(self, dump: Path, url: str) -> None:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                tool = _tool("pg_restore", conn)
            _run(tool, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump)],
                 engine.url)
        finally:
            engine.dispose()


KINDS: dict[str, DatabaseKind] = {k.name: k for k in (Sqlite(), Postgres())}


def _tool(name: str, conn: sa.Connection) -> str:
    """The PostgreSQL client program `name` of the server's major version (or the newest installed one above)."""
    major = int(str(conn.exec_driver_sql("SHOW server_version_num").scalar())) // 10000
    installed = {int(p.split("/")[4]): p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
                 if p.split("/")[4].isdigit()}
    usable = sorted(v for v in installed if v >= major)
    if usable:
        return installed[usable[0]]
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"找不到 PostgreSQL {major} 的 {name}：请安装 postgresql-client-{major}",
                      f"{name} for PostgreSQL {major} is not installed: install postgresql-client-{major}")


def _run(tool: str, args: list[str], url: sa.URL) -> None:
    """Run a PostgreSQL client against `url` (the password passed in the environment, never on the command line)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    name = Path(tool).name
    result = subprocess.run([tool, f"--dbname={target}", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupError(f"{name} 失败：{detail}", f"{name} failed: {detail}")
