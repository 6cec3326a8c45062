"""`make bench`: record service vs raw SQLAlchemy Core on SQLite, the web layer (throughput, and a list page's
latency while an export runs) and the job system, printed as a table and saved to results.json."""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import api_groupby, dashboard_page, designer_page, jobs, list_during_export, report_groupby, web, workflows
from engine.definitions.loader import read_directory
from engine.records.model import Actor, Filter, Query
from engine.settings import Settings
from engine.workspace import Workspace

HERE = Path(__file__).parent
ACTOR = Actor(user_id=1, is_admin=True)
STAGES = ["new", "qualified", "proposal", "won", "lost"]
BIG = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def open_ws(folder: Path) -> Workspace:
    settings = Settings.load({"home": str(folder), "database_url": f"sqlite:///{folder / 'bench.db'}"}, environ={})
    ws = Workspace.open(settings)
    ws.publish({f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()})
    return ws


def sample(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "name": f"Deal {i}", "stage": rng.choice(STAGES), "amount": f"{rng.randint(100, 1_000_000)}.50",
        "quantity": rng.randint(1, 50), "close_date": (date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))).isoformat(),
        "probability": str(rng.randint(0, 100)), "region": rng.choice(["华东", "华南", "华北", "西南"]),
        "vip": rng.random() < 0.1, "email": f"u{i}@example.com", "notes": "跟进中",
    }


