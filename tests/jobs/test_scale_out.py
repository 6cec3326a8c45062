"""Scale-out, on real processes: two `formwork serve` processes and two `formwork worker` processes (rq) share one
PostgreSQL and one Redis. Clients drive mixed writes through both web processes at once — creates, read-then-update
with the version check on a few records everyone updates, workflow submissions and approvals — while one worker is
SIGKILLed half-way. Then: no accepted write is missing and no accepted update was lost (versions and counters
agree), the automation on each new ticket created its record exactly once, and a session signed in on one web
process works on the other (and ends on both when it ends on one)."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from engine.org.tokens import create_token
from engine.settings import Settings
from engine.storage.database import read_transaction, write_transaction
from engine.workspace import Workspace
from tests.conftest import _fresh_pg_database, add_user
from tests.jobs.conftest import FORMWORK, PATIENCE, SECRET, Worker, job_rows, wait_until, worker_env
from tests.pg import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITES = int(os.environ.get("FORMWORK_SCALE_WRITES", "2000"))  # requests that write, over all clients
CLIENTS = 4  # two sign in with a session cookie, two use a bearer token; each alternates between the web processes
PATTERN = "CUCUCUCUSA"  # per ten writes: 4 creates, 4 updates, a workflow submission and an approval
HOT = 8  # records every client updates, through both web processes
LEASE = "2"  # seconds before the killed worker's job is taken over
PASSWORD = "correct horse 1"  # tests.conftest.add_user's

DOCS = {
    "ops/app.yaml": "app: ops\nlabel: {zh: 运维, en: Ops}\nforms: [ticket, echo]\n",
    "ops/forms/ticket.yaml": """form: ticket
label: {zh: 工单, en: Ticket}
title: title
fields:
  - {id: title, type: text, label: {zh: 标题, en: Title}, required: true}
  - {id: n, type: integer, label: {zh: 计数, en: Count}, default: 0}
  - {id: status, type: select, label: {zh: 状态, en: Status}, options: [open, approved]}
""",
    "ops/forms/echo.yaml": """form: echo
label: {zh: 回执, en: Echo}
title: source
fields:
  - {id: source, type: text, label: {zh: 来源, en: Source}, required: true}
""",
    "automations/echo_ticket.yaml": """automation: echo_ticket
label: {zh: 回执, en: Echo}
form: ticket
trigger: {type: created}
actions:
  - {type: create, form: echo, values: {source: "title"}}
""",
    "workflows/ticket_check.yaml": """workflow: ticket_check
label: {zh: 工单审批, en: Ticket check}
form: ticket
nodes:
  - {id: start, type: start, label: {zh: 提交, en: Submit}, next: check}
  - {id: check, type: approval, label: {zh: 审批, en: Check}, assignees: [{users: [alice]}], next: end}
  - {id: end, type: end, label: {zh: 结束, en: End}, set: {status: approved}}
""",
}


# --- HTTP on keep-alive connections -----------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        found = {}
        for raw in self.headers.get_all("set-cookie") or []:
            name, _, rest = raw.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


class Http:
    """One keep-alive connection to one web process, reconnecting when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)

    def send(self, method: str, path: str, *, body: Any = None, form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        sent = dict(headers or {})
        data: bytes | None = None
        if body is not None:
            data, sent["content-type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data, sent["content-type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=sent)
                response = self.conn.getresponse()
                return Answer(response.status, response.headers, response.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # uvicorn closed the idle keep-alive connection before the request reached it: send it again on a
                # new one (had it been run, a repeated update would answer 409 and the counts below would show it)
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def csrf_of(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1).decode()


# --- the processes -----------------------------------------------------------------------------------------------------

class Server:
    """A real `formwork serve` process on a free port (its own process group)."""

    def __init__(self, home: Path, name: str):
        self.port = free_port()
        self.log_path = home / f"serve-{name}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(FORMWORK), "serve", "--home", str(home), "--port", str(self.port), "--workers", "1"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=worker_env(),
                start_new_session=True)

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"formwork serve exited ({self.process.returncode}):\n{self.log_tail()}")
        try:
            probe = Http(self.port)
            try:
                return probe.send("GET", "/login").status == 200
            finally:
                probe.close()
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(PATIENCE)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(PATIENCE)

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.is_file() else ""


