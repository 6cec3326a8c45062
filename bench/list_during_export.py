"""Web benchmark: a list page's latency while a big export runs in the same process.

One uvicorn process (`web.asgi:app`, jobs in-process, as `formwork serve` runs it) serves the CRM template with
its sample data and LEADS extra leads. One client reads the leads list page over and over: first alone, then for
as long as a second client downloads the export of every lead (the list page's Excel export) from the same
process, then for as long as it reads the API's biggest pages of leads. When a long request holds the event loop,
every other request of the process waits for it and the list page's p95 grows towards that request's length.

`BENCH_CODE` names the checkout whose code the server runs (default: this one); `BENCH_BEFORE` names a second
checkout (e.g. one of main), served side by side over a copy of the same data, for a before/after figure.
`BENCH_EXPORT_LEADS` sets the extra leads (default 20,000), `BENCH_EXPORT_ROUNDS` the exports per checkout,
`BENCH_EXPORT_SAMPLES` the list pages timed alone.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.web import PASSWORD, Client, _free_port

HERE = Path(__file__).parent
LEADS = int(os.environ.get("BENCH_EXPORT_LEADS", "20000"))
SAMPLES = int(os.environ.get("BENCH_EXPORT_SAMPLES", "150"))  # list pages timed alone, over all rounds
ROUNDS = int(os.environ.get("BENCH_EXPORT_ROUNDS", "3"))  # exports per checkout; list pages are timed during each
WARMUP = 20
LIST_PATH = "/apps/lead/lead"
EXPORT_PATH = "/apps/lead/lead/export?format=xlsx"
API_PAGE_PATH = "/api/v1/lead?limit=1000&total=1&sort=-budget"  # the API's largest page, sorted on an unindexed field
API_PAGES = 10  # big API pages read back to back in each round
SOURCES = ("campaign", "web_form", "exhibition", "referral", "online_ad", "cold_call")
REGIONS = ("east", "south", "north", "central", "southwest", "northwest", "northeast")
INDUSTRIES = ("MANU", "RETAIL", "IT", "FIN", "EDU", "MED", "LOG", "OTHER")
STATUSES = ("new", "contacted", "qualified")


def _settings(home: Path) -> Any:
    from engine.settings import Settings

    return Settings.load({"home": str(home), "database_url": f"sqlite:///{home / 'crm.db'}", "secret": "bench"},
                         environ={})


def lead_row(i: int, rng: random.Random, now: datetime, owner: int) -> dict[str, Any]:
    """One extra lead as its table row (written directly, as an import's bulk path would)."""
    return {"code": f"BENCH-{i:06d}", "name": f"联系人 {i}", "company": f"Company {i % 3000}",
            "email": f"lead{i}@example.com", "source": rng.choice(SOURCES), "region": rng.choice(REGIONS),
            "industry": rng.choice(INDUSTRIES), "status": rng.choice(STATUSES),
            "budget": Decimal(rng.randint(1, 500) * 1000), "needs": "跟进中", "owner": owner,
            "created_at": now - timedelta(seconds=i), "updated_at": now - timedelta(seconds=i), "created_by": owner,
            "updated_by": owner, "owner_id": owner, "version": 1}


def prepare(home: Path) -> None:
    """A workspace with the CRM and its sample data (their background jobs run to the end), an admin `bench`,
    and LEADS extra leads."""
    from engine.gallery.catalog import find
    from engine.gallery.install import install
    from engine.org.users import NewUser, create_user
    from engine.workspace import Workspace

    home.mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(_settings(home))
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=True)
    with ws.writing() as conn:
        owner = create_user(conn, NewUser("bench", "Bench", password=PASSWORD, is_admin=True, roles=("admin",)),
                            ws.now())
    ws.jobs.drain()
    table, rng, now = ws.records.runtime("lead").main, random.Random(5), datetime.now(timezone.utc)
    for start in range(0, LEADS, 5_000):
        rows = [lead_row(i, rng, now, owner) for i in range(start, min(LEADS, start + 5_000))]
        with ws.engine.begin() as conn:
            conn.execute(table.insert(), rows)
    ws.analyze()
    ws.close()


class Server:
    """`uvicorn web.asgi:app` over the workspace at `home`, running the code of the checkout `code`."""

    def __init__(self, code: Path, home: Path):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FORMWORK_", "DATABASE_URL", "REDIS_URL"))}
        env.update(FORMWORK_HOME=str(home), DATABASE_URL=f"sqlite:///{home / 'crm.db'}", FORMWORK_SECRET="bench",
                   PYTHONPATH=str(code),
                   FORMWORK_EXPORT_BACKGROUND_ROWS=str(10**9))  # the export stays in the request: what this times
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "web.asgi:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--no-access-log", "--timeout-keep-alive", "3600"], env=env, cwd=str(code))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server of {code} exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server of {code} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _timed(client: Client, path: str) -> float:
    """Seconds until the whole answer to GET `path` has arrived (any status but 200 is an error)."""
    start = time.perf_counter()
    client.conn.request("GET", path, headers={"cookie": client.cookie})
    response = client.conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return time.perf_counter() - start


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": statistics.quantiles(ordered, n=20)[18] * 1000,
            "max_ms": ordered[-1] * 1000, "samples": len(ordered)}


