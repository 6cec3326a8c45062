"""Web benchmark: requests per second of Formwork's list page and API create against hand-written Starlette endpoints.

Both apps run the same way (uvicorn, one worker, a subprocess on loopback) over the same SQLite file, and one
keep-alive HTTP client sends a fixed number of requests after a warm-up. The hand-written endpoints do the same
work without the platform: the first page's SELECT and count rendered as an HTML table, and a raw INSERT of the
JSON body. `BENCH_WEB_RECORDS` sets the data size (default 100,000), `BENCH_WEB_REQUESTS` the requests per run.

Two more figures: API create with CLIENTS keep-alive clients at once (records per second, raw and Formwork, and each
server's CPU time per request, a ratio that load from elsewhere on a shared machine barely moves), and
the list page of a department-scoped user (a role reaching their department's records, a quarter of the table)
against the administrator's, both Formwork (time per page, scoped over admin).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).parent
RECORDS = int(os.environ.get("BENCH_WEB_RECORDS", "100000"))
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "400"))
WARMUP = 50
PASSWORD = "bench password 1"
COLUMNS = ("name", "stage", "amount", "quantity", "close_date", "probability", "region")
STAGES = ["new", "qualified", "proposal", "won", "lost"]
CLIENTS = 4
ROLES = """roles:
  - id: regional
    label: {zh: 区域销售, en: Regional sales}
    permissions:
      deal: {operations: [create, read, update], scope: department}
"""


def _settings(home: Path) -> Any:
    from engine.settings import Settings

    return Settings.load({"home": str(home), "database_url": f"sqlite:///{home / 'web.db'}", "secret": "bench"},
                         environ={})


def sample(i: int, rng: random.Random) -> dict[str, Any]:
    """The JSON values of one deal."""
    return {"name": f"Deal {i}", "stage": rng.choice(STAGES), "amount": f"{rng.randint(100, 1_000_000)}.50",
            "quantity": rng.randint(1, 50), "close_date": (date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))).isoformat(),
            "probability": str(rng.randint(0, 100)), "region": rng.choice(["华东", "华南", "华北", "西南"]),
            "vip": rng.random() < 0.1, "email": f"u{i}@example.com", "notes": "跟进中"}


def raw_row(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The row the raw INSERT writes for JSON values."""
    row = dict(values)
    row.update(amount=Decimal(values["amount"]), probability=Decimal(values["probability"]),
               close_date=date.fromisoformat(values["close_date"]), created_at=now, updated_at=now, created_by=1,
               updated_by=1, owner_id=1, version=1)
    return row


def prepare(home: Path) -> str:
    """A workspace with the bench definitions, a user, RECORDS deals; returns the user's API token."""
    from engine.definitions.loader import read_directory
    from engine.org.tokens import create_token
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction
    from engine.workspace import Workspace

    from engine.org.users import create_department

    ws = Workspace.open(_settings(home))
    ws.publish({**{f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()}, "roles.yaml": ROLES})
    with write_transaction(ws.engine) as conn:
        create_user(conn, NewUser("bench", "Bench", password=PASSWORD, is_admin=True), ws.now())
        token = create_token(conn, 1, "bench", ws.now()).token
        east = create_department(conn, "east", "华东")
        create_user(conn, NewUser("rep", "Rep", password=PASSWORD, department_id=east, roles=("regional",)), ws.now())
    table, rng, now = ws.records.runtime("deal").main, random.Random(3), datetime.now(timezone.utc)
    for start in range(0, RECORDS, 20_000):
        rows = [{**raw_row(sample(i, rng), now - timedelta(seconds=i)), "department_id": east if i % 4 == 0 else None}
                for i in range(start, min(RECORDS, start + 20_000))]
        with ws.engine.begin() as conn:
            conn.execute(table.insert(), rows)
    ws.analyze()
    ws.close()
    return token


def formwork_app() -> Any:
    """uvicorn factory: the Formwork application over BENCH_WEB_HOME."""
    from engine.workspace import Workspace
    from web.app import create_app

    return create_app(Workspace.open(_settings(Path(os.environ["BENCH_WEB_HOME"]))),
                      run_jobs=os.environ.get("BENCH_WEB_JOBS") == "1")


