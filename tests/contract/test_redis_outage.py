"""The Redis broker when Redis goes away in the middle of a call: it degrades, never raises."""

from __future__ import annotations

import secrets
from typing import Any

from server.broker import Envelope
from server.broker.redis import RedisBroker
from tests.conftest import RedisServer


async def test_redis_lost_while_a_channel_gets_its_epoch_degrades(redis_server: RedisServer) -> None:
    """Pass: Redis stopping between reading a new channel's position and fixing its epoch (a
    participant joining at that moment) degrades the broker to this process's own delivery, as
    any outage does: the caller gets a position, not a Redis error that would close the socket."""
    broker = RedisBroker(redis_server.url, history=50)
    received: list[Envelope] = []
    await broker.start(received.append)
    fix_epoch = broker._redis.set

    async def lost_meanwhile(*args: Any, **kwargs: Any) -> Any:
        redis_server.stop()
        return await fix_epoch(*args, **kwargs)

    broker._redis.set = lost_meanwhile  # type: ignore[method-assign]
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        await broker.subscribe(channel)
        assert (await broker.position(channel)).seq == 0
        assert not broker.healthy
        envelope = await broker.publish(channel, "screen.updated", {"kind": "blank"})
        assert envelope.seq == 1
    finally:
        await broker.close()


async def test_a_closed_transport_under_uvloop_degrades_like_any_outage(redis_server: RedisServer) -> None:
    """Pass: Redis going away while a joiner's channel position is read, as uvloop reports it (a
    RuntimeError from the closed transport, not a ConnectionError), degrades the broker; the
    joiner gets a position, and publishing goes on locally. (It once closed the joiner with 1011.)"""
    broker = RedisBroker(redis_server.url, history=50)
    await broker.start(lambda envelope: None)

    class ClosedTransport:
        """The pipeline that reads positions, sent as Redis goes away."""

        def mget(self, *keys: Any) -> ClosedTransport:
            return self

        async def execute(self) -> Any:
            redis_server.stop()
            raise RuntimeError("unable to perform operation on <TCPTransport closed=True>; the handler is closed")

    broker._redis.pipeline = lambda transaction=True: ClosedTransport()  # type: ignore[method-assign,assignment,return-value]
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        await broker.subscribe(channel)
        assert (await broker.position(channel)).seq == 0
        assert not broker.healthy
        assert (await broker.publish(channel, "screen.updated", {"kind": "blank"})).seq == 1
    finally:
        await broker.close()
