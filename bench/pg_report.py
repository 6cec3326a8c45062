"""Reports on PostgreSQL: the month × stage group-by (sum and count) of bench.report_groupby over a big table on a
throw-away server, through the report engine vs the same SQL written by hand (median of interleaved runs, same
process). Target: < 3 s over 10,000,000 records.

`python -m bench.pg_report [records]` (default 10,000,000; BENCH_PG_URL to use a server of your own). The rows are
made by the database (bench.pg_sort's INSERT … SELECT over generate_series); filling ten million takes minutes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.pg_sort import fill, fresh_database, open_ws, server
from bench.report_groupby import ACTOR, medians, report
from engine.reports.run import compute_report as run_report  # the SQL each time, not a kept dataset

HAND = {  # the month of a row, by hand (the workspace zone is Asia/Shanghai)
    "close_date": "date_trunc('month', close_date)",
    "created_at": "date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')",
}


def measure(url: str, home: Path, total: int) -> dict[str, Any]:
    ws = open_ws(url, home)
    try:
        filled = fill(ws, total)
        table = ws.records.runtime("deal").main.name
        out: dict[str, Any] = {"records": total, "fill_s": round(filled, 1)}
        for field, month in HAND.items():
            sql = sa.text(f"SELECT {month} AS m, stage, sum(amount), count(*) FROM {table} "
                          "WHERE deleted_at IS NULL GROUP BY m, stage")

            def raw(sql: Any = sql) -> None:
                with ws.engine.connect() as conn:
                    conn.execute(sql).all()

            def engine(field: str = field) -> None:
                run_report(ws.records, ACTOR, report(field))

            with ws.engine.connect() as conn:
                groups = len(conn.execute(sql).all())
            assert len(run_report(ws.records, ACTOR, report(field)).rows) == groups
            raw_s, engine_s = medians(raw, engine)
            out[field] = {"raw_s": round(raw_s, 3), "engine_s": round(engine_s, 3),
                          "ratio": round(engine_s / raw_s, 2), "groups": groups}
        return out
    finally:
        ws.close()


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    with server() as url, tempfile.TemporaryDirectory() as home:
        result = measure(fresh_database(url), Path(home), total)
    print(f"report group-by month × stage over {total:,} records on PostgreSQL (target < 3 s); "
          f"filled in {result['fill_s']} s")
    for field in HAND:
        r = result[field]
        print(f"  {field:<12} raw {r['raw_s']:.2f} s  engine {r['engine_s']:.2f} s  ratio {r['ratio']:.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
