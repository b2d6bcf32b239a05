"""A resync (after a reset or a slow spell) asked for while the connection's first snapshot is
still being built waits for it, then brings the client up to date from where the first left
it: no crash, no gap, no duplicate."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from server.broker import broker_from_url
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
