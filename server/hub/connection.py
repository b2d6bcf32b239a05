"""One websocket connection as the hub sees it: identity, channel positions, send buffer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.broker import Envelope, Position
from server.identity import Identity


class TextSocket(Protocol):
    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(slots=True)
class ChannelState:
    position: Position | None = None
    # Envelopes that arrived while the snapshot or replay was being prepared.
    pending: list[Envelope] | None = field(default_factory=list)
    # One snapshot or replay at a time: a reset can ask for one while the first is in progress.
    # Held only while one is wanted (`wanting` of them), not for the life of the connection.
    syncing: asyncio.Lock | None = None
    wanting: int = 0

    @property
    def attaching(self) -> bool:
        return self.pending is not None


class Connection:
    """Hub-side state of a socket. `send` never waits on a slow peer: see `buffered`.

    Slotted: ten thousand of them are held at once, and a per-instance dict would be a
    few hundred bytes each for nothing."""

    __slots__ = ("socket", "identity", "transport", "write_frame", "channels", "stale_since", "closed",
                 "revoked", "first_visit")

    def __init__(
        self,
        socket: TextSocket,
        identity: Identity,
        transport: asyncio.WriteTransport | None,
        write_frame: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.socket = socket
        self.identity = identity
        self.transport = transport
        # Writes a pre-built frame to the socket; False once the connection is not open.
        self.write_frame = write_frame
        self.channels: dict[str, ChannelState] = {}
        self.stale_since: float | None = None
        self.closed = False
        # Its staff link was revoked (or the organizer secret rotated): no further command runs.
        self.revoked = False
        # The join created its participant: its first snapshot has nothing of its own to look up.
        self.first_visit = identity.first_visit

    def buffered(self) -> int:
        """Bytes written to this socket that the peer has not read yet (0 when unknown)."""
        if self.transport is None:
            return 0
        try:
            return self.transport.get_write_buffer_size()
        except (AttributeError, RuntimeError):
            return 0

    def mark_stale(self) -> None:
        if self.stale_since is None:
            self.stale_since = time.monotonic()

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    async def send(self, text: str) -> None:
        await self.socket.send_text(text)

    def abort_if_unread(self) -> None:
        """Drop the socket if the peer still has not read what it was sent (a peer that reads
        nothing reads no close frame either): its unsent bytes are freed at once."""
        if self.transport is not None and self.buffered() > 0:
            self.transport.abort()

    def describe(self) -> dict[str, Any]:
        return {"role": self.identity.role, "actor": self.identity.actor, "buffered": self.buffered()}
