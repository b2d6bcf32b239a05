"""The embedded broker: one process, no network, history in a ring buffer per channel."""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.broker.base import Envelope, HealthSink, Position, Sink


@dataclass
class _Channel:
    seq: int = 0
    history: deque[Envelope] = field(default_factory=deque)


class MemoryBroker:
    """Single-process broker. Sequences restart with the process, so the epoch does too."""

    def __init__(self, *, history: int = 1000) -> None:
        self._history = history
        self._epoch = secrets.token_hex(6)
        self._channels: dict[str, _Channel] = {}
        self._subscribed: set[str] = set()
        self._sink: Sink | None = None
        self._presence: dict[int, dict[str, int]] = {}
        self._leases: dict[str, tuple[str, float]] = {}

    async def start(self, sink: Sink, on_health: HealthSink | None = None) -> None:
        self._sink = sink
        if on_health is not None:
            on_health(True)

    async def close(self) -> None:
        self._sink = None

    async def publish(self, channel: str, name: str, data: Mapping[str, Any]) -> Envelope:
        state = self._channels.setdefault(channel, _Channel(history=deque(maxlen=self._history)))
        state.seq += 1
        envelope = Envelope(channel, self._epoch, state.seq, name, data)
        state.history.append(envelope)
        if self._sink is not None and channel in self._subscribed:
            self._sink(envelope)
        return envelope

    async def position(self, channel: str) -> Position:
        state = self._channels.get(channel)
        return Position(self._epoch, state.seq if state else 0)

    async def since(self, channel: str, after: Position) -> list[Envelope] | None:
        if after.epoch != self._epoch:
            return None
        state = self._channels.get(channel)
        if state is None:
            return [] if after.seq == 0 else None
        if after.seq > state.seq:
            return None
        if after.seq == state.seq:
            return []
        oldest = state.history[0].seq if state.history else state.seq + 1
        if after.seq + 1 < oldest:
            return None
        return [env for env in state.history if env.seq > after.seq]

    async def forget_history(self, channel: str) -> None:
        state = self._channels.get(channel)
        if state is not None:
            state.history.clear()

    async def subscribe(self, channel: str) -> None:
        self._subscribed.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._subscribed.discard(channel)

    async def set_presence(self, event_id: int, process_id: str, count: int) -> None:
        self._presence.setdefault(event_id, {})[process_id] = count

    async def presence(self, event_id: int) -> int:
        return sum(self._presence.get(event_id, {}).values())

    async def lease(self, name: str, holder: str, ttl: float) -> bool:
        now = time.monotonic()
        current = self._leases.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self._leases[name] = (holder, now + ttl)
        return True

    async def release(self, name: str, holder: str) -> None:
        if self._leases.get(name, ("", 0.0))[0] == holder:
            del self._leases[name]

    @property
    def healthy(self) -> bool:
        return True
