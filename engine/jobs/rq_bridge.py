"""Jobs on rq and Redis: a dispatcher pushes due job keys to an rq queue; rq workers run them.

The job table stays the truth. Redis only carries keys, so losing Redis (or a worker) loses nothing:
keys not run are pushed again, a dead worker's lease expires and the job is taken over, and the claim
makes sure each job runs to completion once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.exceptions import RedisError, ResponseError
from rq import Queue, SimpleWorker

from engine.storage.database import write_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.jobs")
QUEUE = "formwork"
REQUEUE_AFTER = timedelta(seconds=60)
COMMAND_POLL = 0.5  # seconds: how long a worker's command listener reads before looking whether it must stop

_host: Workspace | None = None  # the workspace of this worker process (set by run_worker, or opened on first use)


def perform(key: str) -> str:
    """The rq job: run one of our jobs by key (claiming it; a no-op if it is done or someone else has it)."""
    host = _workspace()
    host.refresh()
    return str(host.jobs.run(key).status)


def _workspace() -> Any:
    global _host
    if _host is None:
        from engine.settings import Settings  # a plain `rq worker` process: open the workspace from the environment
        from engine.workspace import Workspace

        _host = Workspace.open(Settings.load())
    return _host


def push_due(host: Workspace, queue: Queue, limit: int = 500, *, requeue_after: timedelta | None = REQUEUE_AFTER) -> int:
    """Hand due jobs to the rq queue (at most once a minute each, unless their runner died; every due job when
    `requeue_after` is None)."""
    keys = host.jobs.due(limit, requeue_after=requeue_after)
    if not keys:
        return 0
    with queue.connection.pipeline() as pipe:
        for key in keys:
            queue.enqueue(perform, key, pipeline=pipe, job_timeout=int(host.jobs.lease.total_seconds()),
                          result_ttl=600, failure_ttl=86400, description=f"formwork job {key}")
        pipe.execute()
    with write_transaction(host.engine) as conn:
        from engine.jobs import queue as jobqueue

        jobqueue.mark_enqueued(conn, keys, host.now())
    return len(keys)


class Worker(SimpleWorker):
    """rq's in-process worker, whose listener for rq's commands (`rq shutdown` …) stops within `COMMAND_POLL`.

    rq reads its command channel in a thread with a 60 s timeout, and redis-py (8 and later) joins that thread when
    the worker tears down. When the thread had already read the reply to the worker's UNSUBSCRIBE before being told
    to stop, it waited a full read (60 s) for a subscription that never came: every return from `work()` could hang
    a minute — a burst worker, which returns from `work()` once a round, looked as if it never ended, and a stopped
    worker outlived its service manager's patience. A short read ends that wait at once.
    """

    def subscribe(self) -> None:
        """Listen on this worker's command channel, as rq does, with a short read."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        listener = self.pubsub.run_in_thread(sleep_time=COMMAND_POLL, daemon=True,
                                             exception_handler=self._pubsub_exception_handler)
        self.pubsub_thread = listener  # type: ignore[assignment]  # rq's __init__ leaves the attribute typed None


class Dispatcher:
    """A thread that relays the outbox, ticks the clock and pushes due jobs to Redis, surviving outages."""

    def __init__(self, host: Workspace, redis_url: str, *, idle_seconds: float = 0.5, tick_seconds: float = 10):
        self.host, self.idle_seconds, self.tick_seconds = host, idle_seconds, tick_seconds
        self._ticked = 0.0
        self.queue = Queue(QUEUE, connection=Redis.from_url(redis_url))
        self._server: str | None = None  # the run id of the Redis server our last push went to
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="formwork-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def step(self) -> bool:
        self.host.refresh()
        relayed = self.host.jobs.relay()
        if time.monotonic() - self._ticked >= self.tick_seconds:  # schedules have minute precision
            self.host.jobs.tick()
            self._ticked = time.monotonic()
        # A Redis server we have not pushed to yet (this process just started, or the server restarted without
        # persistence and lost the keys handed to it) may lack due jobs: push every due job once, not only those
        # not pushed in the last minute. A key pushed twice runs once (the claim).
        server = self._server_id()
        pushed = push_due(self.host, self.queue, requeue_after=REQUEUE_AFTER if server == self._server else None)
        self._server = server
        return bool(relayed or pushed)

    def _server_id(self) -> str:
        """The Redis server's run id: a new one each time the server starts ("" where INFO is not allowed)."""
        try:
            info: Any = self.queue.connection.info("server")
        except ResponseError:  # a managed Redis may refuse INFO: then only the first push is a full one
            return ""
        return str(info.get("run_id", ""))

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.step()
            except RedisError as exc:
                log.warning("Redis is not reachable (%s); jobs wait in the database", exc)
                self._stop.wait(1.0)
            except Exception:
                log.exception("dispatcher round failed")
            if not busy:
                self._stop.wait(self.idle_seconds)


def run_worker(host: Workspace, redis_url: str, *, burst: bool = False, dispatch: bool = True) -> None:
    """`formwork worker`: a dispatcher thread plus an rq worker (with rq's scheduler) on our queue.

    When Redis goes away the worker waits and reconnects; what it had not finished is taken over later.
    """
    global _host
    _host = host
    dispatcher = Dispatcher(host, redis_url) if dispatch else None
    if dispatcher and not burst:
        dispatcher.start()
    try:
        while True:
            try:
                connection = Redis.from_url(redis_url)
                worker = Worker([Queue(QUEUE, connection=connection)], connection=connection)
                if not burst:
                    worker.work(with_scheduler=True, logging_level="WARNING")
                    return  # asked to stop (SIGINT/SIGTERM)
                while True:  # burst: dispatch and work until a round finds nothing (jobs may queue follow-ups)
                    pushed = dispatcher.step() if dispatcher else False
                    worked = worker.work(burst=True, logging_level="WARNING")
                    if not pushed and not worked:
                        return
            except RedisError as exc:
                log.warning("Redis is not reachable (%s); retrying in 2 s", exc)
                time.sleep(2)
    finally:
        if dispatcher:
            dispatcher.stop()
