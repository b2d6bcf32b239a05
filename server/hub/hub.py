"""The hub: which connection listens to which channel, and delivery in one pass.

Delivery is a single task that takes envelopes from the broker in sequence
order and writes each one, encoded once, to every subscribed connection in one
loop: no task or queue per connection (that costs about 3x per delivery). A
connection whose unsent output passes `send_buffer_limit` is a slow reader: it
is skipped from then on and resynchronised (replay or snapshot) once it drains,
or disconnected with a reason if it does not drain within the grace period.

Refreshes (`paced`: the live tallies and turnouts a vote burst sends once a
second) are written to a large crowd in slices with a short pause between
them, in a lane of their own: on a machine whose cores are busy, ten thousand
socket writes in one stretch stall the store's thread and every vote waiting
for its commit (10,000 voters: p99 acknowledgement 0.35–0.41 s before, 0.15–0.20 s
with this and cheaper recounts; docs/performance.md).
Envelopes of the same channel that arrive meanwhile wait in that lane, so each
channel keeps its order; other channels (the presenter's own tallies) do not wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from server import wire
from server.broker import Broker, Envelope, Position
from server.broker.base import RESET
from server.channels import ChannelKind, channel, parse
from server.errors import Unauthorized, Unavailable
from server.hub.connection import ChannelState, Connection
from server.hub.frames import text_frame
from server.hub.snapshots import PublicSnapshots
from server.hub.stretches import Stretches
from server.identity import Identity
from server.settings import Limits

log = logging.getLogger("plenaria.hub")

Snapshotter = Callable[[Identity, ChannelKind], Awaitable[dict[str, Any]]]
# Publishes an event the hub itself originates (channel, name, data); given at construction, so
# the hub's own events take the services' publishing path and its checks.
Announce = Callable[[str, str, Mapping[str, Any]], Awaitable[None]]
CLOSE_SLOW = 4008
CLOSE_REVOKED = 4403
PRESENCE_INTERVAL = 2.0
# After the close frame, how long a peer whose unsent output is still above the limit gets to
# read it before its socket is dropped (and its buffer freed).
CLOSE_LINGER_SECONDS = 2.0
REVOKED = "staff.revoked"
# Frames written by one delivery between turns it gives the rest of the event loop: one event to
# 10,000 participants is about 200 ms of socket writes, and a vote burst's acknowledgements (or
# a join's snapshot) would otherwise wait behind it. Order is kept: a channel's deliveries run
# one at a time, in sequence.
FRAMES_PER_TURN = 500
# A paced delivery pauses this long after every PACED_FRAMES frames: 10,000 participants get a
# tally over about 0.6 s instead of 0.25 s, and the loop and the store's thread run meanwhile.
# (5 ms: p99 ack 0.22-0.39 s at 10,000 voters; 10 ms: 0.15-0.20 s. A lane that skipped its pauses
# while others waited behind it cost two processes 15-25% of their votes per second.)
PACED_FRAMES = 250
PACED_PAUSE_SECONDS = 0.01


class Hub:
    def __init__(self, broker: Broker, limits: Limits, snapshotter: Snapshotter,
                 public: PublicSnapshots | None = None, stretches: Stretches | None = None,
                 announce: Announce | None = None, paced: frozenset[str] = frozenset()) -> None:
        """`snapshotter` builds each staff snapshot; public ones come from `public`, shared per
        channel position, when given (else from `snapshotter` too). `stretches` learns when each
        participant's first connection here arrives and their last one leaves (online presence).
        `paced`: names of the events delivered in paced slices, each in its channel's lane."""
        self.broker = broker
        self.limits = limits
        self.snapshotter = snapshotter
        self.public = public
        self.stretches = stretches if stretches is not None else Stretches()
        self.announce: Announce = announce if announce is not None else self._publish
        self.process_id = secrets.token_hex(6)
        self._subs: dict[str, set[Connection]] = defaultdict(set)
        self._queue: asyncio.Queue[Envelope] = asyncio.Queue()
        self._online: dict[int, Counter[int]] = defaultdict(Counter)
        self._presence_sent: dict[int, int] = {}
        self._watching: set[Connection] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self.paced = paced
        # Channels with a paced delivery under way, each with the envelopes waiting behind it.
        self._lanes: dict[str, list[Envelope]] = {}
        self._lane_tasks: set[asyncio.Task[None]] = set()
        self._closing: set[asyncio.Task[None]] = set()  # held so they run to the end
        self.degraded = False
        self.stats: Counter[str] = Counter()

    # -- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        await self.broker.start(self._queue.put_nowait, self._on_broker_health)
        self._tasks = [
            asyncio.create_task(self._deliver_loop(), name="hub-deliver"),
            asyncio.create_task(self._presence_loop(), name="hub-presence"),
        ]

    async def stop(self) -> None:
        tasks = [*self._tasks, *self._lane_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.broker.close()

    # -- attaching ----------------------------------------------------------

    async def attach(self, conn: Connection, kind: ChannelKind, resume: Position | None) -> None:
        """Subscribe `conn` to one of its event's channels and bring it up to date.

        Sends the envelopes missed since `resume` when history still has them all,
        otherwise a snapshot; envelopes arriving meanwhile are held and sent after,
        so the client sees no gap and no duplicate.
        """
        name = channel(conn.identity.event_id, kind)
        conn.channels[name] = ChannelState()
        first = not self._subs[name]
        self._subs[name].add(conn)
        if first:
            await self.broker.subscribe(name)
        if kind == "public" and conn.identity.participant_id is not None:
            online = self._online[conn.identity.event_id]
            online[conn.identity.participant_id] += 1
            if online[conn.identity.participant_id] == 1:
                self.stretches.opened(conn.identity.event_id, conn.identity.participant_id)
        await self._sync(conn, name, resume)

    def detach(self, conn: Connection) -> None:
        conn.closed = True
        for name in conn.channels:
            subs = self._subs.get(name)
            if subs is None:
                continue
            subs.discard(conn)
            if not subs:
                del self._subs[name]
                asyncio.get_running_loop().create_task(self._unsubscribe_if_unused(name))
        who = conn.identity
        if who.participant_id is not None and channel(who.event_id, "public") in conn.channels:
            online = self._online[who.event_id]
            online[who.participant_id] -= 1
            if online[who.participant_id] <= 0:
                del online[who.participant_id]
                self.stretches.closed(who.event_id, who.participant_id)
        conn.channels.clear()

    async def _unsubscribe_if_unused(self, name: str) -> None:
        if not self._subs.get(name):
            self._subs.pop(name, None)
            if self.public is not None:
                self.public.forget(name)
            with contextlib.suppress(Unavailable):
                await self.broker.unsubscribe(name)

    async def _sync(self, conn: Connection, name: str, resume: Position | None) -> None:
        state = conn.channels[name]
        if state.syncing is None:
            state.syncing = asyncio.Lock()
        lock = state.syncing
        state.wanting += 1
        try:
            async with lock:
                await self._sync_now(conn, name, state, resume if state.position is None else state.position)
        except Unauthorized as exc:
            if exc.code != "revoked":
                raise
            self.revoke(conn)  # revoked while joining or resynchronising: its snapshot was refused
        finally:
            state.wanting -= 1
            if not state.wanting:
                state.syncing = None

    async def _sync_now(self, conn: Connection, name: str, state: ChannelState, resume: Position | None) -> None:
        state.pending = []
        missed = await self.broker.since(name, resume) if resume is not None else None
        if missed is not None and any(envelope.name == RESET for envelope in missed):
            missed = None  # the channel was reset in between: only a snapshot is right
        if missed is not None and resume is not None:
            for envelope in missed:
                await conn.send(envelope.frame(conn.identity.participant_id))
            position = Position(missed[-1].epoch, missed[-1].seq) if missed else resume
            self.stats["replays"] += 1
        else:
            position = await self.broker.position(name)  # before the state: see server/hub/snapshots.py
            parsed = parse(name)
            assert parsed is not None
            if parsed[1] == "public" and self.public is not None:
                frame = await self.public.frame(conn.identity, name, position, conn.first_visit)
            else:
                state_data = await self.snapshotter(conn.identity, parsed[1])
                frame = wire.snapshot(ch=name, epoch=position.epoch, seq=position.seq, state=state_data)
            conn.first_visit = False
            await conn.send(frame)
            self.stats["snapshots"] += 1
        for envelope in state.pending:
            if envelope.epoch == position.epoch and envelope.seq > position.seq:
                await conn.send(envelope.frame(conn.identity.participant_id))
                position = Position(envelope.epoch, envelope.seq)
        state.pending = None
        state.position = position

    # -- delivering ---------------------------------------------------------

    async def _deliver_loop(self) -> None:
        while True:
            envelope = await self._queue.get()
            lane = self._lanes.get(envelope.channel)
            if lane is not None:
                lane.append(envelope)  # behind its channel's paced delivery
            elif envelope.name in self.paced and len(self._subs.get(envelope.channel, ())) > PACED_FRAMES:
                self._lanes[envelope.channel] = []
                self.stats["paced_deliveries"] += 1
                task = asyncio.create_task(self._run_lane(envelope), name="hub-paced")
                self._lane_tasks.add(task)
                task.add_done_callback(self._lane_tasks.discard)
            else:
                await self._deliver_safely(envelope)

    async def _run_lane(self, first: Envelope) -> None:
        """Deliver `first`, paced, then whatever of its channel queued behind it, in order."""
        lane = self._lanes[first.channel]
        try:
            envelope = first
            while True:
                await self._deliver_safely(envelope)
                if not lane:
                    return
                envelope = lane.pop(0)
        finally:
            del self._lanes[first.channel]

    async def _deliver_safely(self, envelope: Envelope) -> None:
        try:
            await self.deliver(envelope)
        except Exception:  # one bad envelope must not stop delivery for everyone
            log.exception("delivery of %s failed", envelope.name)

    async def deliver(self, envelope: Envelope) -> None:
        """Write `envelope` to every subscriber of its channel, in one pass (paced slices for
        the `paced` events)."""
        subs = self._subs.get(envelope.channel)
        if not subs:
            return
        if envelope.name == RESET:
            for conn in tuple(subs):
                self._resync_later(conn)
            return
        if envelope.name == REVOKED:
            self._revoke(subs, envelope.data)
        text = envelope.frame()
        frame = text_frame(text.encode())
        limit = self.limits.send_buffer_limit
        variant_for = envelope.variant_for  # one participant gets its own version (rare)
        # Read once, not per subscriber: this loop runs for every participant of the channel.
        name, epoch, seq = envelope.channel, envelope.epoch, envelope.seq
        position = Position(epoch, seq)  # immutable, so one is shared by every subscriber
        written = prebuilt = 0
        slice_frames, pause = (PACED_FRAMES, PACED_PAUSE_SECONDS) if envelope.name in self.paced else (
            FRAMES_PER_TURN, 0.0)
        try:
            for conn in tuple(subs):
                state = conn.channels.get(name)
                if state is None or conn.closed:
                    continue
                if state.pending is not None:
                    state.pending.append(envelope)
                    continue
                last = state.position
                if last is not None and last.epoch == epoch and seq <= last.seq:
                    continue  # already delivered (a replay overlapped live delivery)
                if conn.stale_since is not None:
                    continue
                if last is not None and (last.epoch != epoch or seq != last.seq + 1):
                    self._resync_later(conn)
                    continue
                if conn.buffered() > limit:
                    self.stats["slow"] += 1
                    self._resync_later(conn)
                    continue
                try:
                    if variant_for is not None and conn.identity.participant_id == variant_for:
                        await conn.send(envelope.frame(variant_for))
                    elif conn.write_frame is not None:
                        if not conn.write_frame(frame):
                            self.detach(conn)
                            continue
                        prebuilt += 1
                    else:
                        await conn.send(text)
                except Exception:
                    self.detach(conn)
                    continue
                state.position = position
                written += 1
                if written % slice_frames == 0:
                    await asyncio.sleep(pause)
        finally:
            self.stats["deliveries"] += written
            self.stats["prebuilt_frames"] += prebuilt

    def _revoke(self, subs: set[Connection], data: Mapping[str, Any]) -> None:
        """A staff link was revoked, or the organizer secret rotated: close its connections here
        (every process gets the event), after they receive the event itself."""
        for conn in tuple(subs):
            who = conn.identity
            if (data.get("id") is not None and who.staff_id == data.get("id")) or (
                data.get("role") == "organizer" and who.role == "organizer"
            ):
                self.revoke(conn)

    def revoke(self, conn: Connection) -> None:
        """Its staff link is no longer in force: refuse its commands from now on, and close it
        (4403, `bye` `revoked`) as soon as the frames already written have gone."""
        if conn.revoked:
            return
        conn.revoked = True
        self.stats["revoked"] += 1
        self.close_soon(conn, CLOSE_REVOKED, "revoked", "this staff link was revoked")

    def close_soon(self, conn: Connection, code: int, reason: str, message: str) -> None:
        """`close` without waiting for it (the frames already written go first)."""
        task = asyncio.get_running_loop().create_task(self.close(conn, code, reason, message))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def write(self, conn: Connection, text: str) -> bool:
        """Write one frame addressed to this connection alone (an ack, an error, a pong) under
        the slow-reader rule of every frame: never waiting on the peer, and marking the
        connection stale once its unsent output passes the limit (no more frames are read
        from it until it drains; closed if it does not). False once it is closed.

        Under a server whose transport we cannot reach (no `write_frame`), the frame goes
        through the ASGI send, and that server's own backpressure applies."""
        if conn.closed:
            return False
        if conn.write_frame is None:
            await conn.send(text)
            return True
        if not conn.write_frame(text_frame(text.encode())):
            return False
        if conn.buffered() > self.limits.send_buffer_limit:
            self.stats["slow_replies"] += 1
            self._resync_later(conn)
        return True

    def behind(self, conn: Connection) -> bool:
        """Whether the peer has not read what it was sent: stale, and not yet drained. (A stale
        connection that only awaits a snapshot, after a channel reset, is not behind.)"""
        return conn.stale and not conn.closed and conn.buffered() > self.limits.send_buffer_limit // 4

    async def until_drained(self, conn: Connection) -> None:
        """Wait while `conn` is behind: until it has read its backlog, or it was closed for it."""
        while self.behind(conn):
            await asyncio.sleep(0.1)

    def _resync_later(self, conn: Connection) -> None:
        conn.mark_stale()
        if conn not in self._watching:
            self._watching.add(conn)
            asyncio.get_running_loop().create_task(self._watch(conn))

    async def _watch(self, conn: Connection) -> None:
        """Wait for a stale connection to drain, then bring it up to date; or drop it."""
        try:
            while not conn.closed:
                if conn.buffered() <= self.limits.send_buffer_limit // 4:
                    conn.stale_since = None
                    for name, state in list(conn.channels.items()):
                        await self._sync(conn, name, state.position)
                    self.stats["resyncs"] += 1
                    if not conn.stale:
                        return
                    # Marked stale again while it synced (a second reset, a gap): this watcher is
                    # the only one, so it syncs again rather than leave it stale for good.
                    continue
                assert conn.stale_since is not None
                if time.monotonic() - conn.stale_since > self.limits.stale_grace_seconds:
                    self.stats["dropped_slow"] += 1
                    await self.close(conn, CLOSE_SLOW, "slow_consumer", "too far behind; reconnect to resume")
                    return
                await asyncio.sleep(0.25)
        except Exception:
            log.exception("resync failed; closing the connection")
            await self.close(conn, 1011, "resync_failed", "could not resynchronise; reconnect")
        finally:
            self._watching.discard(conn)

    async def close(self, conn: Connection, code: int, reason: str, message: str) -> None:
        """Tell the client why, then close; the client reconnects and resumes. A peer that has
        not read what it was sent gets CLOSE_LINGER_SECONDS to do so before the socket is
        dropped, so the memory it pins is returned either way."""
        if conn.closed:
            return
        self.detach(conn)
        try:
            await asyncio.wait_for(self._goodbye(conn, code, reason, message), CLOSE_LINGER_SECONDS)
        except Exception:  # gone already, or the write waited on a peer that does not read
            conn.abort_if_unread()
            return
        if conn.buffered() > 0:
            asyncio.get_running_loop().call_later(CLOSE_LINGER_SECONDS, conn.abort_if_unread)

    async def _goodbye(self, conn: Connection, code: int, reason: str, message: str) -> None:
        if conn.buffered() < self.limits.send_buffer_limit:
            await conn.send(wire.bye(reason, message))
        await conn.socket.close(code, reason)

    # -- presence and health ------------------------------------------------

    def online(self, event_id: int) -> int:
        return len(self._online.get(event_id, ()))

    def online_participants(self, event_id: int) -> frozenset[int]:
        """Ids of the event's participants connected to this process (poll turnout)."""
        return frozenset(self._online.get(event_id, ()))

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_INTERVAL)
            for event_id in list(self._online) + [e for e in self._presence_sent if e not in self._online]:
                try:
                    await self.publish_presence(event_id)
                except Unavailable:
                    pass
                except Exception:
                    log.exception("presence update failed")

    async def publish_presence(self, event_id: int) -> int:
        await self.broker.set_presence(event_id, self.process_id, self.online(event_id))
        total = await self.broker.presence(event_id)
        if self._presence_sent.get(event_id) != total:
            self._presence_sent[event_id] = total
            await self.announce(channel(event_id, "staff"), "presence.updated", {"online": total})
        if not self._online.get(event_id):
            self._online.pop(event_id, None)
            if total == 0:
                self._presence_sent.pop(event_id, None)
        return total

    async def _publish(self, on: str, name: str, data: Mapping[str, Any]) -> None:
        await self.broker.publish(on, name, data)

    def _on_broker_health(self, healthy: bool) -> None:
        if self.degraded == (not healthy):
            return
        self.degraded = not healthy
        log.warning("broker %s", "recovered" if healthy else "unavailable: serving local connections only")
        staff = [c for subs in self._subs.values() for c in subs if c.identity.is_staff]
        frame = wire.health(healthy)
        for conn in set(staff):
            asyncio.get_running_loop().create_task(self._send_quietly(conn, frame))

    async def _send_quietly(self, conn: Connection, frame: str) -> None:
        with contextlib.suppress(Exception):
            await conn.send(frame)
