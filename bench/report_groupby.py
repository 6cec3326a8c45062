"""Reports on SQLite: group by month × stage with sum and count over a big table, through the report engine vs
the same SQL written by hand (median of runs, interleaved, same process). `python -m bench.report_groupby [records]`
(default 1,000,000). Two date fields: close_date (a date) and created_at (a moment, bucketed in the workspace
time zone). Then the same report as a sales manager whose role sees their department tree (half the records),
against the administrator's time."""

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

from engine.org.users import NewUser, create_department, create_user
from engine.records.model import Actor
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import compute_report as run_report  # the SQL each time, not a kept dataset
from engine.storage.database import write_transaction
from engine.workspace import Workspace

RUNS = 5
ACTOR = Actor(user_id=1, is_admin=True)
HAND = {  # field → the month of a row, by hand (the workspace zone is Asia/Shanghai: UTC+8 since 1991)
    "close_date": "strftime('%Y-%m-01', close_date)",
    "created_at": "strftime('%Y-%m-01', datetime(created_at, '+28800 seconds'))",
}


ROLES = """roles:
  - id: manager
    label: {zh: 销售经理, en: Sales manager}
    permissions:
      deal: {operations: [read], scope: department_tree}
"""


def medians(*fns: Callable[[], Any]) -> list[float]:
    """The median time of each function, their runs interleaved (a, b, a, b…) so that a change in the machine's
    load during the bench weighs on both sides alike."""
    for fn in fns:
        fn()  # warm: the page cache and compiled statements
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(RUNS):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


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
    raw_s, engine_s = medians(raw, engine)
    return {"raw_s": raw_s, "engine_s": engine_s, "ratio": engine_s / raw_s, "groups": hand_rows}


def manager(ws: Workspace) -> tuple[Actor, int]:
    """A sales manager over Sales (East and West below it), the deals spread over four departments (Sales, East,
    West, Service) by id: the manager's tree holds three quarters of them. Returns the actor and their count."""
    table = ws.records.runtime("deal").main
    with write_transaction(ws.engine) as conn:
        top = create_department(conn, "sales", "销售部")
        east = create_department(conn, "east", "华东", parent_id=top)
        west = create_department(conn, "west", "华西", parent_id=top)
        service = create_department(conn, "service", "客服部")
        ids = [top, east, west, service]
        conn.execute(table.update().values(department_id=sa.case(
            *[(table.c.id % 4 == i, dept) for i, dept in enumerate(ids)])))
        seen = conn.execute(sa.select(sa.func.count()).select_from(table)
                            .where(table.c.department_id.in_(ids[:3]))).scalar_one()
    ws.publish({"bench/roles.yaml": ROLES})
    with write_transaction(ws.engine) as conn:
        user_id = create_user(conn, NewUser("manager", "Manager", department_id=top, roles=("manager",)), ws.now())
    ws.analyze()
    return Actor(user_id=user_id, department_id=top, roles=frozenset({"manager"})), seen


def scoped(ws: Workspace) -> dict[str, float]:
    """The month × stage report as the manager vs as the administrator (target ≤ 1.2×)."""
    actor, seen = manager(ws)
    dataset = run_report(ws.records, actor, report("close_date"))
    assert sum(row[-1] for row in dataset.rows) == seen
    admin_s, manager_s = medians(lambda: run_report(ws.records, ACTOR, report("close_date")),
                                 lambda: run_report(ws.records, actor, report("close_date")))
    return {"admin_s": admin_s, "manager_s": manager_s, "ratio": manager_s / admin_s, "seen": seen}


def measure(ws: Workspace) -> dict[str, Any]:
    """Both group-bys over the bench workspace's deals as they are (`make bench` runs it after its fill), then the
    department-scoped one."""
    table = ws.records.runtime("deal").main
    with ws.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return {field: bench(ws, field) for field in HAND} | {"scoped": scoped(ws), "records": total}


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
    r = results["scoped"]
    print(f"  as a manager over {r['seen']:,} of them: {r['manager_s']:.3f} s vs the administrator's "
          f"{r['admin_s']:.3f} s, ratio {r['ratio']:.2f} (target ≤ 1.2)")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        results = run(Path(tmp), total)
    print_table(results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
