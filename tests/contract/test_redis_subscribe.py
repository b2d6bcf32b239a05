"""The Redis broker's first subscription to a channel: nothing published meanwhile waits."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from server.broker import Envelope
from server.broker.redis import RedisBroker
from tests.conftest import RedisServer


async def test_an_event_published_while_a_process_subscribes_arrives_without_a_later_one(
    redis_server: RedisServer,
) -> None:
    """Pass: process B takes the channel's position, process A publishes before B's SUBSCRIBE
    reaches Redis (the event goes to the stream only), and nothing else is ever published: B's
    connections still get that event, from the stream, as soon as the subscription holds. (It
    once waited for the channel's next event: a staff link revoked at that moment stayed open.)"""
    a, b = RedisBroker(redis_server.url, history=50), RedisBroker(redis_server.url, history=50)
    on_b: list[Envelope] = []
    arrived = asyncio.Event()

    def sink(envelope: Envelope) -> None:
        on_b.append(envelope)
        arrived.set()

    await a.start(lambda envelope: None)
    await b.start(sink)
    channel = f"ev:{secrets.randbelow(10**9)}:staff"
    assert b._pubsub is not None
    send_subscribe = b._pubsub.subscribe

    async def published_first(*args: Any, **kwargs: Any) -> Any:
        await a.publish(channel, "staff.revoked", {"id": 7, "role": "moderator"})
        return await send_subscribe(*args, **kwargs)

    b._pubsub.subscribe = published_first  # type: ignore[method-assign]
    try:
        await b.subscribe(channel)
        await asyncio.wait_for(arrived.wait(), 2.0)
        assert [(e.seq, e.name, e.data) for e in on_b] == [(1, "staff.revoked", {"id": 7, "role": "moderator"})]
        await a.publish(channel, "screen.updated", {"kind": "blank"})
        while len(on_b) < 2:
            await asyncio.sleep(0.01)
        assert [e.seq for e in on_b] == [1, 2], "delivered twice or out of order"
    finally:
        await a.close()
        await b.close()
