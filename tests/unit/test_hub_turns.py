"""One event to a large crowd is written in slices: between them the rest of the event loop gets
its turn (a vote's acknowledgement does not wait for a whole tally's fan-out), and every
connection still gets every event once, in order."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from server.broker import broker_from_url
from server.channels import ChannelKind
from server.hub.connection import Connection
from server.hub.hub import FRAMES_PER_TURN, Hub
from server.identity import Identity
from server.settings import Limits
from tests.unit.test_hub_resync import Socket

CROWD = FRAMES_PER_TURN * 3 + 7


def payload(frame: bytes) -> bytes:
    """A server's unmasked text frame, without its header (RFC 6455, section 5.2)."""
    length = frame[1] & 0x7F
    return frame[2 + {126: 2, 127: 8}.get(length, 0):]


async def snapshotter(who: Identity, kind: ChannelKind) -> dict[str, Any]:
    return {}


async def test_a_large_delivery_gives_the_loop_turns_and_keeps_each_connections_order() -> None:
    broker = broker_from_url("memory://", history=10)
    hub = Hub(broker, Limits(), snapshotter)
    await hub.start()
    frames: dict[int, list[bytes]] = {}
    written_when_others_ran: list[int] = []

    def writer(person: int) -> Any:
        def write(frame: bytes) -> bool:
            frames.setdefault(person, []).append(frame)
            return True
        return write

    try:
        for person in range(CROWD):
            conn = Connection(Socket(), Identity(1, "participant", participant_id=person + 1), None, writer(person))
            await hub.attach(conn, "public", None)

        async def another_task() -> None:  # what a vote's acknowledgement is to the loop
            while sum(map(len, frames.values())) < CROWD * 2:
                written_when_others_ran.append(sum(map(len, frames.values())))
                await asyncio.sleep(0)

        other = asyncio.create_task(another_task())
        for kind in ("qr", "blank"):
            await broker.publish("ev:1:public", "screen.updated", {"kind": kind})
        await asyncio.wait_for(other, 5)

        mid_delivery = [n for n in written_when_others_ran if 0 < n < CROWD or CROWD < n < CROWD * 2]
        assert len(mid_delivery) >= 4, f"no turn given during a delivery: {written_when_others_ran[:20]}"
        for person in range(CROWD):
            got = [json.loads(payload(frame)) for frame in frames[person]]
            assert [(m["seq"], m["data"]["kind"]) for m in got] == [(1, "qr"), (2, "blank")]
    finally:
        await hub.stop()