@dataclass
class Site:
    ws: Workspace
    servers: list[Server]
    workers: list[Worker]
    token: str


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[Site]:
    """The ops workspace on a new PostgreSQL database, two web processes and two workers on it."""
    home = tmp_path / "ws"
    home.mkdir()
    url = _fresh_pg_database(request.getfixturevalue("postgres_server"))
    Settings.load({"home": str(home), "database_url": url, "secret": SECRET, "redis_url": redis_url,
                   "job_lease": LEASE, "job_backoff": "0.2", "timezone": "Asia/Shanghai"}, environ={}).save()
    ws = Workspace.open(Settings.load({"home": str(home)}, environ={}))
    servers: list[Server] = []
    workers: list[Worker] = []
    try:
        add_user(ws, "alice")
        ws.publish(DOCS)
        with write_transaction(ws.engine) as conn:
            token = create_token(conn, 1, "scale-out test", ws.now()).token
        servers = [Server(home, "a"), Server(home, "b")]
        workers = [Worker(ws, redis_url), Worker(ws, redis_url)]
        for server in servers:
            wait_until(server.answers, PATIENCE, f"formwork serve on port {server.port} to answer")
        yield Site(ws, servers, workers, token)
    finally:
        for server in servers:
            server.stop()
        for worker in workers:
            worker.kill()
        ws.close()


# --- the clients -------------------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """What the clients saw accepted (shared between their threads)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[int, str] = field(default_factory=dict)  # ticket id → title, for every 201
    accepted_updates: Counter[int] = field(default_factory=Counter)  # hot ticket id → 200s
    refused_updates: int = 0  # 409: another client's update got in first (nothing written)
    submitted: set[int] = field(default_factory=set)
    approved: set[int] = field(default_factory=set)
    writes: int = 0
    unexpected: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what)


