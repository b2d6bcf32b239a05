"""The Redis broker shares reads among callers asking at once (a crowd joining or coming back)."""

from __future__ import annotations

import asyncio
import secrets

from redis.asyncio import Redis

from server.broker import Position
from server.broker.redis import RedisBroker
from tests.conftest import RedisServer


async def calls(redis: Redis, command: str) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


async def mget_calls(redis: Redis) -> int:
    return await calls(redis, "mget")


async def test_five_hundred_joiners_asking_at_once_cost_one_read(redis_server: RedisServer) -> None:
    broker = RedisBroker(redis_server.url, history=50)
    await broker.start(lambda envelope: None)
    admin = Redis.from_url(redis_server.url)
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        await broker.publish(channel, "screen.updated", {"kind": "message"})
        before = await mget_calls(admin)
        positions = await asyncio.gather(*(broker.position(channel) for _ in range(500)))
        assert await mget_calls(admin) - before == 1
        assert {(p.epoch, p.seq) for p in positions} == {(positions[0].epoch, 1)}
        # Several channels asked at once: one round trip (a pipeline of one MGET per channel).
        others = [f"ev:{secrets.randbelow(10**9)}:staff" for _ in range(3)]
        before = await mget_calls(admin)
        fresh = await asyncio.gather(*(broker.position(ch) for ch in others for _ in range(10)))
        assert await mget_calls(admin) - before == len(others)
        assert all(p.seq == 0 for p in fresh) and len({p.epoch for p in fresh}) == len(others)
    finally:
        await admin.aclose()
        await broker.close()


async def test_a_crowd_resuming_from_one_point_reads_the_history_once(redis_server: RedisServer) -> None:
    broker = RedisBroker(redis_server.url, history=50)
    await broker.start(lambda envelope: None)
    admin = Redis.from_url(redis_server.url)
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        first = await broker.publish(channel, "screen.updated", {"kind": "message"})
        missed = await broker.publish(channel, "screen.updated", {"kind": "qr"})
        before = await calls(admin, "xrange")
        replays = await asyncio.gather(*(broker.since(channel, Position(first.epoch, first.seq)) for _ in range(300)))
        assert await calls(admin, "xrange") - before == 1
        assert all(replay is not None and [(e.seq, e.data) for e in replay] == [(missed.seq, {"kind": "qr"})]
                   for replay in replays)
    finally:
        await admin.aclose()
        await broker.close()


async def test_a_caller_that_gives_up_leaves_the_others_their_answers(redis_server: RedisServer) -> None:
    broker = RedisBroker(redis_server.url, history=50)
    await broker.start(lambda envelope: None)
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        askers = [asyncio.create_task(broker.position(channel)) for _ in range(20)]
        await asyncio.sleep(0)
        askers[3].cancel()
        done = await asyncio.gather(*askers, return_exceptions=True)
        assert isinstance(done[3], asyncio.CancelledError)
        assert all(isinstance(p, Position) and p.seq == 0 for i, p in enumerate(done) if i != 3)
        assert (await broker.publish(channel, "screen.updated", {})).seq == 1
    finally:
        await broker.close()


async def test_an_outage_during_a_shared_read_degrades_every_caller_alike(redis_server: RedisServer) -> None:
    """Redis gone: every caller of the batch is answered from this process's local sequencing."""
    broker = RedisBroker(redis_server.url, history=50)
    await broker.start(lambda envelope: None)
    try:
        channel = f"ev:{secrets.randbelow(10**9)}:public"
        await broker.position(channel)
        redis_server.stop()
        positions = await asyncio.gather(*(broker.position(channel) for _ in range(50)))
        assert not broker.healthy
        assert len({(p.epoch, p.seq) for p in positions}) == 1
    finally:
        await broker.close()
