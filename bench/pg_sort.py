"""PostgreSQL list sorts: first-page time and plan of the record service's list queries over a big table.

`python -m bench.pg_sort [records]` (default 1,000,000) fills the bench `deal` form on PostgreSQL with one
INSERT … SELECT over generate_series, ANALYZEs it, then times each list query (median of `BENCH_PG_RUNS`
runs, default 20) and prints the top of its plan, so a full scan and sort of the table shows. It uses the
server at `BENCH_PG_URL` (a maintenance database URL; a fresh database is created in it) or starts a
throw-away one like the test suite does.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from engine.definitions.loader import read_directory
from engine.records.model import Actor, Filter, Query
from engine.settings import Settings
from engine.workspace import Workspace

HERE = Path(__file__).parent
ACTOR = Actor(user_id=1, is_admin=True)
RUNS = int(os.environ.get("BENCH_PG_RUNS", "20"))

# Rows made by the database itself: stages and owners repeat, one row in ten has no stage, amount or owner.
FILL = """
INSERT INTO f_bench_deal (created_at, updated_at, created_by, updated_by, owner_id, department_id, version,
                          name, stage, amount, quantity, close_date, probability, region, vip, email, notes)
SELECT now() - make_interval(secs => :n - i), now() - make_interval(secs => :n - i), 1, 1,
       CASE WHEN i % 10 = 3 THEN NULL ELSE 1 + i % 50 END, 1 + i % 20, 1,
       'Deal ' || i,
       CASE WHEN i % 10 = 7 THEN NULL ELSE (ARRAY['new','qualified','proposal','won','lost'])[1 + i % 5] END,
       CASE WHEN i % 10 = 5 THEN NULL ELSE (i::bigint * 7919) % 1000000 + 0.5 END,
       1 + i % 50, DATE '2024-01-01' + (i % 700), (i::bigint * 31) % 101,
       (ARRAY['华东','华南','华北','西南'])[1 + i % 4], i % 10 = 0, 'u' || i || '@example.com', '跟进中'
FROM generate_series(1, :n) AS i
"""

CASES: dict[str, Query] = {
    "default (id desc)": Query(),
    "created_at desc": Query(sort=(("created_at", True),)),
    "updated_at desc": Query(sort=(("updated_at", True),)),
    "stage asc (nullable, index)": Query(sort=(("stage", False),)),
    "stage desc (nullable, index)": Query(sort=(("stage", True),)),
    "owner desc (nullable)": Query(sort=(("owner_id", True),)),
    "stage=won, created_at desc": Query(filters=(Filter("stage", "eq", "won"),), sort=(("created_at", True),)),
    "owner=7, default sort": Query(filters=(Filter("owner_id", "eq", 7),)),
}


@contextmanager
def server() -> Iterator[str]:
    """A PostgreSQL maintenance URL: BENCH_PG_URL, or a throw-away server for the run."""
    if os.environ.get("BENCH_PG_URL"):
        yield os.environ["BENCH_PG_URL"]
        return
    from tests.pg import ThrowawayPostgres

    pg = ThrowawayPostgres()
    url = pg.start()
    try:
        yield url
    finally:
        pg.stop()


def fresh_database(server_url: str) -> str:
    """A new empty database on the server."""
    name = f"bench_sort_{os.getpid()}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def open_ws(url: str, home: Path) -> Workspace:
    settings = Settings.load({"home": str(home), "database_url": url}, environ={})
    ws = Workspace.open(settings)
    ws.publish({f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()})
    return ws


def fill(ws: Workspace, total: int) -> float:
    """Insert `total` rows and ANALYZE; the seconds it took."""
    start = time.perf_counter()
    with ws.engine.begin() as conn:
        conn.execute(sa.text(FILL), {"n": total})
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE f_bench_deal")
    return time.perf_counter() - start


def plan_of(ws: Workspace, query: Query) -> list[str]:
    """EXPLAIN ANALYZE of the page query the record service runs for `query`."""
    from tests.pg import statements

    with statements(ws.engine) as seen:
        ws.records.list(ACTOR, "deal", query)
    statement, parameters = next((s, p) for s, p in seen if "FROM f_bench_deal" in s and "ORDER BY" in s)
    with ws.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + statement, parameters)
            return [str(row[0]) for row in cursor.fetchall()]


def nodes(plan: list[str]) -> str:
    """The plan's node names, outermost first: `Limit > Index Scan Backward using … on …`."""
    names = [plan[0]] + [line.split("->", 1)[1] for line in plan[1:] if "->" in line]
    return " > ".join(n.split(" (")[0].strip() for n in names)


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with server() as url, tempfile.TemporaryDirectory() as home:
        ws = open_ws(fresh_database(url), Path(home))
        try:
            print(f"filled {total:,} rows in {fill(ws, total):.1f} s")
            for name, query in CASES.items():
                first = median_ms(lambda: ws.records.list(ACTOR, "deal", query))
                cursor = ws.records.list(ACTOR, "deal", query).next_cursor
                second = median_ms(lambda: ws.records.list(ACTOR, "deal", Query(
                    filters=query.filters, sort=query.sort, after=cursor)))
                print(f"{name:<30} first page {first:8.2f} ms   next page {second:8.2f} ms   {nodes(plan_of(ws, query))}")
        finally:
            ws.close()


if __name__ == "__main__":
    main()
