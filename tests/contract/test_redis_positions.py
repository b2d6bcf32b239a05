"""The Redis broker shares reads among callers asking at once (a crowd joining or coming back)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.broker import Position
from server.broker.redis import RedisBroker
from tests.conftest import RedisServer


@pytest.fixture
async def broker(redis_server: RedisServer) -> AsyncIterator[RedisBroker]:
    instance = RedisBroker(redis_server.url, history=50)
    await instance.start(lambda envelope: None)
    yield instance
    await instance.close()


@pytest.fixture
async def admin(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A connection of its own to read the server's command counts."""
    client = Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


def fresh_channel(kind: str = "public") -> str:
    return f"ev:{secrets.randbelow(10**9)}:{kind}"


async def calls(redis: Redis, command: str) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


async def test_five_hundred_joiners_asking_at_once_cost_one_read(broker: RedisBroker, admin: Redis) -> None:
    channel = fresh_channel()
    await broker.publish(channel, "screen.updated", {"kind": "message"})
    before = await calls(admin, "mget")
    positions = await asyncio.gather(*(broker.position(channel) for _ in range(500)))
    assert await calls(admin, "mget") - before == 1
    assert {(p.epoch, p.seq) for p in positions} == {(positions[0].epoch, 1)}
    # Several channels asked at once: one round trip (a pipeline of one MGET per channel).
    others = [fresh_channel("staff") for _ in range(3)]
    before = await calls(admin, "mget")
    fresh = await asyncio.gather(*(broker.position(ch) for ch in others for _ in range(10)))
    assert await calls(admin, "mget") - before == len(others)
    assert all(p.seq == 0 for p in fresh) and len({p.epoch for p in fresh}) == len(others)


async def test_a_crowd_resuming_from_one_point_reads_the_history_once(broker: RedisBroker, admin: Redis) -> None:
    channel = fresh_channel()
    first = await broker.publish(channel, "screen.updated", {"kind": "message"})
    missed = await broker.publish(channel, "screen.updated", {"kind": "qr"})
    before = await calls(admin, "xrange")
    replays = await asyncio.gather(*(broker.since(channel, Position(first.epoch, first.seq)) for _ in range(300)))
    assert await calls(admin, "xrange") - before == 1
    assert all(replay is not None and [(e.seq, e.data) for e in replay] == [(missed.seq, {"kind": "qr"})]
               for replay in replays)


async def test_a_caller_that_gives_up_leaves_the_others_their_answers(broker: RedisBroker) -> None:
    channel = fresh_channel()
    askers = [asyncio.create_task(broker.position(channel)) for _ in range(20)]
    await asyncio.sleep(0)
    askers[3].cancel()
    done = await asyncio.gather(*askers, return_exceptions=True)
    assert isinstance(done[3], asyncio.CancelledError)
    assert all(isinstance(p, Position) and p.seq == 0 for i, p in enumerate(done) if i != 3)
    assert (await broker.publish(channel, "screen.updated", {})).seq == 1


async def test_an_outage_during_a_shared_read_degrades_every_caller_alike(
    broker: RedisBroker, redis_server: RedisServer
) -> None:
    """Redis gone: every caller of the batch is answered from this process's local sequencing."""
    channel = fresh_channel()
    await broker.position(channel)
    redis_server.stop()
    positions = await asyncio.gather(*(broker.position(channel) for _ in range(50)))
    assert not broker.healthy
    assert len({(p.epoch, p.seq) for p in positions}) == 1
