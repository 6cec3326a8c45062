"""Reports on SQLite: group by month × stage with sum and count over a big table, through the report engine vs
the same SQL written by hand (median of runs, same process). `python -m bench.report_groupby [records]`
(default 1,000,000). Two date fields: close_date (a date) and created_at (a moment, bucketed in the workspace
time zone)."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.records.model import Actor
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import run_report
from engine.workspace import Workspace

RUNS = 5
ACTOR = Actor(user_id=1, is_admin=True)
HAND = {  # field → the month of a row, by hand (the workspace zone is Asia/Shanghai: UTC+8 since 1991)
    "close_date": "strftime('%Y-%m-01', close_date)",
    "created_at": "strftime('%Y-%m-01', datetime(created_at, '+28800 seconds'))",
}


def median(fn: Callable[[], Any]) -> float:
    fn()  # warm: the page cache and compiled statements
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(field: str) -> ReportDef:
    return ReportDef(id="bench", app="bench", label="bench", form="deal",
                     dimensions=(DimensionDef("month", field, bucket="month"), DimensionDef("stage", "stage")),
                     measures=(MeasureDef("amount", aggregate="sum", field="amount"),
                               MeasureDef("deals", aggregate="count")))


def bench(ws: Workspace, field: str) -> dict[str, float]:
    table = ws.records.runtime("deal").main.name
    sql = sa.text(f"SELECT {HAND[field]} AS m, stage, sum(amount), count(*) FROM {table} "
                  "WHERE deleted_at IS NULL GROUP BY m, stage")

    def raw() -> None:
        with ws.engine.connect() as conn:
            conn.execute(sql).all()

    def engine() -> None:
        run_report(ws.records, ACTOR, report(field))

    with ws.engine.connect() as conn:
        hand_rows = len(conn.execute(sql).all())
    assert len(run_report(ws.records, ACTOR, report(field)).rows) == hand_rows
    raw_s, engine_s = median(raw), median(engine)
    return {"raw_s": raw_s, "engine_s": engine_s, "ratio": engine_s / raw_s, "groups": hand_rows}


def measure(ws: Workspace) -> dict[str, Any]:
    """Both group-bys over the bench workspace's deals as they are (`make bench` runs it after its fill)."""
    table = ws.records.runtime("deal").main
    with ws.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return {field: bench(ws, field) for field in HAND} | {"records": total}


def run(folder: Path, total: int) -> dict[str, Any]:
    from bench.__main__ import fill, open_ws  # the bench form and its filler (`python -m bench.report_groupby`)

    ws = open_ws(folder)
    try:
        fill(ws, ws.records.runtime("deal").main, total)
        ws.analyze()
        return measure(ws)
    finally:
        ws.close()


def print_table(results: dict[str, Any]) -> None:
    print(f"report group-by month × stage over {results['records']:,} records (SQLite; target ≤ 1.3× raw, < 1 s)")
    for field in HAND:
        r = results[field]
        print(f"  {field:<12} raw {r['raw_s']:.3f} s  engine {r['engine_s']:.3f} s  ratio {r['ratio']:.2f}  "
              f"({r['groups']} groups)")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        results = run(Path(tmp), total)
    print_table(results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
