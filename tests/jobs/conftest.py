"""Fixtures for the job system on real processes: a throw-away Redis, workspaces on a file (or PostgreSQL) that a
`formwork worker` subprocess opens too, the worker processes themselves, and a webhook receiver on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import sqlalchemy as sa

from engine.jobs.tables import automation_runs, jobs
from engine.records.model import Actor
from engine.settings import SETTINGS, Settings
from engine.storage.database import read_transaction
from engine.workspace import Workspace
from tests.conftest import FIXTURES, _fresh_pg_database, add_user, publish_directory
from tests.redis_server import RedisUnavailable, ThrowawayRedis

ME = Actor(user_id=1, is_admin=True)
SECRET = "workspace-signing-secret-1"
BACKOFF = 0.2  # seconds before a failed job's first retry, in tests
PATIENCE = 120.0  # seconds any wait on a worker may take before the test fails: a safety net, never a pace
FORMWORK = Path(sys.executable).with_name("formwork")
# what a worker must not inherit from the shell running the tests: it would beat the workspace's config.json
SCRUBBED = {s.env for s in SETTINGS}


# --- Redis ----------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_server() -> Iterator[ThrowawayRedis]:
    """The session's throw-away redis-server (loopback, free port, nothing on disk); tests may stop and start it."""
    try:
        server = ThrowawayRedis()
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: ThrowawayRedis) -> str:
    """The throw-away Redis, running and empty (a test before may have stopped it or left keys in it)."""
    redis_server.start()
    redis_server.flush()
    return redis_server.url


# --- workspaces shared with worker processes ------------------------------------------------------------------------

