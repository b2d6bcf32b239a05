"""The scale-out broker: Redis does sequencing, history and cross-process fan-out.

Per channel (keys share a hash tag so they live in one Cluster slot):
  plenaria:{ch}:seq    INCR counter, the dense sequence
  plenaria:{ch}:epoch  changes only when the keys were lost (Redis restarted empty)
  plenaria:{ch}:log    a stream with MAXLEN entries, id "<seq>-1", for resume
One Lua script assigns the sequence, appends to the stream and PUBLISHes, so every
process sees envelopes in sequence order. Each process holds one pub/sub
connection; when it drops, the process reconnects and fills the gap from the
stream, so the local hub never sees a hole or a duplicate.

When Redis is unreachable the process keeps serving its own connections: it
sequences its channels locally under a fresh epoch (a MemoryBroker made for that
outage). Clients that see the epoch change get a snapshot from the store; when
Redis returns, every channel is reset once more, so each connection gets a
snapshot that includes what other processes did meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

import orjson
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server import wire
from server.broker.base import RESET, Envelope, HealthSink, Position, Sink
from server.broker.memory import MemoryBroker
from server.broker.shared_reads import SharedReads
from server.errors import Unavailable

log = logging.getLogger("plenaria.broker")
POOL_SIZE = 64  # Redis connections per process (the pub/sub one included)
POOL_WAIT_SECONDS = 5.0
# Redis going away mid-call. Under uvloop, a write on a connection Redis has just closed raises
# RuntimeError ("unable to perform operation on <TCPTransport closed=True>") rather than a
# ConnectionError, and it must degrade the broker like any outage, not close a joiner with 1011.
LOST: tuple[type[Exception], ...] = (RedisError, OSError, RuntimeError)
LOST_OR_UNAVAILABLE: tuple[type[Exception], ...] = (*LOST, Unavailable)

_PUBLISH = """
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[3], seq .. '-1', 'p', ARGV[2])
redis.call('PUBLISH', ARGV[1], epoch .. ' ' .. seq .. ' ' .. ARGV[2])
return {epoch, seq}
"""

PRESENCE_TTL = 15.0

# Take the lease if free, renew it if ours: one round trip, atomic.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _keys(channel: str) -> tuple[str, str, str, str]:
    tag = f"plenaria:{{{channel}}}"
    return f"{tag}:seq", f"{tag}:epoch", f"{tag}:log", f"plenaria:pub:{channel}"


class RedisBroker:
    """Broker over one Redis (or a Cluster with hash-tagged keys). Not thread-safe; one per event loop."""

    def __init__(self, url: str, *, history: int = 1000) -> None:
        self._url = url
        self._history = history
        # A few quick retries ride over a stale pooled connection (Redis restarted) without
        # declaring an outage; a real outage still surfaces within about a second. When a crowd
        # connects at once, commands wait for one of POOL_SIZE connections instead of failing
        # with "too many connections" (which is no outage).
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_SECONDS,
            socket_timeout=2.0,
            socket_connect_timeout=1.0,
            health_check_interval=5,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        self._redis: Redis = Redis(connection_pool=pool)
        self._script = self._redis.register_script(_PUBLISH)
        self._lease = self._redis.register_script(_LEASE)
        self._release = self._redis.register_script(_RELEASE)
        self._sink: Sink | None = None
        self._on_health: HealthSink | None = None
        self._healthy = False
        self._channels: set[str] = set()
        self._delivered: dict[str, Position] = {}
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._resubscribe = asyncio.Event()
        self._local: MemoryBroker | None = None  # this outage's local sequencing, None while healthy
        self._touched: set[str] = set()  # channels published to locally during the outage
        self._unforgotten: set[str] = set()  # histories to trim in Redis once it is back
        self._positions = SharedReads("redis-positions", self._positions_of)
        self._entries = SharedReads("redis-history", self._entries_after)

    async def start(self, sink: Sink, on_health: HealthSink | None = None) -> None:
        """Connect the pub/sub side now if Redis is up; otherwise keep trying in the background."""
        self._sink = sink
        self._on_health = on_health
        try:
            await self._connect_pubsub()
        except LOST_OR_UNAVAILABLE as exc:
            await self._degrade(exc)
        self._task = asyncio.create_task(self._listen(), name="redis-broker-listen")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._positions.close()
        await self._entries.close()
        if self._pubsub is not None:
            with contextlib.suppress(*LOST):
                await self._pubsub.aclose()
        await self._redis.aclose(close_connection_pool=True)

    async def publish(self, channel: str, name: str, data: Mapping[str, Any]) -> Envelope:
        """Publish through Redis; while Redis is down, to this process's connections only."""
        if self._local is None:
            try:
                return await self._redis_publish(channel, name, data)
            except LOST as exc:
                await self._degrade(exc)
        assert self._local is not None
        self._touched.add(channel)
        return await self._local.publish(channel, name, data)

    async def _redis_publish(self, channel: str, name: str, data: Mapping[str, Any]) -> Envelope:
        payload = wire.dumps({"n": name, "d": data})
        seq_key, epoch_key, log_key, pub = _keys(channel)
        epoch, seq = await self._script(
            keys=[seq_key, epoch_key, log_key], args=[pub, payload, self._history, secrets.token_hex(6)]
        )
        return Envelope(channel, _text(epoch), int(seq), name, data)

    async def position(self, channel: str) -> Position:
        if self._local is not None:
            return await self._local.position(channel)
        try:
            return await self._redis_position(channel)
        except Unavailable as exc:
            return await (await self._degrade(exc.__cause__)).position(channel)

    async def _redis_position(self, channel: str) -> Position:
        """The channel's position in Redis, read after this call began; callers asking at once
        share one round trip (a crowd joining asks for the public channel's, hundreds a second)."""
        return await self._positions.ask(channel)

    async def _positions_of(self, channels: list[str]) -> dict[str, Position]:
        # Every call inside: Redis can go away between the read and the epoch's first write, and
        # that must degrade like any outage, never escape as a Redis error (the joiner got 1011).
        try:
            pipe = self._redis.pipeline(transaction=False)
            for channel in channels:  # one MGET per channel keeps each in its hash slot; one round trip
                seq_key, epoch_key, _, _ = _keys(channel)
                pipe.mget(epoch_key, seq_key)
            read = await pipe.execute()
            positions = {}
            for channel, (epoch, seq) in zip(channels, read, strict=True):
                if epoch is None:
                    # Fix the epoch now, so a snapshot taken before the first publish stays valid after it.
                    epoch_key = _keys(channel)[1]
                    await self._redis.set(epoch_key, secrets.token_hex(6), nx=True)
                    epoch = await self._redis.get(epoch_key)
                positions[channel] = Position(_text(epoch), int(seq or 0))
        except LOST as exc:
            raise Unavailable("the message broker is unavailable", code="broker_unavailable") from exc
        return positions

    async def since(self, channel: str, after: Position) -> list[Envelope] | None:
        if self._local is not None:
            return await self._local.since(channel, after)
        try:
            return await self._redis_since(channel, after)
        except Unavailable as exc:
            return await (await self._degrade(exc.__cause__)).since(channel, after)

    async def _redis_since(self, channel: str, after: Position) -> list[Envelope] | None:
        current = await self._redis_position(channel)
        if current.epoch != after.epoch or after.seq > current.seq:
            return None
        if after.seq == current.seq:
            return []
        entries = await self._entries.ask((channel, after.seq + 1))
        envelopes = [self._decode_entry(channel, current.epoch, entry_id, fields) for entry_id, fields in entries]
        if not envelopes or envelopes[0].seq != after.seq + 1:
            return None
        return envelopes

    async def _entries_after(self, asked: list[tuple[str, int]]) -> dict[tuple[str, int], list[tuple[Any, Any]]]:
        """The stream entries of each (channel, first seq) asked, to the end: one round trip."""
        try:
            pipe = self._redis.pipeline(transaction=False)
            for channel, first in asked:
                pipe.xrange(_keys(channel)[2], min=f"{first}-1", max="+")
            read = await pipe.execute()
        except LOST as exc:
            raise Unavailable("the message broker is unavailable", code="broker_unavailable") from exc
        return dict(zip(asked, read, strict=True))

    async def forget_history(self, channel: str) -> None:
        """Trim the channel's stream to nothing; while Redis is away, the local history now and
        the stream as soon as Redis is back."""
        if self._local is not None:
            self._unforgotten.add(channel)
            await self._local.forget_history(channel)
            return
        try:
            await self._redis.xtrim(_keys(channel)[2], maxlen=0, approximate=False)
        except LOST as exc:
            self._unforgotten.add(channel)
            await (await self._degrade(exc)).forget_history(channel)

    async def subscribe(self, channel: str) -> None:
        if channel in self._channels:
            return
        # The position first: whatever is published after it reaches the sink, live or from the stream.
        self._delivered[channel] = await self.position(channel)
        self._channels.add(channel)
        if self._local is not None:
            await self._local.subscribe(channel)
        elif self._pubsub is not None and self._healthy:
            try:
                await self._pubsub.subscribe(_keys(channel)[3])
            except LOST:
                self._resubscribe.set()

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._delivered.pop(channel, None)
        if self._local is not None:
            await self._local.unsubscribe(channel)
        if self._pubsub is not None:
            with contextlib.suppress(*LOST):
                await self._pubsub.unsubscribe(_keys(channel)[3])

    async def set_presence(self, event_id: int, process_id: str, count: int) -> None:
        if self._local is not None:
            await self._local.set_presence(event_id, process_id, count)
            return
        key = f"plenaria:presence:{event_id}"
        try:
            await self._redis.hset(key, process_id, f"{count}:{time.time() + PRESENCE_TTL}")
        except LOST as exc:
            await (await self._degrade(exc)).set_presence(event_id, process_id, count)

    async def presence(self, event_id: int) -> int:
        if self._local is not None:
            return await self._local.presence(event_id)
        key = f"plenaria:presence:{event_id}"
        try:
            entries = await self._redis.hgetall(key)
        except LOST as exc:
            return await (await self._degrade(exc)).presence(event_id)
        now, total, stale = time.time(), 0, []
        for process, value in entries.items():
            count, _, expires = _text(value).partition(":")
            if float(expires) < now:
                stale.append(process)
            else:
                total += int(count)
        if stale:
            with contextlib.suppress(*LOST):
                await self._redis.hdel(key, *stale)
        return total

    async def lease(self, name: str, holder: str, ttl: float) -> bool:
        # During an outage nobody holds a lease: what it guards waits for Redis rather than risk
        # two holders (a process that cannot reach Redis cannot know who else holds it).
        if self._local is not None:
            return False
        try:
            return bool(await self._lease(keys=[f"plenaria:lease:{name}"], args=[holder, max(1, int(ttl * 1000))]))
        except LOST:
            return False

    async def release(self, name: str, holder: str) -> None:
        with contextlib.suppress(*LOST):
            await self._release(keys=[f"plenaria:lease:{name}"], args=[holder])

    @property
    def healthy(self) -> bool:
        return self._healthy

    # -- the listening side -------------------------------------------------

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            try:
                if not self._healthy:
                    await self._connect_pubsub()
                backoff = 0.2
                await self._pump()
            except asyncio.CancelledError:
                raise
            except LOST_OR_UNAVAILABLE as exc:
                log.warning("redis pub/sub lost (%s: %s); reconnecting", type(exc).__name__, exc)
                await self._degrade(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 3.0)

    async def _connect_pubsub(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(*LOST):
                await self._pubsub.aclose()
        self._resubscribe.clear()
        self._pubsub = self._redis.pubsub()
        await self._pubsub.ping()
        if self._channels:
            await self._pubsub.subscribe(*(_keys(ch)[3] for ch in self._channels))
        if self._local is not None:
            # Back from an outage: local events were seen only here. Every channel starts
            # over from Redis and every connection gets a snapshot from the store; channels
            # changed here meanwhile are reset through Redis too, for the other processes.
            for channel in sorted(self._unforgotten):
                await self._redis.xtrim(_keys(channel)[2], maxlen=0, approximate=False)
            self._unforgotten.clear()
            for channel in sorted(self._touched):
                await self._redis_publish(channel, RESET, {})
            self._touched.clear()
            self._local = None
            for channel in list(self._channels):
                current = await self._redis_position(channel)
                self._delivered[channel] = current
                self._deliver(Envelope(channel, current.epoch, current.seq, RESET, {}))
        else:
            # Envelopes published while we were not subscribed are in the streams.
            for channel in list(self._channels):
                await self._catch_up(channel)
        self._set_health(True)

    async def _degrade(self, cause: BaseException | None = None) -> MemoryBroker:
        """Enter (or stay in) local mode, with a fresh epoch for this outage."""
        if self._local is None:
            log.warning("redis unavailable (%s: %s)", type(cause).__name__, cause)
            local = MemoryBroker(history=self._history)
            await local.start(self._deliver_local)
            for channel in self._channels:
                await local.subscribe(channel)
            self._local = local
            self._set_health(False)
        return self._local

    def _deliver_local(self, envelope: Envelope) -> None:
        if self._local is not None and self._sink is not None:
            self._sink(envelope)

    async def _pump(self) -> None:
        assert self._pubsub is not None
        while True:
            if self._resubscribe.is_set() or self._local is not None:
                # A failed subscribe, or an outage seen by a command: reconnect from scratch.
                raise ConnectionError("reconnect requested")
            if not self._pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            message = await self._pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            channel = _text(message["channel"] or "").removeprefix("plenaria:pub:")
            if message.get("type") == "subscribe" and channel in self._channels:
                # Live from here on. What was published between the position `subscribe` took and
                # this moment went to the stream only: without this, an event published in that
                # window (a revocation, say) would wait for the next one on its channel.
                await self._catch_up(channel)
                continue
            if message.get("type") != "message":
                continue
            epoch, seq, payload = _text(message["data"]).split(" ", 2)
            body = orjson.loads(payload)
            await self._accept(Envelope(channel, epoch, int(seq), body["n"], body["d"]))

    async def _accept(self, envelope: Envelope) -> None:
        """Deliver in order: drop what was delivered, fill a hole from the stream first."""
        if envelope.channel not in self._channels:
            return
        last = self._delivered.get(envelope.channel)
        if last is not None and last.epoch == envelope.epoch:
            if envelope.seq <= last.seq:
                return
            if envelope.seq > last.seq + 1:
                await self._catch_up(envelope.channel)
                last = self._delivered.get(envelope.channel)
                if last is not None and envelope.seq <= last.seq:
                    return
        self._deliver(envelope)

    async def _catch_up(self, channel: str) -> None:
        last = self._delivered.get(channel)
        if last is None:
            self._delivered[channel] = await self.position(channel)
            return
        missed = await self.since(channel, last)
        if missed is None:
            # Too old or a new epoch: the hub resynchronises its connections with snapshots.
            current = await self.position(channel)
            self._delivered[channel] = current
            self._deliver(Envelope(channel, current.epoch, current.seq, RESET, {}))
            return
        for envelope in missed:
            self._deliver(envelope)

    def _deliver(self, envelope: Envelope) -> None:
        if envelope.name != RESET:
            self._delivered[envelope.channel] = Position(envelope.epoch, envelope.seq)
        if self._sink is not None:
            self._sink(envelope)

    def _decode_entry(self, channel: str, epoch: str, entry_id: Any, fields: Mapping[Any, Any]) -> Envelope:
        seq = int(_text(entry_id).split("-", 1)[0])
        body = orjson.loads(_text(fields[b"p"] if b"p" in fields else fields["p"]))
        return Envelope(channel, epoch, seq, body["n"], body["d"])

    def _set_health(self, healthy: bool) -> None:
        if healthy != self._healthy:
            self._healthy = healthy
            if self._on_health is not None:
                self._on_health(healthy)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
