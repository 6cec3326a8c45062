"""PostgreSQL first pages at scale, by who reads and what a row carries: the admin, a rep who reads their own records
and a manager who reads their department's (target: scoped ≤ 1.2× the admin), and a form whose rows carry a relation
and four lookups through it against the same rows read without them (target ≤ 1.5×); each also against the SQL a person
would write for the same page, and the p95 of the admin's first page (target < 50 ms). The three readers are also
timed as a request reads: who is asking (`Workspace.identities`: the marks, and the user with their departments kept
under them), then the page.

`python -m bench.pg_paths [records]` (default 1,000,000; BENCH_PG_URL to use a server of your own). The deals are
bench.pg_sort's (INSERT … SELECT over generate_series); the orders copy them and point at 10,000 clients. Every
figure is a median and a p95 of BENCH_PG_RUNS (default 50) interleaved runs in one process.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.pg_sort import fill, fresh_database, open_ws, server
from engine.definitions.loader import load_sources
from engine.records.model import Actor, Query
from engine.workspace import Workspace

RUNS = int(os.environ.get("BENCH_PG_RUNS", "50"))
CLIENTS = 10_000
ADMIN = Actor(user_id=1, is_admin=True)
APP = "app: bench\nlabel: {zh: 基准, en: Benchmark}\nforms: [deal, client, order]\n"
CLIENT = """form: client
label: {zh: 客户, en: Client}
title: name
fields:
  - {id: name, type: text, label: 名称}
  - {id: grade, type: select, label: 等级, options: [A, B, C]}
  - {id: city, type: text, label: 城市}
  - {id: phone, type: text, label: 电话}
  - {id: industry, type: text, label: 行业}
"""
ORDER = """form: order
label: {zh: 订单, en: Order}
title: name
fields:
  - {id: name, type: text, label: 名称, required: true}
  - {id: stage, type: select, label: 阶段, options: [new, qualified, proposal, won, lost], index: true}
  - {id: amount, type: money, label: 金额, min: 0}
  - {id: close_date, type: date, label: 预计成交}
  - {id: client, type: relation, to: client, label: 客户}
  - {id: client_grade, type: lookup, path: client.grade, label: 客户等级}
  - {id: client_city, type: lookup, path: client.city, label: 客户城市}
  - {id: client_phone, type: lookup, path: client.phone, label: 客户电话}
  - {id: client_industry, type: lookup, path: client.industry, label: 客户行业}
"""
PLAIN = "\n".join(line for line in ORDER.splitlines() if "lookup" not in line) + "\n"  # the same rows, no lookups
ROLES = """roles:
  - id: rep
    label: 销售
    permissions:
      deal: {operations: [read], scope: own}
  - id: manager
    label: 经理
    permissions:
      deal: {operations: [read], scope: department}
"""
FILL_CLIENTS = """
INSERT INTO f_bench_client (created_at, updated_at, created_by, updated_by, owner_id, version, name, grade, city,
                            phone, industry)
SELECT now(), now(), 1, 1, 1, 1, '客户 ' || i, (ARRAY['A','B','C'])[1 + i % 3], '城市 ' || (i % 300), '555-' || i,
       '行业 ' || (i % 40)
FROM generate_series(1, :n) AS i
"""
FILL_ORDERS = """
INSERT INTO f_bench_order (created_at, updated_at, created_by, updated_by, owner_id, department_id, version, name,
                           stage, amount, close_date, client)
SELECT created_at, updated_at, 1, 1, owner_id, department_id, 1, name, stage, amount, close_date,
       1 + (id * 7) % :clients
FROM f_bench_deal
"""
RAW = {  # the first page as a person would write it: newest first, 20 rows (the list's page size)
    "admin": "SELECT * FROM f_bench_deal WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 21",
    "own": "SELECT * FROM f_bench_deal WHERE deleted_at IS NULL AND owner_id = 7 ORDER BY id DESC LIMIT 21",
    "department": "SELECT * FROM f_bench_deal WHERE deleted_at IS NULL AND department_id IN (:dept) "
                  "ORDER BY id DESC LIMIT 21",
}


def prepare(ws: Workspace, total: int) -> dict[str, Any]:
    """Publish the client and order forms and the roles, fill them, and add a rep (user 7's records) and a
    manager of one department; the seconds the fills took and the actors."""
    from engine.org.departments import add_department
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction

    ws.publish({"bench/bench/app.yaml": APP, "bench/bench/forms/client.yaml": CLIENT, "bench/bench/forms/order.yaml": ORDER,
                "roles.yaml": ROLES})
    with write_transaction(ws.engine) as conn:
        made = [create_user(conn, NewUser(f"u{i}", f"User {i}", password="correct horse 1", is_admin=i == 1),
                            ws.now()) for i in range(1, 8)]
        dept = add_department(conn, made[0], {"zh": "华东", "en": "East"}, None, None, ws.now())
        manager = create_user(conn, NewUser("manager", "Manager", password="correct horse 1", roles=("manager",),
                                            department_id=dept), ws.now())
    rep = Actor(user_id=made[6], roles=frozenset({"rep"}))
    if made[6] != 7:
        raise RuntimeError(f"the rep is user {made[6]}, not 7 whose deals the fill made")
    filled = fill(ws, total)
    start = time.perf_counter()
    with ws.engine.begin() as conn:
        conn.execute(sa.text(FILL_CLIENTS), {"n": CLIENTS})
        conn.execute(sa.text(FILL_ORDERS), {"clients": CLIENTS})
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("f_bench_deal", "f_bench_client", "f_bench_order"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    return {"fill_s": round(filled + time.perf_counter() - start, 1), "rep": rep, "dept": dept,
            "manager": Actor(user_id=manager, department_id=dept, roles=frozenset({"manager"}))}


def timed(cases: dict[str, Callable[[], object]], runs: int = RUNS) -> dict[str, dict[str, float]]:
    """Median and p95 (ms) of each case, run in turn `runs` times (interleaved, after one warm-up each)."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for fn in cases.values():
        fn()
    for _ in range(runs):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: {"median_ms": round(statistics.median(v), 2),
                   "p95_ms": round(statistics.quantiles(v, n=20)[-1], 2)} for name, v in samples.items()}


