"""Importing a big csv on SQLite: the import job (`engine.imports`: rows read, converted by their field types,
written 500 per transaction through `RecordService.create_many` with history, outbox events and the checkpoint)
against the same rows read with the csv module, typed by hand and inserted with raw executemany, in the same run
(ratio = raw seconds / import seconds, like the other bulk benches). Then the xlsx readers: python-calamine
against openpyxl's read-only mode on the same workbook.

`python -m bench.import_csv [rows] [xlsx rows] [--pg]` (defaults 1,000,000 and 100,000; target: 1,000,000 rows
< 60 s). `--pg`: on PostgreSQL (`BENCH_PG_URL`, a maintenance database URL, or a throw-away server).
"""

from __future__ import annotations

import csv
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.records.model import Actor

ACTOR = Actor(user_id=1, is_admin=True, language="zh")
COLUMNS = ("name", "stage", "amount", "quantity", "close_date", "probability", "region", "vip", "email", "notes")
HEADERS = ("名称", "阶段", "金额", "数量", "预计成交", "概率", "区域", "重点", "邮箱", "备注")


def write_csv(path: Path, rows: int) -> None:
    from bench.__main__ import sample

    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(rows):
            values = sample(i, rng)
            writer.writerow([("是" if values[c] else "否") if c == "vip" else values[c] for c in COLUMNS])


PG_SERVER: str | None = None  # --pg: the maintenance URL of the PostgreSQL server (a fresh database per side)


def workspace(folder: Path) -> Any:
    from bench.__main__ import open_ws
    from engine.org.users import NewUser, create_user

    folder.mkdir(parents=True, exist_ok=True)
    if PG_SERVER is None:
        ws = open_ws(folder)
    else:
        from bench.pg_sort import fresh_database, open_ws as open_pg

        ws = open_pg(_database(fresh_database(PG_SERVER), folder.name), folder)
    with ws.writing() as conn:
        create_user(conn, NewUser("bench", "Bench", is_admin=True), ws.now())
    return ws


def _database(url: str, side: str) -> str:
    """The fresh database renamed per side (import, raw), so that the two sides do not share a table."""
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(str(PG_SERVER), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}_{side}"')
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{name}_{side}"')
    admin.dispose()
    return f"{base}/{name}_{side}"


def run_import(folder: Path, path: Path) -> dict[str, Any]:
    from engine.imports import ImportOptions, find, inspect_file, start_import, suggest_mapping

    ws = workspace(folder / "import")
    started, cpu = time.perf_counter(), time.process_time()
    info = inspect_file(path)
    mapping = suggest_mapping(ws.records.runtime("deal").form, info.headers)
    token = start_import(ws, ACTOR, "deal", path, ImportOptions(mapping=mapping), filename=path.name)
    outcomes = ws.jobs.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job = find(ws, token)
    assert job is not None and job.status == "done" and job.errors == 0, (outcomes, job)
    with ws.reading() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(ws.records.runtime("deal").main)).scalar_one()
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": job.written, "stored": count}


def run_raw(folder: Path, path: Path) -> dict[str, Any]:
    """The floor: csv module, types by hand, executemany 500 rows per transaction."""
    ws = workspace(folder / "raw")
    table = ws.records.runtime("deal").main
    stage = {"new", "qualified", "proposal", "won", "lost"}
    started, cpu = time.perf_counter(), time.process_time()
    now = datetime.now(timezone.utc)
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[dict[str, Any]] = []
        for cells in reader:
            row = dict(zip(COLUMNS, cells))
            assert row["stage"] in stage
            batch.append({**row, "amount": Decimal(row["amount"]), "quantity": int(row["quantity"]),
                          "close_date": date.fromisoformat(row["close_date"]),
                          "probability": Decimal(row["probability"]), "vip": row["vip"] == "是",
                          "created_at": now, "updated_at": now, "created_by": 1, "updated_by": 1, "owner_id": 1,
                          "version": 1})
            if len(batch) == 500:
                with ws.engine.begin() as conn:
                    conn.execute(table.insert(), batch)
                count += len(batch)
                batch = []
        if batch:
            with ws.engine.begin() as conn:
                conn.execute(table.insert(), batch)
            count += len(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": count}


def read_xlsx(folder: Path, rows: int) -> dict[str, Any]:
    """Seconds to read every cell of a `rows`-row, 10-column workbook: python-calamine vs openpyxl read-only."""
    import openpyxl
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from bench.__main__ import sample

    path = folder / "read.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("deal")
    sheet.write_row(0, 0, HEADERS)
    rng = random.Random(7)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for i in range(rows):
        values = sample(i, rng)
        for j, column in enumerate(COLUMNS):
            value = values[column]
            if column == "close_date":
                sheet.write_datetime(i + 1, j, datetime.fromisoformat(value), day)
            elif column in ("amount", "probability"):
                sheet.write_number(i + 1, j, float(value))
            else:
                sheet.write(i + 1, j, value)
    book.close()
    started = time.perf_counter()
    calamine_cells = sum(len(r) for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("deal").iter_rows())
    calamine = time.perf_counter() - started
    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True)
    openpyxl_cells = sum(len(r) for r in workbook["deal"].iter_rows(values_only=True))
    workbook.close()
    opened = time.perf_counter() - started
    assert calamine_cells == openpyxl_cells
    return {"rows": rows, "calamine_seconds": calamine, "openpyxl_seconds": opened,
            "bytes": path.stat().st_size, "speedup": opened / calamine}


def main() -> None:
    if "--pg" in sys.argv:
        from bench.pg_sort import server

        global PG_SERVER
        with server() as url:
            PG_SERVER = url
            measure("PostgreSQL")
        return
    measure("SQLite")


def measure(database: str) -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    total = int(args[0]) if args else 1_000_000
    xlsx_rows = int(args[1]) if len(args) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "deals.csv"
        write_csv(path, total)
        results: dict[str, Any] = {"rows": total, "bytes": path.stat().st_size}
        results["import"] = run_import(folder, path)
        results["raw"] = run_raw(folder, path)
        results["ratio"] = results["raw"]["seconds"] / results["import"]["seconds"]
        if xlsx_rows:
            results["xlsx"] = read_xlsx(folder, xlsx_rows)
    imp, raw = results["import"], results["raw"]
    print(f"import of {total:,} csv rows into a 10-field form ({database}; target: 1,000,000 rows < 60 s)")
    print(f"  import job            {imp['seconds']:7.1f} s  {total / imp['seconds']:9,.0f} rows/s  "
          f"(this process's CPU {imp['cpu_seconds']:.1f} s)")
    print(f"  csv + executemany     {raw['seconds']:7.1f} s  {total / raw['seconds']:9,.0f} rows/s  "
          f"ratio {results['ratio']:.2f}  (CPU {raw['cpu_seconds']:.1f} s)")
    if "xlsx" in results:
        x = results["xlsx"]
        print(f"reading a {x['rows']:,}-row xlsx ({x['bytes'] / 1e6:.1f} MB): python-calamine {x['calamine_seconds']:.2f} s, "
              f"openpyxl read-only {x['openpyxl_seconds']:.2f} s ({x['speedup']:.1f}× faster)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
