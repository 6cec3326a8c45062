"""What a job handler gets: its job, the host workspace, fenced write transactions and progress reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.jobs import queue
from engine.jobs.queue import Claim
from engine.storage.database import write_transaction

if TYPE_CHECKING:
    from engine.workspace import Workspace


class PermanentError(Exception):
    """A job failure that retrying cannot fix (a bad address, a template error): fail at once, no more tries."""


class JobContext:
    """One claimed job being run: `host` is the workspace (records, definitions, settings)."""

    def __init__(self, host: Workspace, job: Claim, lease: timedelta):
        self.host, self.job, self.lease = host, job, lease

    @property
    def key(self) -> str:
        return self.job.key

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.job.payload

    def now(self) -> datetime:
        now: datetime = self.host.now()
        return now

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """A write transaction that only commits while this runner still holds the job."""
        with write_transaction(self.host.engine) as conn:
            queue.fence(conn, self.job, self.now(), self.lease)
            yield conn

    def fenced(self) -> Callable[[sa.Connection], None]:
        """A hook for services that run their own transaction: call it inside, to fence the job there."""
        return lambda conn: queue.fence(conn, self.job, self.now(), self.lease)

    def progress(self, percent: int, text: str = "") -> None:
        """Report how far a long job is (pages poll it); a separate short transaction."""
        with write_transaction(self.host.engine) as conn:
            queue.progress(conn, self.job, percent, text)

    def enqueue(self, conn: sa.Connection, key: str, kind: str, payload: Mapping[str, Any], **kwargs: Any) -> bool:
        """Queue a follow-up job in `conn`'s transaction, remembering this job as its parent."""
        kwargs.setdefault("parent", self.key)
        return queue.enqueue(conn, key, kind, payload, now=self.now(), **kwargs)
