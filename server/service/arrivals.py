"""First visits, written behind the join but before anything of theirs is acknowledged.

When a crowd opens the link at once, waiting for each newcomer's row to commit before
their `welcome` put a transaction on every join's path. A newcomer's identity needs no
commit: its id comes from a block reserved in advance (`participants.reserve_ids`, one
small transaction per block) and its public id is random. So the join answers at once and
the rows are written in group commits (`Batcher`) meanwhile; the first command of the
participant waits for its row (`written`), so nothing they are told was accepted can
refer to a participant the store does not hold. A process that stops before the commit
has acknowledged nothing of theirs: the device simply arrives again as a first visit.

A second join of the same device while its row is still pending gets the same identity.
Should the row not be written (the device registered by another process at the same
moment), the participant's commands are refused with `store_unavailable` and the
connection is closed for it to join again, when the store has its one row.

A device that reconnects just as its first visit commits (a phone dropping the connection right
after its first vote) may have been looked up before the commit and find no pending arrival after
it: `just_written` says so, and the join reads the device's row again rather than queue a second
first visit that its own row would refuse.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque

from server.errors import PlenariaError, Unavailable
from server.service.batching import Batcher
from server.service.runner import CommandRunner
from server.store import participants as people

MAX_ARRIVALS = 500  # first visits written per transaction
ID_BLOCK = 500  # participant ids reserved per transaction
RECENT_SECONDS = 30.0  # longer than any lookup that began before a commit takes to answer


class Arrivals:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.clock = runner.clock
        self._ids: deque[int] = deque()
        self._reserving = asyncio.Lock()
        # Not yet committed: by device (a second tab joins as the same participant) and by id.
        self._pending: dict[tuple[int, str], people.Arrival] = {}
        self._unwritten: dict[int, asyncio.Future[None]] = {}
        self._refused: set[int] = set()
        # Devices whose first visit committed lately, oldest first: (event id, device hash) → when.
        self._recent: dict[tuple[int, str], float] = {}
        self.queue: Batcher[people.Arrival, None] = Batcher("arrivals", self._write, MAX_ARRIVALS)

    async def arrive(self, event_id: int, device_hash: str) -> people.Arrival:
        """The identity of a device with no row yet; its row is queued, not awaited."""
        key = (event_id, device_hash)
        pending = self._pending.get(key)
        if pending is not None:
            return pending
        participant_id = await self._next_id()
        pending = self._pending.get(key)  # another tab of it arrived while ids were reserved
        if pending is not None:
            self._ids.appendleft(participant_id)
            return pending
        arrival = people.Arrival(participant_id, event_id, device_hash, secrets.token_hex(6), self.clock())
        self._pending[key] = arrival
        written = self.queue.push(arrival)
        self._unwritten[participant_id] = written
        written.add_done_callback(lambda done: self._settled(arrival, done))
        return arrival

    async def written(self, participant_id: int | None) -> None:
        """Return once this participant's row is committed (at once when it was before);
        raises the refusal that kept it from being written."""
        unwritten = self._unwritten.get(participant_id or 0)
        if unwritten is not None:
            await asyncio.shield(unwritten)

    async def settled(self) -> None:
        """Return once every first visit queued so far is written or refused: a writer of rows
        that refer to participants by id (online presence, for one) waits for this first, and
        leaves out the ids `refused`."""
        waiting = [future for future in self._unwritten.values() if not future.done()]
        if waiting:
            await asyncio.wait(waiting)

    def refused(self, participant_id: int) -> bool:
        """This id was handed to a first visit whose row could not be written: no row has it."""
        return participant_id in self._refused

    @property
    def pending(self) -> int:
        """First visits whose rows are not written yet."""
        return sum(not future.done() for future in self._unwritten.values())

    def just_written(self, event_id: int, device_hash: str) -> bool:
        """Whether this device's first visit committed in the last RECENT_SECONDS: a lookup that
        found no row for it may have read just before that commit."""
        self._forget_older(self.clock() - RECENT_SECONDS)
        return (event_id, device_hash) in self._recent

    def _forget_older(self, than: float) -> None:
        while self._recent:
            key, at = next(iter(self._recent.items()))
            if at >= than:
                return
            del self._recent[key]

    def _settled(self, arrival: people.Arrival, done: asyncio.Future[None]) -> None:
        key = (arrival.event_id, arrival.device_hash)
        self._pending.pop(key, None)
        if done.cancelled() or done.exception() is None:
            self._unwritten.pop(arrival.id, None)
            now = self.clock()
            self._forget_older(now - RECENT_SECONDS)
            self._recent.pop(key, None)
            self._recent[key] = now
        else:
            self._refused.add(arrival.id)  # a few ints, for the rare device that raced itself
        # A refused row stays in `_unwritten`, failed, so any later command of that connection
        # is refused too (it is closed on the first), until the connection is gone (`forget`).

    def forget(self, participant_id: int | None) -> None:
        """A connection of this participant ended: drop what is left of a refused arrival."""
        unwritten = self._unwritten.get(participant_id or 0)
        if unwritten is not None and unwritten.done():
            del self._unwritten[participant_id or 0]

    async def _next_id(self) -> int:
        while not self._ids:
            async with self._reserving:
                if self._ids:
                    break
                async with self.runner.gate, self.runner.db.session() as db:
                    self._ids.extend(await people.reserve_ids(db, ID_BLOCK))
        return self._ids.popleft()

    async def _write(self, arrivals: list[people.Arrival]) -> list[None | PlenariaError]:
        # In the process's writer queue, so the rows never race other writes in SQLite's busy handler.
        async with self.runner.gate, self.runner.db.session() as db:
            written = await people.register(db, arrivals)
        return [None if arrival.id in written else
                Unavailable("this device joined twice at once: join again", code="store_unavailable")
                for arrival in arrivals]
