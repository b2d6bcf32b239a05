"""Who may open a connection: caps on open connections (per process, per client address)
and a handshake rate per client address.

A town hall on one Wi-Fi, or a crowd behind a mobile carrier's NAT, is thousands of
people behind one address: the cap on open connections per address is high by default
(`Limits.connections_per_address`), and what stops a flood from one address is the
rate at which it may open new ones (a token bucket: `handshake_rate` per second, bursts
of `handshake_burst`), which a hall arriving over minutes never reaches.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

from server.web.throttle import TokenBucket

# Buckets of addresses that have refilled are forgotten once this many are held.
MAX_TRACKED_ADDRESSES = 10_000


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a connection is refused: `code` is the `bye` code and the close reason."""

    code: str
    message: str
    retry_after: float = 1.0


class Admission:
    """Counts open websockets; `admit` returns a Refusal or None (and then counts the connection)."""

    def __init__(self, max_total: int, per_address: int, handshake_rate: float, handshake_burst: int) -> None:
        self.max_total = max_total
        self.per_address = per_address
        self.handshake_rate = handshake_rate
        self.handshake_burst = handshake_burst
        self.total = 0
        self.by_address: Counter[str] = Counter()
        self._handshakes: dict[str, TokenBucket] = {}
        self.refused: Counter[str] = Counter()

    def admit(self, address: str) -> Refusal | None:
        refusal = self._refusal(address)
        if refusal is not None:
            self.refused[refusal.code] += 1
            return refusal
        self.total += 1
        self.by_address[address] += 1
        return None

    def _refusal(self, address: str) -> Refusal | None:
        wait = self._bucket(address).take()
        if wait:
            return Refusal("handshake_rate", "too many new connections from this address; retry shortly",
                           math.ceil(wait * 1000) / 1000)
        if self.total >= self.max_total:
            return Refusal("server_full", "this server is full; retry shortly")
        if self.by_address[address] >= self.per_address:
            return Refusal("too_many_connections", "too many open connections from this address")
        return None

    def release(self, address: str) -> None:
        self.total -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]

    def _bucket(self, address: str) -> TokenBucket:
        bucket = self._handshakes.get(address)
        if bucket is None:
            if len(self._handshakes) >= MAX_TRACKED_ADDRESSES:
                self._forget_refilled()
            bucket = self._handshakes[address] = TokenBucket(self.handshake_rate, self.handshake_burst)
        return bucket

    def _forget_refilled(self) -> None:
        """Drop buckets that are full again: a new one for that address would be the same."""
        now = time.monotonic()
        for address, bucket in list(self._handshakes.items()):
            if bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.burst:
                del self._handshakes[address]
