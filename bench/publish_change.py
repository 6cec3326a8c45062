"""Publishing a form change on a big form: add a field, add an option, rename a label.

`python -m bench.publish_change [records]` (default 1,000,000) fills the bench `deal` form with one
INSERT … SELECT, then times `Workspace.publish` for each change (median of `BENCH_PUBLISH_RUNS` runs, default 3,
each run a new change of the same kind) against a raw `ALTER TABLE … ADD COLUMN` timed in the same run, and
checks that no publish rewrote the table: on SQLite the table's root page and the file's page count, on
PostgreSQL the table's relfilenode, stay the same. A type change (text → long text) is timed last as a control:
SQLite rebuilds the table for it, and the check must say so (PostgreSQL turns VARCHAR into TEXT in place).
SQLite by default; `BENCH_PG=1` runs it on a throw-away PostgreSQL (or the server at `BENCH_PG_URL`), as
bench.pg_sort does. Not part of `make bench` or the test suite.
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
from engine.settings import Settings
from engine.workspace import Workspace

HERE = Path(__file__).parent
RUNS = int(os.environ.get("BENCH_PUBLISH_RUNS", "3"))
TABLE = "f_bench_deal"
DEAL = "bench/bench/forms/deal.yaml"

SQLITE_FILL = f"""
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)
INSERT INTO {TABLE} (created_at, updated_at, created_by, updated_by, owner_id, version, name, stage, amount,
                     quantity, close_date, probability, region, vip, email, notes)
SELECT '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000', 1, 1, 1 + i % 50, 1, 'Deal ' || i,
       CASE i % 5 WHEN 0 THEN 'new' WHEN 1 THEN 'qualified' WHEN 2 THEN 'proposal' WHEN 3 THEN 'won' ELSE 'lost' END,
       (i * 7919) % 1000000 + 0.5, 1 + i % 50, date('2024-01-01', '+' || (i % 700) || ' days'), (i * 31) % 101,
       CASE i % 4 WHEN 0 THEN '华东' WHEN 1 THEN '华南' WHEN 2 THEN '华北' ELSE '西南' END, i % 10 = 0,
       'u' || i || '@example.com', '跟进中'
FROM seq
"""


def pg_fill() -> str:
    from bench.pg_sort import FILL

    return FILL


@contextmanager
def database(home: Path) -> Iterator[str]:
    """The database URL of the run: an SQLite file, or a fresh PostgreSQL database with BENCH_PG=1."""
    if not os.environ.get("BENCH_PG"):
        yield f"sqlite:///{home / 'bench.db'}"
        return
    from bench.pg_sort import fresh_database, server

    with server() as url:
        yield fresh_database(url)


def open_ws(url: str, home: Path) -> Workspace:
    ws = Workspace.open(Settings.load({"home": str(home), "database_url": url}, environ={}))
    ws.publish({f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()})
    return ws


def fill(ws: Workspace, total: int) -> float:
    start = time.perf_counter()
    with ws.engine.begin() as conn:
        conn.execute(sa.text(SQLITE_FILL if ws.engine.dialect.name == "sqlite" else pg_fill()), {"n": total})
    return time.perf_counter() - start


def storage_mark(ws: Workspace) -> tuple[int, ...]:
    """What a table rewrite changes: SQLite's root page of the table and page count; PostgreSQL's relfilenode."""
    with ws.engine.connect() as conn:
        if ws.engine.dialect.name == "sqlite":
            root = conn.execute(sa.text("SELECT rootpage FROM sqlite_master WHERE name = :t"), {"t": TABLE}).scalar()
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            return int(root or 0), int(pages or 0)
        node = conn.execute(sa.text("SELECT relfilenode FROM pg_class WHERE relname = :t"), {"t": TABLE}).scalar()
        return (int(node or 0),)


def rewritten(before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    """A new root page / relfilenode, or (SQLite) the file grew by more than a few pages."""
    return before[0] != after[0] or (len(before) > 1 and after[1] - before[1] > 16)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Changes:
    """Successive changes of the deal form's text, each run a new one."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.n = 0

    def publish(self, old: str, new: str) -> None:
        text = self.ws.sources()[DEAL]
        assert old in text, old
        self.ws.publish({DEAL: text.replace(old, new, 1)}, comment="bench")

    def add_field(self) -> None:
        self.n += 1
        text = self.ws.sources()[DEAL]
        self.ws.publish({DEAL: text + f"  - {{id: extra_{self.n}, type: text, label: 附加 {self.n}}}\n"})

    def add_option(self) -> None:
        self.n += 1
        self.publish("options: [new,", f"options: [new, extra_{self.n},")

    def rename_label(self) -> None:
        self.n += 1
        text = self.ws.sources()[DEAL]
        label = next(line for line in text.splitlines() if "{id: name," in line).split("label: ")[1].split(",")[0]
        self.publish(f"label: {label},", f"label: 名称 {self.n},")

    def raw_add_column(self) -> None:
        self.n += 1
        with self.ws.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE {TABLE} ADD COLUMN raw_{self.n} VARCHAR(255)")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        ws = open_ws(url, Path(folder))
        try:
            run(ws, total)
        finally:
            ws.close()


def run(ws: Workspace, total: int) -> None:
    print(f"{ws.engine.dialect.name}: filled {total:,} deals in {fill(ws, total):.1f} s")
    changes = Changes(ws)
    raw = [timed(changes.raw_add_column) for _ in range(RUNS)]
    raw_s = statistics.median(raw)
    print(f"{'raw ALTER TABLE ADD COLUMN':<28} {raw_s * 1000:9.1f} ms")
    for name, change in (("add a field", changes.add_field), ("add an option", changes.add_option),
                         ("rename a label", changes.rename_label)):
        before = storage_mark(ws)
        seconds = statistics.median(timed(change) for _ in range(RUNS))
        after = storage_mark(ws)
        print(f"{name:<28} {seconds * 1000:9.1f} ms  ×{seconds / raw_s:7.1f} raw   "
              f"rewrite: {'YES' if rewritten(before, after) else 'no'}  {before} → {after}")
    before = storage_mark(ws)
    seconds = timed(lambda: changes.publish("{id: region, type: text,", "{id: region, type: textarea,"))
    after = storage_mark(ws)
    print(f"{'control: text → long text':<28} {seconds * 1000:9.1f} ms  ×{seconds / raw_s:7.1f} raw   "
          f"rewrite: {'YES' if rewritten(before, after) else 'no'}  {before} → {after}")


if __name__ == "__main__":
    main()