class Side:
    """One checkout's server with two signed-in clients: one reads the list page, the other exports."""

    def __init__(self, name: str, code: Path, home: Path):
        self.name, self.code = name, code
        self.server = Server(code, home)
        self.lister, self.exporter = Client(self.server.port), Client(self.server.port)
        self.lister.sign_in()
        self.exporter.sign_in()
        self.alone: list[float] = []
        self.during: dict[str, list[float]] = {"export": [], "api_page": []}
        self.long: dict[str, list[float]] = {"export": [], "api_page": []}

    def warm_up(self) -> None:
        """A few list pages and one export, so that imports and caches are warm before anything is timed."""
        for _ in range(WARMUP):
            _timed(self.lister, LIST_PATH)
        _timed(self.exporter, EXPORT_PATH)

    def round(self, samples: int) -> None:
        """`samples` list pages alone, then list pages for as long as one export runs, then for as long as
        API_PAGES big API pages are read one after another."""
        self.alone.extend(_timed(self.lister, LIST_PATH) for _ in range(samples))
        self._during("export", [EXPORT_PATH])
        self._during("api_page", [API_PAGE_PATH] * API_PAGES)

    def _during(self, kind: str, paths: list[str]) -> None:
        """List pages timed while the other client reads `paths` one after another."""
        took: list[float] = []
        other = threading.Thread(target=lambda: took.extend(_timed(self.exporter, p) for p in paths))
        other.start()
        while other.is_alive():
            latency = _timed(self.lister, LIST_PATH)
            if other.is_alive():  # a page that ended after the long requests did is not "during" them
                self.during[kind].append(latency)
        other.join()
        if len(took) != len(paths):
            raise RuntimeError(f"{self.name}: GET {paths[0]} failed")
        self.long[kind].extend(took)

    def result(self) -> dict[str, Any]:
        """The list page alone, during exports and during big API pages, and how long those took."""
        return {"code": str(self.code), "alone": _summary(self.alone),
                "during_export": _summary(self.during["export"]), "export_s": statistics.median(self.long["export"]),
                "during_api_page": _summary(self.during["api_page"]),
                "api_page_s": statistics.median(self.long["api_page"])}

    def stop(self) -> None:
        self.server.stop()


def measure(checkouts: dict[str, tuple[Path, Path]]) -> dict[str, Any]:
    """Every checkout (name → code, data folder) served side by side, measured in alternating rounds so that load
    from elsewhere on the machine falls on all of them alike; only one of them is busy at a time."""
    sides: list[Side] = []
    try:
        for name, (code, home) in checkouts.items():
            sides.append(Side(name, code, home))
        for side in sides:
            side.warm_up()
        for _ in range(ROUNDS):
            for side in sides:
                side.round(max(SAMPLES // ROUNDS, 1))
        return {side.name: side.result() for side in sides}
    finally:
        for side in sides:
            side.stop()


def run(tmp: Path) -> dict[str, Any]:
    """Prepare the data once; measure this checkout (and BENCH_BEFORE's, over a copy of the same data)."""
    home = tmp / "list-during-export"
    print(f"list during export: CRM + {LEADS:,} leads, {ROUNDS} rounds…", file=sys.stderr)
    prepare(home)
    code = Path(os.environ.get("BENCH_CODE", HERE.parent)).resolve()
    checkouts = {"current": (code, home)}
    before = os.environ.get("BENCH_BEFORE")
    if before:
        copy = tmp / "list-during-export-before"
        shutil.copytree(home, copy)
        checkouts = {"before": (Path(before).resolve(), copy), "after": (code, home)}
    return {"leads": LEADS, **measure(checkouts)}


def print_table(results: dict[str, Any]) -> None:
    """Rows for bench/__main__'s table: the list page's p95 alone, during the export and during big API pages."""
    for name in ("before", "after", "current"):
        r = results.get(name)
        if r is None:
            continue
        print(f"{'list p95 ' + name:<22} alone {r['alone']['p95_ms']:.0f} ms · during a {r['export_s']:.1f} s export "
              f"{r['during_export']['p95_ms']:.0f} ms · during {r['api_page_s']:.2f} s API pages "
              f"{r['during_api_page']['p95_ms']:.0f} ms")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="formwork-bench-export-") as folder:
        outcome = run(Path(folder))
    print(json.dumps(outcome, indent=2))
    print_table(outcome)
