"""Who may open a connection: a cap per process and per client address."""

from __future__ import annotations

from collections import Counter


class Admission:
    """Counts open websockets; `admit` returns a refusal reason or None and counts the connection."""

    def __init__(self, max_total: int, per_address: int) -> None:
        self.max_total = max_total
        self.per_address = per_address
        self.total = 0
        self.by_address: Counter[str] = Counter()

    def admit(self, address: str) -> str | None:
        if self.total >= self.max_total:
            return "server full"
        if self.by_address[address] >= self.per_address:
            return "too many connections from this address"
        self.total += 1
        self.by_address[address] += 1
        return None

    def release(self, address: str) -> None:
        self.total -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]