def raw_app() -> Any:
    """uvicorn factory: hand-written endpoints doing the same query and the same INSERT, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    from engine.storage.database import create_engine

    engine = create_engine(f"sqlite:///{Path(os.environ['BENCH_WEB_HOME']) / 'web.db'}")
    table = sa.Table("f_bench_deal", sa.MetaData(), autoload_with=engine)

    async def listing(request: Request) -> HTMLResponse:
        live = table.c.deleted_at.is_(None)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(live).order_by(table.c.id.desc()).limit(26)).all()
            total = conn.execute(sa.select(sa.func.count()).select_from(table).where(live)).scalar_one()
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(getattr(r, c)))}</td>" for c in COLUMNS) + "</tr>"
                       for r in rows[:25])
        return HTMLResponse(f"<!doctype html><title>deal</title><p>{total}</p><table>{body}</table>")

    async def create(request: Request) -> JSONResponse:
        values = (await request.json())["values"]
        with engine.begin() as conn:
            new_id = conn.execute(table.insert().values(raw_row(values, datetime.now(timezone.utc)))
                                  .returning(table.c.id)).scalar_one()
        return JSONResponse({"id": new_id, "version": 1, "values": values}, status_code=201)

    return Starlette(routes=[Route("/list", listing), Route("/create", create, methods=["POST"])])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One uvicorn subprocess serving an app factory on a loopback port."""

    def __init__(self, factory: str, home: Path):
        self.port = _free_port()
        env = {**os.environ, "BENCH_WEB_HOME": str(home), "PYTHONPATH": str(HERE.parent)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--no-access-log"], env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{factory} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Client:
    """A keep-alive HTTP/1.1 client with a cookie jar of one cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                expect: int = 200) -> str:
        all_headers = {**({"cookie": self.cookie} if self.cookie else {}), **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closed a connection left idle past its keep-alive timeout: open anew
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
        text = response.read().decode()
        cookie = response.getheader("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status != expect:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:300]}")
        return text

    def sign_in(self, username: str = "bench") -> None:
        page = self.request("GET", "/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = f"username={username}&password={PASSWORD.replace(' ', '+')}&next=/&csrf_token={csrf}".encode()
        self.request("POST", "/login", form, {"content-type": "application/x-www-form-urlencoded"}, expect=303)


def timed(send: Any, numbers: range) -> float:
    """Seconds taken by one request per number."""
    start = time.perf_counter()
    for i in numbers:
        send(i)
    return time.perf_counter() - start


def compare(raw: Any, formwork: Any, rounds: int = 20) -> dict[str, float]:
    """Requests per second of both after a warm-up, in alternating batches so that load from elsewhere on the
    machine falls on both sides alike; the ratio is the median of the batches' ratios (robust to bursts)."""
    timed(raw, range(WARMUP))
    timed(formwork, range(WARMUP))
    batch = max(REQUESTS // rounds, 1)
    raw_times, formwork_times = [], []
    for r in range(rounds):
        numbers = range(WARMUP + r * batch, WARMUP + (r + 1) * batch)
        raw_times.append(timed(raw, numbers))
        formwork_times.append(timed(formwork, numbers))
    n = batch * rounds
    ratio = statistics.median(r / f for r, f in zip(raw_times, formwork_times))
    return {"raw_rps": n / sum(raw_times), "formwork_rps": n / sum(formwork_times), "ratio": ratio, "target": 0.5}


def concurrent(make_send: Any, count: int) -> float:
    """Records per second when CLIENTS clients (each its own keep-alive connection) send `count` requests together;
    `make_send()` gives one client's send function of a request number."""
    senders = [make_send() for _ in range(CLIENTS)]
    share = count // CLIENTS
    threads = [threading.Thread(target=timed, args=(send, range(k * share, (k + 1) * share)))
               for k, send in enumerate(senders)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return share * CLIENTS / (time.perf_counter() - start)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compare_concurrent(raw: Any, formwork: Any, count: int, pids: tuple[int, int], rounds: int = 5) -> dict[str, float]:
    """Records per second of both with CLIENTS clients, in alternating rounds; the medians and their ratio. Also
    each server's CPU time per request, which load from elsewhere on the machine barely moves."""
    raw_rates, formwork_rates, cpu = [], [], [0.0, 0.0]
    for _ in range(rounds):
        for k, (make, rates) in enumerate(((raw, raw_rates), (formwork, formwork_rates))):
            before = cpu_seconds(pids[k])
            rates.append(concurrent(make, count // rounds))
            cpu[k] += cpu_seconds(pids[k]) - before
    raw_rate, formwork_rate = statistics.median(raw_rates), statistics.median(formwork_rates)
    sent = count // rounds // CLIENTS * CLIENTS * rounds
    return {"raw_per_s": raw_rate, "formwork_per_s": formwork_rate, "ratio": formwork_rate / raw_rate,
            "raw_cpu_ms": 1000 * cpu[0] / sent, "formwork_cpu_ms": 1000 * cpu[1] / sent,
            "cpu_ratio": cpu[0] / cpu[1], "clients": CLIENTS, "target": 0.5, "target_per_s": 1350}


def measure(home: Path, token: str) -> dict[str, dict[str, float]]:
    """Both apps served side by side; the list page and API create, raw and Formwork."""
    rng = random.Random(9)
    bodies = [json.dumps({"values": sample(RECORDS + i, rng)}).encode() for i in range(2 * (WARMUP + REQUESTS))]
    json_headers = {"content-type": "application/json"}
    auth = {**json_headers, "authorization": f"Bearer {token}"}
    servers = [Server("bench.web:raw_app", home), Server("bench.web:formwork_app", home)]
    try:
        raw, formwork = Client(servers[0].port), Client(servers[1].port)
        formwork.sign_in()
        offset = WARMUP + REQUESTS  # each side inserts its own, equally long, rows
        rep = Client(servers[1].port)
        rep.sign_in("rep")
        scoped = compare(lambda i: formwork.request("GET", "/apps/bench/deal"),
                         lambda i: rep.request("GET", "/apps/bench/deal"))
        many = 4 * REQUESTS
        many_bodies = [json.dumps({"values": sample(2 * RECORDS + i, rng)}).encode() for i in range(2 * many)]

        def raw_client() -> Any:
            client = Client(servers[0].port)
            return lambda i: client.request("POST", "/create", many_bodies[i], json_headers, 201)

        def formwork_client() -> Any:
            client = Client(servers[1].port)
            return lambda i: client.request("POST", "/api/v1/deal", many_bodies[many + i], auth, 201)

        return {
            "scoped_list": {"admin_rps": scoped["raw_rps"], "scoped_rps": scoped["formwork_rps"],
                            "ratio": 1 / scoped["ratio"], "target": 1.2},
            "api_create_concurrent": compare_concurrent(raw_client, formwork_client, many,
                                                        (servers[0].process.pid, servers[1].process.pid)),
            "list_page": compare(lambda i: raw.request("GET", "/list"),
                                 lambda i: formwork.request("GET", "/apps/bench/deal")),
            "api_create": compare(lambda i: raw.request("POST", "/create", bodies[i], json_headers, 201),
                                  lambda i: formwork.request("POST", "/api/v1/deal", bodies[offset + i], auth, 201)),
        }
    finally:
        for server in servers:
            server.stop()


def run(tmp: Path) -> dict[str, Any]:
    """The whole web benchmark in a scratch folder."""
    home = tmp / "web"
    home.mkdir()
    print(f"web: {RECORDS:,} records, {REQUESTS} requests per run…", file=sys.stderr)
    token = prepare(home)
    return {**measure(home, token), "records": RECORDS, "requests": REQUESTS}


def print_table(results: dict[str, Any]) -> None:
    """Rows for bench/__main__'s table."""
    for key in ("list_page", "api_create"):
        r = results[key]
        print(f"{'web_' + key:<22} {r['raw_rps']:>10.0f} r/s {r['formwork_rps']:>10.0f} r/s {r['ratio']:>8.2f} "
              f"{'≥ 0.5':>10}")
    r = results["api_create_concurrent"]
    print(f"{'web_create_4_clients':<22} {r['raw_per_s']:>10.0f} r/s {r['formwork_per_s']:>10.0f} r/s "
          f"{r['ratio']:>8.2f} {'≥ 0.5, ≥ 1350/s':>10}")
    print(f"{'  server CPU/request':<22} {r['raw_cpu_ms']:>9.2f} ms {r['formwork_cpu_ms']:>9.2f} ms {r['cpu_ratio']:>8.2f}")
    r = results["scoped_list"]
    print(f"{'web_scoped_vs_admin':<22} {r['admin_rps']:>10.0f} r/s {r['scoped_rps']:>10.0f} r/s {r['ratio']:>8.2f} "
          f"{'≤ 1.2':>10}")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="formwork-bench-web-") as folder:
        outcome = run(Path(folder))
    print(json.dumps(outcome, indent=2))
    print_table(outcome)
