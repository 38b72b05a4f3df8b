"""Event de-duplication: Slack retries an event it thinks was lost; answer each `event_id` once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class EventDedupe:
    """Remembers the event ids being processed or done, for as long as Slack may retry them.

    A retry of an event seen here is skipped; a retry of an event never seen (its first delivery
    was lost, or failed before the bot claimed it) is processed like a first delivery. An event
    whose processing failed is released, so that Slack's next retry gets another chance.
    In-memory: one per process (see the README for several API workers).
    """

    def __init__(
        self, ttl_s: float = 3600.0, max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Slack retries after about 1 s, 1 min and 5 min, so an hour covers every retry.
        self.ttl_s = ttl_s
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, event_id: str) -> bool:
        """True if the caller should process the event (nobody has it yet); marks it taken."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if event_id in self._seen:
                return False
            self._seen[event_id] = ("processing", now)
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return True

    def done(self, event_id: str) -> None:
        """The event was handled: later retries of it are skipped."""
        with self._lock:
            if event_id in self._seen:
                self._seen[event_id] = ("done", self._seen[event_id][1])

    def release(self, event_id: str) -> None:
        """Processing failed: forget the event so that Slack's retry is processed."""
        with self._lock:
            self._seen.pop(event_id, None)

    def state(self, event_id: str) -> str | None:
        """'processing', 'done' or None (never seen, expired or released)."""
        with self._lock:
            self._expire(self._clock())
            entry = self._seen.get(event_id)
            return entry[0] if entry else None

    def _expire(self, now: float) -> None:
        while self._seen:
            oldest, (_, claimed) = next(iter(self._seen.items()))
            if now - claimed < self.ttl_s:
                break
            del self._seen[oldest]
