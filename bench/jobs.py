"""Job benchmark: how fast ONE worker relays record events and runs the automations they set off (in-process and
on rq), and what writing the outbox event adds to creating a record.

Throughput: BENCH_JOB_EVENTS deals (default 2,000) are created one by one — one outbox event each — with an
automation listening that updates each new deal; then the clock runs while one worker relays the events into jobs and
runs them all: `ws.jobs.drain()` in this process, or one `formwork worker --burst` process against a throw-away
redis-server on a free port (its start-up, an empty burst run, is reported apart). rq is skipped without redis-server.

Outbox cost: BENCH_OUTBOX_CREATES single creates through the record service as it is, against the same creates with
the outbox INSERT dropped (patched here, in the bench only), in alternating batches; the ratio is the median of the
batches' ratios. Whether an automation listens makes no difference to a create: consumers run when the event is
relayed, not when it is written. Bulk creates (batches of 500) write one outbox row per batch.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.definitions.loader import read_directory
from engine.jobs.tables import jobs
from engine.records import writing
from engine.records.model import Actor
from engine.settings import SETTINGS, Settings
from engine.storage.system import outbox
from engine.workspace import Workspace

HERE = Path(__file__).parent
ACTOR = Actor(user_id=1, is_admin=True)
EVENTS = int(os.environ.get("BENCH_JOB_EVENTS", "2000"))
CREATES = int(os.environ.get("BENCH_OUTBOX_CREATES", "2000"))
ROUNDS = 10
AUTOMATION = """automation: greet
label: Greet
form: deal
trigger: {type: created}
actions:
  - {type: update, values: {notes: "'hello ' & name"}}