class Client:
    """One client: a connection to each web process, used in turn, signed in by session or bearer token."""

    def __init__(self, site: Site, index: int, tally: Tally, hot: list[int]):
        self.index, self.tally, self.hot = index, tally, hot
        self.known = {ticket: (0, 1) for ticket in hot}  # (n, version) as this client last saw them
        self.http = [Http(s.port) for s in site.servers]
        self.turn = index
        self.random = random.Random(index)
        self.auth: dict[str, str] = {"authorization": f"Bearer {site.token}"}
        self.waiting: list[int] = []  # tickets created to go through the workflow, not yet submitted
        self.to_approve: list[tuple[int, int]] = []  # (ticket, task) submitted, not yet approved

    def sign_in(self) -> None:
        """Fetch the sign-in form from one process and post it to the other, then use the session on both."""
        first, second = self.http
        page = first.send("GET", "/login")
        visitor = page.cookies()["formwork_visitor"]
        done = second.send("POST", "/login", form={"username": "alice", "password": PASSWORD, "next": "/",
                                                   "csrf_token": csrf_of(page.body)},
                           headers={"cookie": f"formwork_visitor={visitor}"})
        assert done.status == 303, (done.status, done.body[:300])
        cookie = f"formwork_session={done.cookies()['formwork_session']}"
        home = first.send("GET", "/", headers={"cookie": cookie})
        assert home.status == 200
        self.auth = {"cookie": cookie, "x-csrf-token": csrf_of(home.body)}

    def next(self) -> Http:
        self.turn += 1
        return self.http[self.turn % 2]

    def write(self, method: str, path: str, body: Any) -> Answer:
        answer = self.next().send(method, path, body=body, headers=self.auth)
        with self.tally.lock:
            self.tally.writes += 1
        return answer

    def run(self, writes: int) -> None:
        for step in range(writes):
            kind = PATTERN[step % len(PATTERN)]
            if kind == "S" and not self.waiting or kind == "A" and not self.to_approve:
                kind = "C"
            getattr(self, f"op_{kind}")(step)

    def op_C(self, step: int) -> None:  # noqa: N802
        title = f"t{self.index}-{step}"
        answer = self.write("POST", "/api/v1/ticket", {"values": {"title": title, "status": "open"}})
        if answer.status != 201:
            return self.tally.note(f"create {title}: {answer.status} {answer.body[:200]!r}")
        ticket = answer.json()["id"]
        with self.tally.lock:
            self.tally.created[ticket] = title
        if step % len(PATTERN) == 0:  # one ticket of each ten writes goes through the workflow
            self.waiting.append(ticket)
        return None

    def op_U(self, step: int) -> None:  # noqa: N802
        """Write n + 1 on a hot ticket with the version this client last saw; after a 409 (another client's update
        got in first), read it again through the other process."""
        ticket = self.random.choice(self.hot)
        n, version = self.known[ticket]
        answer = self.write("PATCH", f"/api/v1/ticket/{ticket}", {"values": {"n": n + 1}, "version": version})
        if answer.status == 200:
            record = answer.json()
            self.known[ticket] = (record["values"]["n"], record["version"])
            with self.tally.lock:
                self.tally.accepted_updates[ticket] += 1
            return None
        if answer.status != 409:
            return self.tally.note(f"update {ticket}: {answer.status} {answer.body[:200]!r}")
        with self.tally.lock:
            self.tally.refused_updates += 1
        seen = self.next().send("GET", f"/api/v1/ticket/{ticket}", headers=self.auth)
        if seen.status != 200:
            return self.tally.note(f"read {ticket}: {seen.status}")
        self.known[ticket] = (seen.json()["values"]["n"], seen.json()["version"])
        return None

    def op_S(self, step: int) -> None:  # noqa: N802
        ticket = self.waiting.pop(0)
        answer = self.write("POST", f"/api/v1/ticket/{ticket}/workflow/submit", {})
        if answer.status != 201:
            return self.tally.note(f"submit {ticket}: {answer.status} {answer.body[:200]!r}")
        task = answer.json()["workflow"]["my_task"]
        with self.tally.lock:
            self.tally.submitted.add(ticket)
        self.to_approve.append((ticket, task["id"]))
        return None

    def op_A(self, step: int) -> None:  # noqa: N802
        ticket, task = self.to_approve.pop(0)
        answer = self.write("POST", f"/api/v1/workflow/tasks/{task}/approve", {"comment": "ok"})
        if answer.status != 200 or answer.json()["status"] != "approved":
            return self.tally.note(f"approve {ticket}: {answer.status} {answer.body[:200]!r}")
        with self.tally.lock:
            self.tally.approved.add(ticket)
        return None

    def close(self) -> None:
        for conn in self.http:
            conn.close()


# --- what the database holds ---------------------------------------------------------------------------------------

def rows(ws: Workspace, form: str, *columns: str) -> list[tuple[Any, ...]]:
    table = ws.records.runtime(form).main
    with read_transaction(ws.engine) as conn:
        return [tuple(r) for r in conn.execute(sa.select(*(table.c[c] for c in columns))
                                               .where(table.c.deleted_at.is_(None)))]


def echo_count(ws: Workspace) -> int:
    table = ws.records.runtime("echo").main
    with read_transaction(ws.engine) as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def all_done(ws: Workspace, runs: int) -> bool:
    """Every automation run is a finished job (none left to a lease or a retry that could run it again)."""
    found = job_rows(ws, "automation.run")
    return len(found) == runs and all(j["status"] == "done" for j in found)


def in_threads(clients: list[Client], work: Callable[[Client], None]) -> None:
    errors: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            work(client)
        except BaseException as exc:  # noqa: BLE001  (reported by the test, not lost in a thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,), name=f"client-{c.index}") for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE * 3)
        assert not thread.is_alive(), f"{thread.name} did not finish"
    if errors:
        raise errors[0]


# --- the test ----------------------------------------------------------------------------------------------------------

