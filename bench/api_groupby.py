"""Group-by API benchmark: GET /api/v1/deal/groupby against the same GROUP BY written by hand in SQLAlchemy Core
behind a hand-written Starlette endpoint, both served by uvicorn over the same SQLite file (bench/web.py's set-up:
`BENCH_WEB_RECORDS` deals, default 100,000). Two questions: sum and count by stage (5 groups), and by close month ×
stage (~120 groups). Each request filters `amount ≥ n` with its own n, on both sides, so every Formwork request is
computed (the report engine keeps a dataset until the data changes, and an identical request would be read back).
`python -m bench.api_groupby`."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.web import RECORDS, Client, Server, prepare

ROUNDS = int(os.environ.get("BENCH_GROUPBY_ROUNDS", "10"))
BATCH = 4  # requests per side per round, interleaved
WARMUP = 3
QUESTIONS = {  # name → the Formwork query's groupings
    "stage": ["stage"],
    "month_stage": ["close_date:month", "stage"],
}


def raw_app() -> Any:
    """uvicorn factory: the GROUP BY written by hand (SQLAlchemy Core), its rows as JSON, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from engine.storage.database import create_engine

    engine = create_engine(f"sqlite:///{Path(os.environ['BENCH_WEB_HOME']) / 'web.db'}")
    table = sa.Table("f_bench_deal", sa.MetaData(), autoload_with=engine)
    keys = {"stage": [table.c.stage],
            "month_stage": [sa.func.strftime("%Y-%m-01", table.c.close_date).label("month"), table.c.stage]}

    def groupby(request: Request) -> JSONResponse:
        chosen = keys[request.query_params["by"]]
        stmt = (sa.select(*chosen, sa.func.sum(table.c.amount), sa.func.count())
                .where(table.c.deleted_at.is_(None), table.c.amount >= float(request.query_params["min"]))
                .group_by(*chosen))
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return JSONResponse({"groups": [{"keys": list(r[:-2]), "sum": r[-2], "count": r[-1]} for r in rows]})

    return Starlette(routes=[Route("/groupby", groupby)])


def _formwork_path(question: str, n: int) -> str:
    query = [("field", g) for g in QUESTIONS[question]] + [("measure", "count"), ("measure", "sum:amount"),
                                                           ("filter", json.dumps([{"field": "amount", "op": "ge",
                                                                                   "value": str(n)}]))]
    return "/api/v1/deal/groupby?" + urlencode(query)


def compare(raw: Client, formwork: Client, auth: dict[str, str], question: str) -> dict[str, float]:
    """Median request time of both sides (batches interleaved) and the ratio of the medians; checks both give the
    same number of groups first."""
    def send_raw(n: int) -> str:
        return raw.request("GET", f"/groupby?by={question}&min={n}")

    def send_formwork(n: int) -> str:
        return formwork.request("GET", _formwork_path(question, n), headers=auth)

    groups = len(json.loads(send_raw(100))["groups"])
    if len(json.loads(send_formwork(100))["groups"]) != groups:
        raise RuntimeError(f"{question}: the two sides disagree on the groups")
    n = 101
    for _ in range(WARMUP):
        send_raw(n), send_formwork(n)
        n += 1
    times: dict[str, list[float]] = {"raw": [], "formwork": []}
    for _ in range(ROUNDS):
        for side, send in (("raw", send_raw), ("formwork", send_formwork)):
            for i in range(BATCH):
                start = time.perf_counter()
                send(n + i)
                times[side].append(time.perf_counter() - start)
        n += BATCH
    raw_s, formwork_s = statistics.median(times["raw"]), statistics.median(times["formwork"])
    return {"raw_ms": raw_s * 1000, "formwork_ms": formwork_s * 1000, "ratio": formwork_s / raw_s, "groups": groups}


def measure(home: Path, token: str) -> dict[str, dict[str, float]]:
    servers = [Server("bench.api_groupby:raw_app", home), Server("bench.web:formwork_app", home)]
    try:
        raw, formwork = Client(servers[0].port), Client(servers[1].port)
        auth = {"authorization": f"Bearer {token}"}
        return {question: compare(raw, formwork, auth, question) for question in QUESTIONS}
    finally:
        for server in servers:
            server.stop()


def run(tmp: Path) -> dict[str, Any]:
    """The whole group-by API benchmark in a scratch folder."""
    home = tmp / "api_groupby"
    home.mkdir()
    print(f"api group-by: {RECORDS:,} records, {ROUNDS * BATCH} requests per side and question…", file=sys.stderr)
    token = prepare(home)
    return {**measure(home, token), "records": RECORDS, "requests": ROUNDS * BATCH}


def print_table(results: dict[str, Any]) -> None:
    """Rows for bench/__main__'s table."""
    print(f"API group-by over {results['records']:,} records vs the GROUP BY by hand (SQLite, HTTP, median request)")
    for question in QUESTIONS:
        r = results[question]
        print(f"  {question:<12} raw {r['raw_ms']:7.1f} ms  formwork {r['formwork_ms']:7.1f} ms  "
              f"ratio {r['ratio']:.2f}  ({r['groups']} groups)")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="formwork-bench-groupby-") as folder:
        outcome = run(Path(folder))
    print(json.dumps(outcome, indent=2))
    print_table(outcome)
