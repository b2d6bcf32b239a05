"""A resync (after a reset or a slow spell) asked for while the connection's first snapshot is
still being built waits for it, then brings the client up to date from where the first left
it: no crash, no gap, no duplicate."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from server.broker import Envelope, Position, broker_from_url
from server.broker.base import RESET
from server.channels import ChannelKind
from server.hub.connection import Connection
from server.hub.hub import Hub
from server.identity import Identity
from server.settings import Limits


class Socket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_text(self, data: str) -> None:
        self.sent.append(json.loads(data))

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        pass


async def test_a_second_sync_waits_for_the_first_and_continues_from_it() -> None:
    broker = broker_from_url("memory://", history=10)
    building = asyncio.Event()
    release = asyncio.Event()
    built = 0

    async def snapshotter(who: Identity, kind: ChannelKind) -> dict[str, Any]:
        nonlocal built
        built += 1
        if built == 1:  # the first snapshot is slow: the store is busy
            building.set()
            await release.wait()
        return {"built": built}

    hub = Hub(broker, Limits(), snapshotter)
    await hub.start()
    try:
        socket = Socket()
        conn = Connection(socket, Identity(1, "participant", participant_id=7), None)
        attaching = asyncio.create_task(hub.attach(conn, "public", None))
        await building.wait()
        resync = asyncio.create_task(hub._sync(conn, "ev:1:public", None))  # what a reset's watcher runs
        await asyncio.sleep(0.05)
        await broker.publish("ev:1:public", "screen.updated", {"kind": "qr"})  # arrives mid-sync
        release.set()
        await asyncio.gather(attaching, resync)

        frames = [(m["type"], m["seq"]) for m in socket.sent]
        assert frames == [("snapshot", 0), ("event", 1)], "the event arrived mid-sync, once"
        state = conn.channels["ev:1:public"]
        assert state.pending is None and state.position is not None and state.position.seq == 1
    finally:
        await hub.stop()


async def test_a_reset_that_arrives_while_a_reset_is_being_synced_is_not_lost() -> None:
    """Redis coming back can deliver two resets in a row (the stream replays the first). The
    second came while the first's resync was reading the broker: it once left the connection
    marked stale with nobody to bring it up to date, and every later event skipped it."""
    broker = broker_from_url("memory://", history=10)
    reading = asyncio.Event()
    release = asyncio.Event()
    reads = 0
    since = broker.since

    async def slow_since(channel: str, after: Position) -> list[Envelope] | None:
        nonlocal reads
        reads += 1
        if reads == 1:  # the first reset's resync waits for a busy broker
            reading.set()
            await release.wait()
        return await since(channel, after)

    broker.since = slow_since  # type: ignore[method-assign]

    async def snapshotter(who: Identity, kind: ChannelKind) -> dict[str, Any]:
        return {}

    hub = Hub(broker, Limits(), snapshotter)
    await hub.start()
    try:
        socket = Socket()
        conn = Connection(socket, Identity(1, "participant", participant_id=7), None)
        await hub.attach(conn, "public", None)
        position = await broker.position("ev:1:public")
        await hub.deliver(Envelope("ev:1:public", position.epoch, position.seq, RESET, {}))
        await asyncio.wait_for(reading.wait(), 5)
        await hub.deliver(Envelope("ev:1:public", position.epoch, position.seq, RESET, {}))  # mid-resync
        release.set()
        for _ in range(200):
            if not conn.stale and not hub._watching:
                break
            await asyncio.sleep(0.01)
        for text in ("Bom dia", "Dzień dobry"):
            await broker.publish("ev:1:public", "screen.updated", {"kind": "message", "text": text})
        for _ in range(200):
            if len([m for m in socket.sent if m["type"] == "event"]) == 2:
                break
            await asyncio.sleep(0.01)

        events = [(m["seq"], m["data"]["text"]) for m in socket.sent if m["type"] == "event"]
        assert events == [(1, "Bom dia"), (2, "Dzień dobry")], "later events reach it, once each, in order"
        assert reads == 2, "the second reset was honoured with a resync of its own"
        assert not conn.stale
    finally:
        await hub.stop()
