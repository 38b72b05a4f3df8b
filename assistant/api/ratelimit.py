"""Per-client rate limiting: a token bucket per client, refilled continuously."""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass(frozen=True)
class Rate:
    """`requests` per `seconds`, with bursts up to `requests`."""

    requests: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """Parse `N/second|minute|hour`; `0` (or empty) means no limit."""
        text = text.strip().lower()
        if text in {"", "0", "off", "none"}:
            return None
        match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour)", text)
        if not match or int(match.group(1)) == 0:
            raise ValueError(
                f"invalid rate limit {text!r}: write it as N/second, N/minute or N/hour, or 0 "
                "for no limit"
            )
        return cls(int(match.group(1)), _PERIODS[match.group(2)])


class RateLimiter:
    """Allows each client `rate.requests` per `rate.seconds`; says how long to wait otherwise."""

    def __init__(self, rate: Rate, max_clients: int = 100_000) -> None:
        self.rate = rate
        self._per_second = rate.requests / rate.seconds
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._max_clients = max_clients

    def acquire(self, client: str) -> float:
        """Take one token for `client`: 0 if allowed, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            tokens, seen = self._buckets.get(client, (float(self.rate.requests), now))
            tokens = min(float(self.rate.requests), tokens + (now - seen) * self._per_second)
            if tokens >= 1:
                self._store(client, tokens - 1, now)
                return 0.0
            self._store(client, tokens, now)
            return (1 - tokens) / self._per_second

    @staticmethod
    def retry_after(wait: float) -> str:
        """The `Retry-After` header value for a wait: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait)))

    def _store(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self._max_clients:
            # Forget the clients idle the longest: their buckets have refilled the most.
            by_age = sorted(self._buckets, key=lambda c: self._buckets[c][1])
            for stale in by_age[: len(by_age) // 2]:
                del self._buckets[stale]
