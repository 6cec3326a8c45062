"""Rate limits kept in memory (each web process counts its own), timed by the workspace clock: for the public
page's live answers (/f/{token}/live), which write nothing and come at every pause in typing, so a count in the
database would cost more than the answer. Posts, which write, are counted in the database (engine/public_limits.py)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

WINDOW_SECONDS = 600
PER_ADDRESS = 10
PER_LINK = 300
MAX_KEYS = 50_000  # addresses remembered at most; the oldest are forgotten first


@dataclass
class RateLimits:
    """Sliding-window counters; `take` counts a post, or says how long until the next one is accepted."""

    per_address: int = PER_ADDRESS
    per_link: int = PER_LINK
    window: float = WINDOW_SECONDS
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, address: str, link: str, now: datetime) -> float | None:
        """Count a post from `address` to `link`; None when within both limits, else the seconds to wait (the post
        is not counted)."""
        at = now.timestamp()
        with self._lock:
            waits = [self._wait(f"a:{address}", self.per_address, at), self._wait(f"l:{link}", self.per_link, at)]
            refused = [w for w in waits if w is not None]
            if refused:
                return max(refused)
            for key in (f"a:{address}", f"l:{link}"):
                self._seen.setdefault(key, deque()).append(at)
            while len(self._seen) > MAX_KEYS:
                self._seen.pop(next(iter(self._seen)))
            return None

    def _wait(self, key: str, limit: int, at: float) -> float | None:
        times = self._seen.get(key)
        if times is None:
            return None
        while times and times[0] <= at - self.window:
            times.popleft()
        if len(times) < limit:
            return None
        return times[0] + self.window - at