def raw_row(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    row = dict(values)
    row["amount"] = float(Decimal(values["amount"]))
    row["probability"] = float(values["probability"])
    row["close_date"] = date.fromisoformat(values["close_date"])
    row.update(created_at=now, updated_at=now, created_by=1, updated_by=1, owner_id=1, version=1)
    return row


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_single(ws: Workspace, table: sa.Table, n: int = 2000) -> dict[str, float]:
    rng = random.Random(1)
    rows = [sample(i, rng) for i in range(n)]
    now = datetime.now(timezone.utc)

    def raw() -> None:
        for values in rows:
            with ws.engine.begin() as conn:
                conn.execute(table.insert().values(raw_row(values, now)))

    def service() -> None:
        for values in rows:
            ws.records.create(ACTOR, "deal", values)

    raw_rate, svc_rate = rate(n, timed(raw)), rate(n, timed(service))
    return {"raw_per_s": raw_rate, "service_per_s": svc_rate, "ratio": svc_rate / raw_rate, "target": 0.3}


def bench_bulk(ws: Workspace, table: sa.Table, batches: int = 5, size: int = 1000) -> dict[str, float]:
    """create_many against raw executemany of the same rows, in alternating batches of `size` after one warm-up
    batch each (so load from other processes falls on both sides); the ratio is the median of the batches'."""
    rng = random.Random(2)
    data = [[sample(i, rng) for i in range(size)] for _ in range(batches + 1)]
    now = datetime.now(timezone.utc)

    def raw(batch: list[dict[str, Any]]) -> None:
        with ws.engine.begin() as conn:
            conn.execute(table.insert(), [raw_row(v, now) for v in batch])

    def service(batch: list[dict[str, Any]]) -> None:
        ws.records.create_many(ACTOR, "deal", batch)

    raw(data[0])
    service(data[0])
    raw_times, svc_times = [], []
    for batch in data[1:]:
        raw_times.append(timed(lambda: raw(batch)))
        svc_times.append(timed(lambda: service(batch)))
    n = batches * size
    ratio = statistics.median(r / s for r, s in zip(raw_times, svc_times))
    return {"raw_per_s": rate(n, sum(raw_times)), "service_per_s": rate(n, sum(svc_times)), "ratio": ratio,
            "target": 0.5}


def fill(ws: Workspace, table: sa.Table, total: int) -> None:
    rng = random.Random(3)
    now = datetime.now(timezone.utc)
    with ws.engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    chunk = 20_000
    for start in range(have, total, chunk):
        rows = [raw_row(sample(i, rng), now - timedelta(seconds=i)) for i in range(start, min(total, start + chunk))]
        with ws.engine.begin() as conn:
            conn.execute(table.insert(), rows)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def bench_first_page(ws: Workspace, table: sa.Table, runs: int = 200) -> dict[str, float]:
    query = Query(filters=(Filter("stage", "eq", "won"), Filter("amount", "gt", "500000")),
                  sort=(("created_at", True),), limit=25, with_children=False)
    raw_times, svc_times = [], []
    for _ in range(runs):
        # Like a request handler, the raw side builds its statement each time (as the service does).
        start = time.perf_counter()
        raw_stmt = (sa.select(table).where(table.c.deleted_at.is_(None), table.c.stage == "won", table.c.amount > 500000)
                    .order_by(table.c.created_at.desc(), table.c.id.desc()).limit(26))
        with ws.engine.connect() as conn:
            conn.execute(raw_stmt).all()
        raw_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        page = ws.records.list(ACTOR, "deal", query)
        svc_times.append(time.perf_counter() - start)
    assert len(page.records) == 25
    raw_p95, svc_p95 = p95(raw_times), p95(svc_times)
    return {"raw_p95_ms": raw_p95 * 1000, "service_p95_ms": svc_p95 * 1000, "ratio": svc_p95 / raw_p95,
            "target": 2.0, "target_p95_ms": 50}


def bench_add_field(ws: Workspace) -> dict[str, float]:
    path = "bench/bench/forms/deal.yaml"
    text = ws.sources()[path] + f"  - {{id: extra_{int(time.time())}, type: text, label: 新字段}}\n"
    seconds = timed(lambda: ws.publish({path: text}))
    return {"seconds": seconds, "target_s": 1.0}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="formwork-bench-") as tmp:
        ws = open_ws(Path(tmp))
        table = ws.records.runtime("deal").main
        results: dict[str, Any] = {}
        results["single_create"] = bench_single(ws, table)
        results["bulk_create"] = bench_bulk(ws, table)
        print(f"filling {BIG:,} records…", file=sys.stderr)
        fill(ws, table, BIG)
        ws.analyze()  # what `formwork migrate --apply` does after an import: fresh planner statistics
        results["first_page_1m"] = bench_first_page(ws, table)
        results["add_field_1m"] = bench_add_field(ws)
        results["report_groupby"] = report_groupby.measure(ws)
        results["records"] = BIG
        results["database"] = "sqlite"
        ws.close()
        results["web"] = web.run(Path(tmp))
        results["api_groupby"] = api_groupby.run(Path(tmp))
        results["list_during_export"] = list_during_export.run(Path(tmp))
        results["jobs"] = jobs.run(Path(tmp))
        results["workflows"] = workflows.run(Path(tmp))
        results["designer_page"] = designer_page.run(Path(tmp))
        results["dashboard_page"] = dashboard_page.run(Path(tmp), BIG)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'benchmark':<22} {'raw':>14} {'formwork':>14} {'ratio':>8} {'target':>10}")
    for key in ("single_create", "bulk_create"):
        r = results[key]
        print(f"{key:<22} {r['raw_per_s']:>10.0f} r/s {r['service_per_s']:>10.0f} r/s {r['ratio']:>8.2f} {'≥ ' + str(r['target']):>10}")
    r = results["first_page_1m"]
    print(f"{'first_page_1m (p95)':<22} {r['raw_p95_ms']:>11.2f} ms {r['service_p95_ms']:>11.2f} ms {r['ratio']:>8.2f} {'≤ 2, <50ms':>10}")
    r = results["add_field_1m"]
    print(f"{'add_field_1m':<22} {'':>14} {r['seconds']:>12.3f} s {'':>8} {'< 1 s':>10}")
    report_groupby.print_table(results["report_groupby"])
    web.print_table(results["web"])
    api_groupby.print_table(results["api_groupby"])
    list_during_export.print_table(results["list_during_export"])
    jobs.print_table(results["jobs"])
    workflows.print_table(results["workflows"])
    designer_page.print_table(results["designer_page"])
    dashboard_page.print_table(results["dashboard_page"])


if __name__ == "__main__":
    main()