"""


def open_ws(home: Path) -> Workspace:
    """A workspace with the bench forms whose config.json a worker process reads too."""
    home.mkdir(parents=True)
    settings = Settings.load({"home": str(home), "database_url": f"sqlite:///{home / 'jobs.db'}", "secret": "bench"},
                             environ={})
    settings.save()
    ws = Workspace.open(settings)
    ws.publish({f"bench/{k}": v for k, v in read_directory(HERE / "definitions").items()})
    return ws


def deal(i: int) -> dict[str, Any]:
    return {"name": f"Deal {i}", "stage": "new", "amount": "1000.50", "quantity": 3, "region": "华东"}


def loaded(home: Path) -> Workspace:
    """EVENTS deals, each created alone (one outbox event each), with the automation listening; nothing run yet."""
    ws = open_ws(home)
    ws.publish({"automations/greet.yaml": AUTOMATION})
    for i in range(EVENTS):
        ws.records.create(ACTOR, "deal", deal(i))
    return ws


def job_counts(ws: Workspace) -> dict[str, int]:
    query = sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
    with ws.engine.connect() as conn:
        return {str(status): int(n) for status, n in conn.execute(query)}


def check_all_done(ws: Workspace, mode: str) -> None:
    counts = job_counts(ws)
    if counts != {"done": EVENTS}:
        raise RuntimeError(f"{mode}: expected {EVENTS} jobs done, found {counts}")


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def inprocess(home: Path) -> dict[str, float]:
    """Relay and run everything in this process (`ws.jobs.drain()` until nothing is left)."""
    ws = loaded(home)
    start = time.perf_counter()
    while ws.jobs.drain():
        pass
    seconds = time.perf_counter() - start
    check_all_done(ws, "in-process")
    ws.close()
    return {"seconds": seconds, "per_s": rate(EVENTS, seconds)}


def burst(home: Path, redis_url: str) -> float:
    """Seconds one `formwork worker --burst` process takes, start-up included."""
    env = {k: v for k, v in os.environ.items() if k not in {s.env for s in SETTINGS}}
    command = [str(Path(sys.executable).with_name("formwork")), "worker", "--burst", "--home", str(home),
               "--redis-url", redis_url]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"the worker failed ({done.returncode}): {done.stdout[-1000:]}")
    return seconds


def on_rq(home: Path) -> dict[str, Any]:
    """One burst worker on a throw-away Redis; its start-up measured by an empty run first."""
    try:
        from tests.redis_server import RedisUnavailable, ThrowawayRedis
    except ImportError:  # pragma: no cover - the bench runs from the repository root
        return {"skipped": "tests/redis_server.py is not importable"}
    try:
        redis = ThrowawayRedis()
    except RedisUnavailable as exc:
        print(f"jobs: rq skipped: {exc}", file=sys.stderr)
        return {"skipped": str(exc)}
    try:
        url = redis.start()
        empty = open_ws(home / "empty")
        empty.close()
        startup = burst(home / "empty", url)
        ws = loaded(home / "rq")
        seconds = burst(home / "rq", url)
        check_all_done(ws, "rq")
        ws.close()
    finally:
        redis.close()
    work = max(seconds - startup, 1e-9)
    return {"seconds": seconds, "per_s": rate(EVENTS, seconds), "startup_s": startup,
            "per_s_after_startup": rate(EVENTS, work)}


class _WithoutOutbox:
    """A connection that drops INSERTs into the outbox and passes everything else on."""

    def __init__(self, conn: sa.Connection):
        self._conn = conn

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, sa.Insert) and statement.table is outbox:
            return None
        return self._conn.execute(statement, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def without_outbox() -> Iterator[None]:
    """Record writes as they are, minus the outbox INSERT (history rows are still written)."""
    original = writing.record_events

    def record_events(conn: sa.Connection, *args: Any, **kwargs: Any) -> None:
        original(_WithoutOutbox(conn), *args, **kwargs)  # type: ignore[arg-type]

    writing.record_events = record_events
    try:
        yield
    finally:
        writing.record_events = original


def outbox_rows(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())


def alternate(ws: Workspace, make: Callable[[int], Callable[[], None]], total: int, per_batch: int) -> dict[str, float]:
    """Creates per second with and without the outbox, in alternating batches (machine load falls on both)."""
    with_times, without_times = [], []
    batches = max(total // per_batch, 1)
    make(0)()  # warm up (statement caches, first pages of the table)
    for b in range(batches):
        with_times.append(_timed(make(1 + 2 * b)))
        before = outbox_rows(ws)
        with without_outbox():
            without_times.append(_timed(make(2 + 2 * b)))
        if outbox_rows(ws) != before:
            raise RuntimeError("the outbox-less variant still wrote outbox rows")
    n = batches * per_batch
    # the with-outbox rate over the without rate, batch by batch
    ratio = statistics.median(without / with_ for with_, without in zip(with_times, without_times))
    return {"with_per_s": rate(n, sum(with_times)), "without_per_s": rate(n, sum(without_times)), "ratio": ratio}


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def outbox_cost(home: Path) -> dict[str, Any]:
    """Single and bulk creates with the outbox write and without it."""
    ws = open_ws(home)
    per_batch = max(CREATES // ROUNDS, 1)

    def singles(batch: int) -> Callable[[], None]:
        values = [deal(batch * per_batch + i) for i in range(per_batch)]

        def create() -> None:
            for v in values:
                ws.records.create(ACTOR, "deal", v)
        return create

    def bulk(batch: int) -> Callable[[], None]:
        values = [deal(10**6 + batch * 2000 + i) for i in range(2000)]

        def create() -> None:
            for i in range(0, len(values), 500):
                ws.records.create_many(ACTOR, "deal", values[i:i + 500])
        return create

    single = alternate(ws, singles, CREATES, per_batch)
    many = alternate(ws, bulk, 2000 * ROUNDS, 2000)
    ws.close()
    return {"single": single, "bulk": many, "creates": CREATES}


def run(tmp: Path) -> dict[str, Any]:
    """The whole job benchmark in a scratch folder."""
    home = tmp / "jobs"
    print(f"jobs: {EVENTS:,} events in-process and on rq, {CREATES:,} creates with and without the outbox…",
          file=sys.stderr)
    return {
        "throughput": {"events": EVENTS, "inprocess": inprocess(home / "inprocess"), "rq": on_rq(home / "rq")},
        "outbox_cost": outbox_cost(home / "outbox"),
    }


def print_table(results: dict[str, Any]) -> None:
    """Rows for bench/__main__'s table."""
    t = results["throughput"]
    print(f"{'jobs (' + format(t['events'], ',') + ' events)':<22} {'events/s':>14} {'seconds':>14}")
    print(f"{'  in-process drain':<22} {t['inprocess']['per_s']:>14.0f} {t['inprocess']['seconds']:>14.2f}")
    rq = t["rq"]
    if "skipped" in rq:
        print(f"{'  rq burst worker':<22} skipped: {rq['skipped']}")
    else:
        print(f"{'  rq burst worker':<22} {rq['per_s']:>14.0f} {rq['seconds']:>14.2f}"
              f"   ({rq['per_s_after_startup']:.0f}/s after {rq['startup_s']:.2f} s start-up)")
    print(f"{'outbox cost':<22} {'with r/s':>14} {'without r/s':>14} {'ratio':>8}")
    for key in ("single", "bulk"):
        r = results["outbox_cost"][key]
        print(f"{'  ' + key + ' create':<22} {r['with_per_s']:>14.0f} {r['without_per_s']:>14.0f} {r['ratio']:>8.2f}")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="formwork-bench-jobs-") as folder:
        outcome = run(Path(folder))
    path = HERE / "results.json"  # merged into the last full run's results
    stored = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**stored, "jobs": outcome}, indent=2) + "\n")
    print(json.dumps(outcome, indent=2))
    print_table(outcome)
