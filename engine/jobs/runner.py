"""The embedded default: one background thread relays, ticks and runs jobs inside the web process."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger("formwork.jobs")


class InProcessRunner:
    """Runs a workspace's jobs in a daemon thread until stopped; without Redis this is the whole job system."""

    def __init__(self, jobs: Any, *, idle_seconds: float = 0.5, tick_seconds: float = 10):
        self.jobs, self.idle_seconds, self.tick_seconds = jobs, idle_seconds, tick_seconds
        self._ticked = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="formwork-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.step()
            except Exception:  # the loop must outlive a database hiccup; the next round tries again
                log.exception("job runner round failed")
            if not busy:
                self._stop.wait(self.idle_seconds)

    def step(self) -> bool:
        """One round; True if it did something (then the next round starts at once)."""
        self.jobs.host.refresh()  # another process may have published (new automations, changed forms)
        relayed = self.jobs.relay()
        if time.monotonic() - self._ticked >= self.tick_seconds:  # schedules have minute precision
            self.jobs.tick()
            self._ticked = time.monotonic()
        ran = self.jobs.run_due(limit=20)
        return bool(relayed) or any(o.status != "busy" for o in ran)