def database_url(request: pytest.FixtureRequest, db: str, home: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{home / 'formwork.db'}"
    return _fresh_pg_database(request.getfixturevalue("postgres_server"))


def open_shop(home: Path, url: str, **settings: str) -> Workspace:
    """A workspace whose config.json a worker process reads too: the shop forms, user alice (id 1), real time."""
    values = {"home": str(home), "database_url": url, "secret": SECRET, "timezone": "Asia/Shanghai",
              "job_backoff": str(BACKOFF), **settings}
    Settings.load(values, environ={}).save()
    ws = Workspace.open(Settings.load({"home": str(home)}, environ={}))
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    return ws


@pytest.fixture
def shop_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """Make a shop workspace on "sqlite" (a file) or "postgresql" (a new database), closed after the test."""
    opened: list[Workspace] = []

    def make(db: str = "sqlite", **settings: str) -> Workspace:
        home = tmp_path / f"ws{len(opened)}"
        home.mkdir()
        ws = open_shop(home, database_url(request, db, home), **settings)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


def publish_automation(ws: Workspace, text: str) -> None:
    body = dedent(text).strip() + "\n"
    ident = body.split("\n", 1)[0].split(":", 1)[1].strip()
    ws.publish({f"automations/{ident}.yaml": body})


def publish_update_then_webhook(ws: Workspace, url: str) -> None:
    """`tell`: on a new customer, write a note on it, then call `url` (two actions, so a crash can fall between)."""
    publish_automation(ws, f"""
        automation: tell
        label: Tell
        form: customer
        trigger: {{type: created}}
        actions:
          - {{type: update, values: {{notes: "'told ' & name"}}}}
          - {{type: webhook, url: "{url}"}}
    """)


def job_rows(ws: Workspace, kind: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(jobs).order_by(jobs.c.created_at, jobs.c.key)
    if kind:
        query = query.where(jobs.c.kind == kind)
    with read_transaction(ws.engine) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def run_rows(ws: Workspace, automation: str) -> list[dict[str, Any]]:
    with read_transaction(ws.engine) as conn:
        query = sa.select(automation_runs).where(automation_runs.c.automation == automation) \
            .order_by(automation_runs.c.started_at, automation_runs.c.key)
        return [dict(r) for r in conn.execute(query).mappings()]


def automation_edits(ws: Workspace, form: str, record_id: int) -> list[dict[str, Any]]:
    """The history entries an automation wrote on a record."""
    return [h for h in ws.records.history(ME, form, record_id) if h["via"] == "automation"]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, *, every: float = 0.05,
               worker: Worker | None = None) -> Any:
    """Poll until `predicate()` is truthy (returning it); fail naming `what` (and the worker's log) at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.exited():
            pytest.fail(f"the worker exited ({worker.process.returncode}) before {what}:\n{worker.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}"
                        + (f"\nworker log:\n{worker.log_tail()}" if worker else ""))
        time.sleep(every)


# --- worker processes -----------------------------------------------------------------------------------------------

def worker_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update({f"FORMWORK_{k.upper()}": v for k, v in settings.items()})
    return env


class Worker:
    """A real `formwork worker` process (its own process group, so a kill takes rq's scheduler child too)."""

    count = 0

    def __init__(self, ws: Workspace, redis_url: str, *, burst: bool = False, **settings: str):
        Worker.count += 1
        home = ws.settings.home_path
        self.log_path = home / f"worker-{Worker.count}.log"
        command = [str(FORMWORK), "worker", "--home", str(home), "--redis-url", redis_url]
        command += ["--burst"] if burst else []
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=worker_env(**settings), start_new_session=True)

    def exited(self) -> bool:
        return self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL the worker and its children at once: no cleanup, no finishing the job in hand."""
        if not self.exited():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(PATIENCE)

    def stop(self, timeout: float = PATIENCE) -> int:
        """Ask the worker to stop (SIGTERM, as a service manager does) and wait for it."""
        if not self.exited():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # rq's scheduler child, if it outlived the worker
        except ProcessLookupError:
            pass
        return int(self.process.returncode)

    def wait(self, timeout: float = PATIENCE) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the burst worker did not finish in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.is_file() else ""


@pytest.fixture
def workers() -> Iterator[Callable[..., Worker]]:
    """Start worker processes; any still running at the end of the test is killed."""
    started: list[Worker] = []

    def start(ws: Workspace, redis_url: str, **kwargs: Any) -> Worker:
        worker = Worker(ws, redis_url, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def run_burst(ws: Workspace, redis_url: str, **settings: str) -> str:
    """`formwork worker --burst` to the end: relay, push and run until nothing is left; returns its log."""
    worker = Worker(ws, redis_url, burst=True, **settings)
    code = worker.wait()
    assert code == 0, worker.log_tail()
    return worker.log_tail()


# --- a webhook receiver ---------------------------------------------------------------------------------------------

def verify(secret: str, headers: Any, body: bytes) -> bool:
    """The receiver's side of the contract in docs/automations.md (written out, not the engine's function)."""
    stamp = str(headers.get("X-Formwork-Timestamp") or "")
    expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return bool(stamp) and hmac.compare_digest(expected, str(headers.get("X-Formwork-Signature") or ""))


@dataclass
class Delivery:
    id: str
    valid: bool
    body: dict[str, Any]
    status: int
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    """An HTTP server on loopback: verifies each POST's signature, records it, and answers with the next of
    `statuses` (then 200, or 401 for a bad signature). With `hold_first`, the first POST is held open until
    `release()` (a worker can be killed while it waits for the answer)."""

    secret: str = SECRET
    statuses: list[int] = field(default_factory=list)
    hold_first: bool = False
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.arrived = threading.Event()  # the first POST came in
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = verify(receiver.secret, self.headers, body)
                with receiver._lock:
                    first = not receiver.arrived.is_set()
                    status = receiver.statuses.pop(0) if receiver.statuses else (200 if valid else 401)
                    receiver.deliveries.append(Delivery(str(self.headers["X-Formwork-Delivery"]), valid,
                                                        json.loads(body), status, time.monotonic()))
                    receiver.arrived.set()
                if first and receiver.hold_first:
                    receiver._release.wait(PATIENCE)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the caller is gone (killed while we held its request)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="webhook-receiver",
                                        daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def ids(self, *, ok: bool | None = None) -> list[str]:
        with self._lock:
            return [d.id for d in self.deliveries if ok is None or (200 <= d.status < 300) == ok]


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**kwargs: Any) -> Receiver:
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()