def test_two_web_processes_and_two_workers_lose_nothing_and_run_each_automation_once(site: Site) -> None:
    ws, tally = site.ws, Tally()
    setup = Client(site, 99, tally, [])
    hot = []
    for i in range(HOT):  # created through alternating web processes before the run
        answer = setup.next().send("POST", "/api/v1/ticket", body={"values": {"title": f"hot-{i}", "status": "open"}},
                                   headers=setup.auth)
        assert answer.status == 201, answer.body
        hot.append(answer.json()["id"])
        tally.created[hot[-1]] = f"hot-{i}"
    setup.close()
    clients = [Client(site, i, tally, hot) for i in range(CLIENTS)]
    for client in clients[:2]:
        client.sign_in()  # a session begun on one web process, used on both below

    doomed = site.workers[0]
    early = max(10, WRITES // 100)  # automation runs done before the kill (the workers have started working)
    killed_after: list[int] = []

    def kill_mid_run() -> None:
        wait_until(lambda: echo_count(ws) >= early, PATIENCE, f"{early} automation runs before the kill", every=0.1,
                   worker=doomed)
        doomed.kill()  # SIGKILL the worker and rq inside it, whatever job it holds
        with tally.lock:
            killed_after.append(tally.writes)

    killer = threading.Thread(target=kill_mid_run, name="killer")
    killer.start()
    in_threads(clients, lambda c: c.run(WRITES // CLIENTS))
    killer.join(PATIENCE * 2)
    assert doomed.exited() and killed_after and killed_after[0] < WRITES, \
        f"the worker was not killed while the clients wrote ({killed_after})"
    survivor = site.workers[1]
    assert not survivor.exited(), survivor.log_tail()
    assert tally.unexpected == [], tally.unexpected[:10]
    assert tally.writes == CLIENTS * (WRITES // CLIENTS)

    # every automation ran: one echo per ticket created (the killed worker's job taken over by the survivor)
    wait_until(lambda: echo_count(ws) >= len(tally.created), PATIENCE * 2,
               f"{len(tally.created)} echoes (the automation of every ticket)", every=0.2, worker=survivor)
    wait_until(lambda: all_done(ws, len(tally.created)), PATIENCE, "every automation job to be done", every=0.2,
               worker=survivor)
    echoes = Counter(source for source, in rows(ws, "echo", "source"))
    assert sorted(echoes) == sorted(tally.created.values())  # each ticket has its echo …
    assert [s for s, n in echoes.items() if n != 1] == []  # … exactly once

    # every accepted create is there; every accepted update on the hot tickets counted once (none lost)
    tickets = {i: (title, n, version, status) for i, title, n, version, status
               in rows(ws, "ticket", "id", "title", "n", "version", "status")}
    assert {i: t[0] for i, t in tickets.items()} == tally.created
    assert sum(tally.accepted_updates.values()) + tally.refused_updates == sum(
        1 for k in range(WRITES // CLIENTS) if PATTERN[k % len(PATTERN)] == "U") * CLIENTS
    for ticket in hot:
        accepted = tally.accepted_updates[ticket]
        _, n, version, _ = tickets[ticket]
        assert (n, version) == (accepted, 1 + accepted), f"ticket {ticket}: {accepted} updates accepted"

    # approvals: each submitted ticket approved once, and the end node's value written
    assert tally.approved == tally.submitted and len(tally.approved) == WRITES // len(PATTERN)
    assert {i for i, t in tickets.items() if t[3] == "approved"} == tally.approved
    with read_transaction(ws.engine) as conn:
        flows = conn.execute(sa.text("SELECT status, count(*) FROM wf_instances GROUP BY status")).all()
    assert dict(flows) == {"approved": len(tally.approved)}

    # the session begun on one process ends on both when it ends on one
    signed_in = clients[0]
    first, second = signed_in.http
    assert second.send("GET", "/api/v1/ticket?limit=1", headers=signed_in.auth).status == 200
    out = first.send("POST", "/logout", form={"csrf_token": signed_in.auth["x-csrf-token"]}, headers=signed_in.auth)
    assert out.status == 303, out.body[:300]
    assert second.send("GET", "/api/v1/ticket?limit=1", headers=signed_in.auth).status == 401
    for client in clients:
        client.close()
    assert survivor.stop() == 0
