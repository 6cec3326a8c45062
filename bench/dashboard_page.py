"""Dashboard benchmark: server time of an eight-chart dashboard (four KPI cards, a monthly dual-axis trend, a
funnel, a pie and a region × stage pivot) over 1,000,000 deals on SQLite, target p95 < 2 s; and, in the same run,
the eight reports' SQL written by hand and run one after another on one connection — the floor any server that
computes the charts on each view stands on.

Formwork runs as in production (uvicorn, one worker, a subprocess on loopback); one client asks for the page
again and again with nothing written meanwhile, as a dashboard on a wall or a manager reloading it (the charts
come from engine.reports.result_cache); then, three times, one deal is written by another process and the page
asked for once (every chart computed again).
`python -m bench.dashboard_page [records]` (default 1,000,000; BENCH_DASHBOARD_REQUESTS, default 20).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.designer_page import latencies, summary
from bench.web import Client, Server

HERE = Path(__file__).parent
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "20"))
PASSWORD = "bench password 1"
PAGE = "/apps/bench/dashboards/overview"

HAND = [  # the eight reports, as a person would write them
    "SELECT sum(amount), count(*) FROM {t} WHERE deleted_at IS NULL AND stage = 'won'",
    "SELECT sum(amount) FROM {t} WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost')",
    "SELECT count(*), avg(amount) FROM {t} WHERE deleted_at IS NULL AND vip = 1",
    "SELECT count(CASE WHEN stage = 'won' THEN 1 END), count(*) FROM {t} WHERE deleted_at IS NULL "
    "AND stage IN ('won', 'lost')",
    "SELECT strftime('%Y-%m-01', close_date) AS m, sum(amount), count(*) FROM {t} WHERE deleted_at IS NULL "
    "AND close_date BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY m",
    "SELECT stage, count(*) FROM {t} WHERE deleted_at IS NULL AND stage != 'lost' GROUP BY stage",
    "SELECT region, count(*) FROM {t} WHERE deleted_at IS NULL GROUP BY region",
    "SELECT region, stage, sum(amount) FROM {t} WHERE deleted_at IS NULL GROUP BY region, stage",
]


def _settings(home: Path) -> Any:
    from engine.settings import Settings

    return Settings.load({"home": str(home), "database_url": f"sqlite:///{home / 'bench.db'}", "secret": "bench"},
                         environ={})


def prepare(home: Path, total: int) -> None:
    """The bench form with `total` deals, the eight reports and their dashboard, and a `bench` admin."""
    from bench.__main__ import fill
    from engine.definitions.loader import read_directory
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction
    from engine.workspace import Workspace

    ws = Workspace.open(_settings(home))
    try:
        ws.publish({f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()})
        fill(ws, ws.records.runtime("deal").main, total)
        ws.publish({f"bench/bench/{k}": v for k, v in read_directory(HERE / "dashboard").items()})
        with write_transaction(ws.engine) as conn:
            create_user(conn, NewUser("bench", "Bench", password=PASSWORD, is_admin=True), ws.now())
        ws.analyze()
        (home / "deal_table").write_text(ws.records.runtime("deal").main.name)
    finally:
        ws.close()


def formwork_app() -> Any:
    """uvicorn factory: the Formwork application over BENCH_WEB_HOME."""
    from engine.workspace import Workspace
    from web.app import create_app

    return create_app(Workspace.open(_settings(Path(os.environ["BENCH_WEB_HOME"]))))


def by_hand(home: Path) -> float:
    """Seconds to run the eight hand-written statements one after another."""
    engine = sa.create_engine(f"sqlite:///{home / 'bench.db'}")
    try:
        with engine.connect() as conn:
            table = (home / "deal_table").read_text()
            start = time.perf_counter()
            for sql in HAND:
                conn.execute(sa.text(sql.format(t=table))).all()
            return time.perf_counter() - start
    finally:
        engine.dispose()


def write_one(home: Path) -> None:
    """One new deal through the record service, from another process's point of view (its own workspace)."""
    from engine.records.model import Actor
    from engine.workspace import Workspace

    ws = Workspace.open(_settings(home))
    try:
        ws.records.create(Actor.system_actor(), "deal", {"name": "One more", "stage": "won", "amount": "10.00"})
    finally:
        ws.close()


def measure(home: Path) -> dict[str, Any]:
    server = Server("bench.dashboard_page:formwork_app", home)
    try:
        client = Client(server.port)
        page = client.request("GET", "/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        form = f"username=bench&password={PASSWORD.replace(' ', '+')}&next=/&csrf_token={csrf.group(1)}".encode()
        client.request("POST", "/login", form, {"content-type": "application/x-www-form-urlencoded"}, expect=303)
        first = latencies(lambda: client.request("GET", PAGE), 1)
        shown = client.request("GET", PAGE)
        assert shown.count('class="box-exports"') == 8, "a chart of the dashboard was not drawn"
        views, hand = [], []
        for _ in range(REQUESTS):  # interleaved: the machine's load falls on both alike
            views += latencies(lambda: client.request("GET", PAGE), 1)
            hand.append(by_hand(home) * 1000)
            client.conn.close()  # idle longer than uvicorn keeps a connection: the next view connects anew
        after_write = []
        for _ in range(3):  # one deal changed elsewhere: the next view computes the eight charts again
            write_one(home)
            after_write += latencies(lambda: client.request("GET", PAGE), 1)
            client.conn.close()
        return {"first_view_ms": round(first[0], 1), "dashboard_page": summary(views),
                "after_a_write_ms": round(statistics.median(after_write), 1),
                "hand_sql_eight_reports_ms": round(statistics.median(hand), 1),
                "target": "dashboard page p95 < 2 s"}
    finally:
        server.stop()


def run(folder: Path, total: int = 1_000_000) -> dict[str, Any]:
    home = folder / "dashboard"
    home.mkdir()
    prepare(home, total)
    return measure(home)


def print_table(result: dict[str, Any]) -> None:
    r = result["dashboard_page"]
    print(f"eight-chart dashboard ({result['target']}): p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
          f"first view {result['first_view_ms']:.0f} ms, after a write {result['after_a_write_ms']:.0f} ms; "
          f"the eight reports by hand: "
          f"{result['hand_sql_eight_reports_ms']:.0f} ms")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        result = run(Path(folder), total)
    print_table(result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
