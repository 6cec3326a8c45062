"""A throw-away PostgreSQL cluster on a free loopback port, for the test session."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

WAIT = "300"  # seconds pg_ctl may wait for the server to start or stop (its default, 60, is short on a loaded machine)
MEMORY = Path("/dev/shm")  # a tmpfs on Linux: the suite's temporary files go there when it has room
MEMORY_NEEDED = 8 << 30  # bytes free in it for that


def use_memory_for_temporary_files() -> None:
    """Put this process's temporary files (pytest's tmp_path, the throw-away PostgreSQL cluster, subprocesses'
    files) in memory when /dev/shm is a writable tmpfs with room: on this machine kind a new PostgreSQL database
    takes 30 ms there against 300 ms on disk, and opening a workspace on it 120 ms against 400 ms. Each test's
    folder is removed when it passes (pytest's retention policy "failed") and each test's database is dropped, so
    the suite holds little at a time."""
    chosen = os.environ.get("FORMWORK_TEST_TMP")  # decided once: xdist's workers take the controller's choice
    if chosen is None or (chosen and not os.path.isdir(chosen)):
        chosen = ""
        try:
            if os.access(MEMORY, os.W_OK) and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED:
                chosen = tempfile.mkdtemp(prefix="formwork-tests-", dir=MEMORY)
                os.chmod(chosen, 0o755)  # the cluster inside runs as the postgres user when the suite runs as root
        except OSError:
            chosen = ""
        os.environ["FORMWORK_TEST_TMP"] = chosen
    if chosen:
        os.environ["TMPDIR"] = chosen
        tempfile.tempdir = chosen


def remove_memory_folder() -> None:
    """Remove the folder `use_memory_for_temporary_files` chose (the controlling process, after a run that passed:
    a failed run's files stay there to be looked at)."""
    chosen = os.environ.get("FORMWORK_TEST_TMP")
    if chosen and Path(chosen).parent == MEMORY:
        shutil.rmtree(chosen, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (make test installs Debian's postgresql)")
    return path


class ThrowawayPostgres:
    """initdb + pg_ctl in a temp dir; runs as the postgres user when we are root (initdb refuses root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="formwork-pg-"))
        self.data = self.root / "data"
        self.user: str | None = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off " \
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", WAIT, "-l", str(self.root / "log"), "-o", opts,
                  "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", WAIT, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_admins: dict[str, sa.Engine] = {}


def _admin(server_url: str) -> sa.Engine:
    """An engine on the server's maintenance database, kept for the process (a connection costs a fork)."""
    engine = _admins.get(server_url)
    if engine is None:
        engine = _admins[server_url] = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1)
    return engine


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """Create database `name` (a copy of `template` if given) on the server; its URL."""
    with _admin(server_url).connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    """Drop the database of `url` (a test's, once it is done), closing any connection left on it."""
    base, name = url.rsplit("/", 1)
    with _admin(f"{base}/postgres").connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement run on `engine` inside the block, with its parameters (to EXPLAIN what a service ran)."""
    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def explain(engine: sa.Engine, statement: str, parameters: Any) -> dict[str, Any]:
    """The top node of PostgreSQL's plan (EXPLAIN FORMAT JSON) of a statement captured by `statements`."""
    import json

    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            row = cursor.fetchone()
    assert row is not None
    plan = row[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]  # type: ignore[no-any-return]
