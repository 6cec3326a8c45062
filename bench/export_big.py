"""A big export to Excel on SQLite: the background export job (records read 500 at a time through
`RecordService.list(…, operation="export")`, cells typed, the sheet streamed by engine.records.xlsx_stream) against
the same rows read with one plain SQL cursor and written with xlsxwriter's constant-memory mode directly, each in
its own process for its peak memory (VmHWM), then openpyxl's write-only mode on the same direct path. Wall-clock
and this process's CPU seconds are both given: on a shared machine the CPU seconds say more.

`python -m bench.export_big [records]` (default 1,000,000; targets: the job < 90 s, memory flat: the peak at all
the records within 1.5× the peak at a tenth of them). Flag (after the count): `--skip-openpyxl`.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.records.model import Actor, Query

ACTOR = Actor(user_id=1, is_admin=True, language="zh")
SORT = (("created_at", True),)  # the list's default order
COLUMNS = ("name", "stage", "amount", "quantity", "close_date", "probability", "region", "vip", "email", "notes")


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss would carry the forking parent's peak over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB, where /proc is missing


def _open(folder: Path) -> Any:
    """The bench workspace in `folder` (bench.__main__ publishes the bench form in it first)."""
    from engine.settings import Settings
    from engine.workspace import Workspace

    return Workspace.open(Settings.load({"home": str(folder), "database_url": f"sqlite:///{folder / 'bench.db'}"},
                                        environ={}))


def _fill(folder: Path, total: int) -> None:
    from bench.__main__ import fill, open_ws  # reads sys.argv[1] as a count: only the parent imports it

    from engine.org.users import NewUser, create_user

    ws = open_ws(folder)
    with ws.writing() as conn:  # the export job runs as the user who asked: user 1, an administrator
        create_user(conn, NewUser("bench", "Bench", is_admin=True), ws.now())
    fill(ws, ws.records.runtime("deal").main, total)
    ws.analyze()
    ws.close()


def child_job(folder: Path) -> dict[str, Any]:
    """The real path: queue the export job as an administrator and run it; the seconds from queueing to the file."""
    from engine.records import export_jobs
    from engine.records.export import start_export

    ws = _open(folder)
    query = Query(sort=SORT)
    started, cpu = time.perf_counter(), time.process_time()
    export = start_export(ws.records, ACTOR, "deal", query, "zh")
    token = export_jobs.queue_export(ws, ACTOR, export, query, "xlsx", "zh", "deal.xlsx")
    outcomes = ws.jobs.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job = export_jobs.find(ws, token)
    assert job is not None and job.status == "done", (outcomes, job)
    size = (export_jobs.folder(ws) / str(job.file)).stat().st_size
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": _peak_mb(), "rows": job.done, "bytes": size}


def child_direct(folder: Path, writer: str) -> dict[str, Any]:
    """The same rows in the same order from one SQL cursor, written with the library directly."""
    ws = _open(folder)
    table = ws.records.runtime("deal").main
    stmt = sa.select(*(table.c[c] for c in COLUMNS)).where(table.c.deleted_at.is_(None)) \
        .order_by(table.c.created_at.desc(), table.c.id.desc())
    target = folder / f"direct-{writer}.xlsx"
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with ws.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(stmt)
        rows = (_xlsxwriter if writer == "xlsxwriter" else _openpyxl)(result, target)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": _peak_mb(), "rows": rows,
            "bytes": target.stat().st_size}


def _xlsxwriter(result: Any, target: Path) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = book.add_worksheet("deal")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS)
    n = 0
    for n, row in enumerate(result, start=1):
        for i, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(n, i, value)
            elif isinstance(value, bool):
                sheet.write_boolean(n, i, value)
            elif hasattr(value, "year"):
                sheet.write_datetime(n, i, value, day)
            else:
                sheet.write_number(n, i, float(value))
    book.close()
    return n


def _openpyxl(result: Any, target: Path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("deal")
    sheet.append(list(COLUMNS))
    n = 0
    for n, row in enumerate(result, start=1):
        sheet.append(list(row))
    book.save(str(target))
    return n


def _in_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.export_big", "--child", *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"bench child {args[0]} failed:\n{done.stderr[-3000:]}")
    out = done.stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def run(folder: Path, total: int, openpyxl_too: bool = True) -> dict[str, Any]:
    """Fill the bench form with `total` deals, then measure each side in its own process."""
    _fill(folder, total)
    results: dict[str, Any] = {"records": total}
    results["job"] = _in_child("job", str(folder))
    results["direct_xlsxwriter"] = _in_child("direct", str(folder), "xlsxwriter")
    if openpyxl_too:
        results["direct_openpyxl"] = _in_child("direct", str(folder), "openpyxl")
    results["ratio"] = results["job"]["seconds"] / results["direct_xlsxwriter"]["seconds"]
    return results


def flatness(folder: Path, total: int) -> dict[str, Any]:
    """The job's peak memory over a tenth of the records (in a workspace of its own)."""
    small = folder / "tenth"
    small.mkdir()
    _fill(small, max(1, total // 10))
    return _in_child("job", str(small))


def print_table(results: dict[str, Any]) -> None:
    job, direct = results["job"], results["direct_xlsxwriter"]
    print(f"export of {results['records']:,} records to Excel (SQLite; target: job < 90 s, flat memory)")
    print(f"  export job           {job['seconds']:7.1f} s  peak {job['peak_mb']:6.0f} MB  ({job['rows']:,} rows, "
          f"{job['bytes'] / 1e6:.0f} MB file; CPU {job['cpu_seconds']:.1f} s)")
    print(f"  cursor + xlsxwriter  {direct['seconds']:7.1f} s  peak {direct['peak_mb']:6.0f} MB  ratio {results['ratio']:.2f}"
          f"  (CPU {direct['cpu_seconds']:.1f} s)")
    if "direct_openpyxl" in results:
        o = results["direct_openpyxl"]
        print(f"  cursor + openpyxl    {o['seconds']:7.1f} s  peak {o['peak_mb']:6.0f} MB  (write-only mode)")
    tenth = results["tenth"]
    print(f"  job over a tenth     {tenth['seconds']:7.1f} s  peak {tenth['peak_mb']:6.0f} MB  → memory ratio "
          f"{job['peak_mb'] / tenth['peak_mb']:.2f} (flat: ≤ 1.5)")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        side, folder = sys.argv[2], Path(sys.argv[3])
        found = child_job(folder) if side == "job" else child_direct(folder, sys.argv[4])
        print(json.dumps(found))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    total = int(args[0]) if args else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        results = run(Path(tmp), total, openpyxl_too="--skip-openpyxl" not in sys.argv)
        results["tenth"] = flatness(Path(tmp), total)
    print_table(results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
