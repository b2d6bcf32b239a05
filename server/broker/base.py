"""The Broker contract the hub and services are written against.

A broker owns, per channel: a dense sequence (1, 2, 3, ... with no gap), an
`epoch` that changes when that sequence restarts (a fresh memory broker, a Redis
that lost its data), a bounded history for resume, and fan-out of every
published envelope, in sequence order, to the one local sink of every process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from server import wire


@dataclass(frozen=True, slots=True)
class Position:
    epoch: str
    seq: int


@dataclass(frozen=True, slots=True)
class Envelope:
    channel: str
    epoch: str
    seq: int
    name: str
    data: Mapping[str, Any]

    def frame(self, participant: int | None = None) -> str:
        """The wire text of this envelope, built once and sent to every subscriber; with
        `participant`, as that participant's connections get it (see `wire.VARIANT`)."""
        return wire.event_frame(ch=self.channel, epoch=self.epoch, seq=self.seq, name=self.name, data=self.data,
                                participant=participant)

    @property
    def variant_for(self) -> int | None:
        """The participant whose connections get a variant of this envelope, if any."""
        return wire.variant_participant(self.data)


Sink = Callable[[Envelope], None]

# Not a client event: tells every hub to resynchronise the channel's connections
# (snapshot), e.g. after a process served it alone during a Redis outage.
RESET = "channel.reset"
HealthSink = Callable[[bool], None]


class Broker(Protocol):
    """Implemented by MemoryBroker and RedisBroker; see the module docstring for the contract."""

    async def start(self, sink: Sink, on_health: HealthSink | None = None) -> None:
        """Begin delivering envelopes of subscribed channels to `sink` (called on the event loop)."""

    async def close(self) -> None: ...

    async def publish(self, channel: str, name: str, data: Mapping[str, Any]) -> Envelope:
        """Assign the next sequence number, keep it in history, fan it out; return the envelope.

        Raises `server.errors.Unavailable` when the broker cannot take it.
        """

    async def position(self, channel: str) -> Position:
        """The channel's epoch and the last sequence number published (0 when none)."""

    async def since(self, channel: str, after: Position) -> list[Envelope] | None:
        """Envelopes with seq > after.seq, or None when they are no longer all in history
        or `after.epoch` is not the current epoch (the caller then sends a snapshot)."""

    async def forget_history(self, channel: str) -> None:
        """Drop the channel's history up to now (its sequence goes on): what was published
        before can no longer be replayed, so a client resuming from before gets a snapshot.
        Used when the store erased what those envelopes carry."""

    async def subscribe(self, channel: str) -> None:
        """Ask for this channel's envelopes to reach the sink (idempotent, reference counted by the hub)."""

    async def unsubscribe(self, channel: str) -> None: ...

    async def set_presence(self, event_id: int, process_id: str, count: int) -> None:
        """Record this process's count of online participants of an event."""

    async def presence(self, event_id: int) -> int:
        """Participants online for the event across every live process."""

    async def lease(self, name: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease `name` for `holder` for `ttl` seconds: True when `holder` holds it
        now. Held by one holder at a time across every process; a holder that stops renewing loses
        it after `ttl`, and another takes it over. False (never raises) while the broker is down."""

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once if `holder` holds it."""

    @property
    def healthy(self) -> bool: ...


def broker_from_url(url: str, *, history: int = 1000) -> Broker:
    """`memory://` or `redis://host:port/db` (also `rediss://`). Raises ValueError otherwise."""
    if url in ("", "memory://"):
        from server.broker.memory import MemoryBroker

        return MemoryBroker(history=history)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from server.broker.redis import RedisBroker

        return RedisBroker(url, history=history)
    raise ValueError(f"unsupported broker URL {url!r}: use memory:// or redis://")
