"""A live tally to a large crowd is written in paced slices, in its channel's own lane: the
presenter's channel is not held behind it, an event of the same channel published after it
reaches everybody after it, and every connection gets every event once, in order."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from server.broker import broker_from_url
from server.channels import ChannelKind
from server.hub.connection import Connection
from server.hub.hub import PACED_FRAMES, PACED_PAUSE_SECONDS, Hub
from server.identity import Identity
from server.service.tallies import REFRESHES
from server.settings import Limits
from tests.unit.test_hub_resync import Socket
from tests.unit.test_hub_turns import payload

CROWD = PACED_FRAMES * 8 + 3
SLICES = CROWD // PACED_FRAMES


async def snapshotter(who: Identity, kind: ChannelKind) -> dict[str, Any]:
    return {}


class Crowd:
    """Connections whose frames are recorded with the moment each was written."""

    def __init__(self) -> None:
        self.frames: dict[str, list[tuple[float, dict[str, Any]]]] = {}

    def writer(self, who: str) -> Any:
        def write(frame: bytes) -> bool:
            self.frames.setdefault(who, []).append((time.monotonic(), json.loads(payload(frame))))
            return True
        return write

    def events(self, who: str) -> list[tuple[int, str]]:
        return [(message["seq"], message["name"]) for _, message in self.frames.get(who, [])]

    def written_at(self, who: str, name: str) -> float:
        return next(at for at, message in self.frames[who] if message["name"] == name)


async def crowd_hub() -> tuple[Hub, Any, Crowd]:
    broker = broker_from_url("memory://", history=10)
    hub = Hub(broker, Limits(), snapshotter, paced=REFRESHES)
    await hub.start()
    crowd = Crowd()
    for person in range(CROWD):
        conn = Connection(Socket(), Identity(1, "participant", participant_id=person + 1), None,
                          crowd.writer(f"p{person}"))
        await hub.attach(conn, "public", None)
    presenter = Connection(Socket(), Identity(1, "presenter", staff_id=1), None, crowd.writer("presenter"))
    await hub.attach(presenter, "staff", None)
    return hub, broker, crowd


async def settled(hub: Hub, crowd: Crowd, expect: int) -> None:
    async def done() -> None:
        while sum(len(crowd.events(f"p{p}")) for p in range(CROWD)) < CROWD * expect or hub._lanes:
            await asyncio.sleep(0.01)
    await asyncio.wait_for(done(), 10)


async def test_a_tally_to_a_crowd_is_paced_and_the_presenter_does_not_wait_for_it() -> None:
    hub, broker, crowd = await crowd_hub()
    try:
        started = time.monotonic()
        await broker.publish("ev:1:public", "poll.tally", {"poll": 1, "tally": {}, "turnout": {}, "computed_at": 1})
        await broker.publish("ev:1:staff", "poll.tally", {"poll": 1, "tally": {}, "turnout": {}, "computed_at": 1})
        await broker.publish("ev:1:public", "poll.updated", {"poll": 1, "status": "closed"})
        await settled(hub, crowd, 2)

        assert crowd.events("presenter") == [(1, "poll.tally")]
        tally_done = max(crowd.written_at(f"p{p}", "poll.tally") for p in range(CROWD))
        # The crowd's tally took its pauses; the presenter's came before the crowd had all of it.
        assert tally_done - started >= SLICES * PACED_PAUSE_SECONDS
        assert crowd.written_at("presenter", "poll.tally") < tally_done
        # Published after the tally on the same channel: delivered after it, to everybody.
        assert min(crowd.written_at(f"p{p}", "poll.updated") for p in range(CROWD)) > tally_done
        for person in range(CROWD):
            assert crowd.events(f"p{person}") == [(1, "poll.tally"), (2, "poll.updated")]
        assert hub.stats["paced_deliveries"] == 1
    finally:
        await hub.stop()


async def test_other_work_runs_between_the_slices_of_a_paced_delivery() -> None:
    hub, broker, crowd = await crowd_hub()
    ran_mid_delivery: list[int] = []
    try:
        async def another_task() -> None:  # what a vote's batch waiting on the store is to the loop
            while (written := len(crowd.frames)) < CROWD:
                if written:
                    ran_mid_delivery.append(written)
                await asyncio.sleep(0.001)

        other = asyncio.create_task(another_task())
        await broker.publish("ev:1:public", "poll.turnout", {"poll": 1, "turnout": {}, "computed_at": 1})
        await asyncio.wait_for(other, 10)
        await settled(hub, crowd, 1)
        # A timer of 1 ms fired during the pauses: the loop was idle there, not only given turns.
        assert len(set(ran_mid_delivery)) >= SLICES // 2, ran_mid_delivery
    finally:
        await hub.stop()


async def test_a_screen_change_is_not_paced() -> None:
    hub, broker, crowd = await crowd_hub()
    try:
        await broker.publish("ev:1:public", "screen.updated", {"kind": "qr"})
        await settled(hub, crowd, 1)
        assert hub.stats["paced_deliveries"] == 0
        assert all(crowd.events(f"p{p}") == [(1, "screen.updated")] for p in range(CROWD))
    finally:
        await hub.stop()