def measure(url: str, home: Path, total: int) -> dict[str, Any]:
    ws = open_ws(url, home)
    try:
        made = prepare(ws, total)
        page = Query(limit=20, with_children=False)

        plain = ws.records_for(load_sources({**ws.sources(), "bench/bench/forms/order.yaml": PLAIN}).raise_for_problems())
        cases: dict[str, Callable[[], object]] = {
            "admin": lambda: ws.records.list(ADMIN, "deal", page),
            "own": lambda: ws.records.list(made["rep"], "deal", page),
            "department": lambda: ws.records.list(made["manager"], "deal", page),
            "plain": lambda: plain.list(ADMIN, "order", page),
            "lookups": lambda: ws.records.list(ADMIN, "order", page),
            **{f"raw {k}": _raw(ws, sql, made["dept"]) for k, sql in RAW.items()},
            **{f"request {k}": _request(ws, actor, page)
               for k, actor in (("admin", ADMIN), ("own", made["rep"]),
                                ("department", made["manager"]))},
        }
        for name in ("own", "department"):
            assert ws.records.list(made[{"own": "rep", "department": "manager"}[name]], "deal", page).records
        figures = timed(cases)
        med = {k: v["median_ms"] for k, v in figures.items()}
        return {"records": total, "fill_s": made["fill_s"], "runs": RUNS, "cases": figures,
                "own_vs_admin": round(med["own"] / med["admin"], 2),
                "department_vs_admin": round(med["department"] / med["admin"], 2),
                "request_own_vs_admin": round(med["request own"] / med["request admin"], 2),
                "request_department_vs_admin": round(med["request department"] / med["request admin"], 2),
                "lookups_vs_plain": round(med["lookups"] / med["plain"], 2),
                "admin_vs_raw": round(med["admin"] / med["raw admin"], 2),
                "own_vs_raw": round(med["own"] / med["raw own"], 2),
                "department_vs_raw": round(med["department"] / med["raw department"], 2)}
    finally:
        ws.close()


def _request(ws: Workspace, actor: Actor, page: Query) -> Callable[[], object]:
    """The page as a web request reads it: the signed-in user (kept under the identity marks, with their departments),
    then the list as the Actor built from that user (web.session.actor_of)."""
    from dataclasses import replace

    def run() -> object:
        with ws.statement() as conn:
            user = ws.identities.user(conn, int(actor.user_id or 0)) or {}
        return ws.records.list(replace(actor, viewer=user.get("viewer")), "deal", page)
    return run


def _raw(ws: Workspace, sql: str, dept: int) -> Callable[[], object]:
    statement = sa.text(sql)
    params = {"dept": dept} if ":dept" in sql else {}

    def run() -> object:
        with ws.engine.connect() as conn:
            return conn.execute(statement, params).all()
    return run


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with server() as url, tempfile.TemporaryDirectory() as home:
        result = measure(fresh_database(url), Path(home), total)
    print(f"first pages (20 rows) over {total:,} deals on PostgreSQL, {RUNS} interleaved runs; "
          f"filled in {result['fill_s']} s")
    for name, figures in result["cases"].items():
        print(f"  {name:<16} median {figures['median_ms']:7.2f} ms   p95 {figures['p95_ms']:7.2f} ms")
    print(f"  as requests: own / admin {result['request_own_vs_admin']}   "
          f"department / admin {result['request_department_vs_admin']}")
    print(f"  own / admin {result['own_vs_admin']}   department / admin {result['department_vs_admin']}   "
          f"lookups / plain {result['lookups_vs_plain']}   admin / raw {result['admin_vs_raw']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
