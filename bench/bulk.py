"""Bulk create through the record service against raw executemany of the same rows, on SQLite and PostgreSQL:
`make bench`'s `bulk_create` measure (alternating batches of 1,000, the ratio the median of the batches') on
both databases, saved to results.json as `bulk_create` (SQLite) and `bulk_create_pg`.

`python -m bench.bulk [batches] [--pg-only]` (default 9 batches; target: ratio ≥ 0.5 on both). PostgreSQL is the
server at `BENCH_PG_URL` (a maintenance database URL) or a throw-away one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def measure(batches: int, pg_only: bool) -> dict[str, Any]:
    from bench.__main__ import bench_bulk, open_ws
    from bench.pg_sort import fresh_database, open_ws as open_pg, server

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not pg_only:
            ws = open_ws(Path(tmp))
            results["bulk_create"] = bench_bulk(ws, ws.records.runtime("deal").main, batches=batches)
            ws.close()
        with server() as url:
            ws = open_pg(fresh_database(url), Path(tmp) / "pg")
            results["bulk_create_pg"] = bench_bulk(ws, ws.records.runtime("deal").main, batches=batches)
            ws.close()
    return results


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    pg_only = "--pg-only" in sys.argv
    sys.argv = sys.argv[:1]  # bench.__main__ reads sys.argv[1] as its record count
    results = measure(int(args[0]) if args else 9, pg_only)
    saved = json.loads((HERE / "results.json").read_text())
    saved.update(results)
    (HERE / "results.json").write_text(json.dumps(saved, indent=1) + "\n")  # the file's own layout
    for key, r in results.items():
        print(f"{key:<16} raw {r['raw_per_s']:8.0f} r/s  service {r['service_per_s']:8.0f} r/s  "
              f"ratio {r['ratio']:.2f} (target ≥ {r['target']})")


if __name__ == "__main__":
    main()
