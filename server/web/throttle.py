"""A token bucket: the rate limit of one connection's commands."""

from __future__ import annotations

import time


class TokenBucket:
    """`rate` tokens per second up to `burst`. `take` returns 0 when allowed, else seconds to wait."""

    __slots__ = ("rate", "burst", "tokens", "updated")  # one per connected participant

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class ActorThrottle:
    """One token bucket per actor (participant or staff link), shared by all its connections
    in this process, so opening more tabs does not buy more messages per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[TokenBucket, int]] = {}

    def acquire(self, actor: str) -> TokenBucket:
        bucket, users = self._buckets.get(actor, (TokenBucket(self.rate, self.burst), 0))
        self._buckets[actor] = (bucket, users + 1)
        return bucket

    def release(self, actor: str) -> None:
        bucket, users = self._buckets[actor]
        if users <= 1:
            del self._buckets[actor]
        else:
            self._buckets[actor] = (bucket, users - 1)
