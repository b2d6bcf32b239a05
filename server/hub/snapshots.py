"""The public channel's snapshot, built once per channel position and shared by every joiner.

When a crowd arrives at once, every joiner at the same channel position would otherwise
build the same state from the store and serialise it again. Here the state every
participant shares is built once per position (one build in flight per channel, the
joiners arriving meanwhile wait for it) and serialised once, in two versions: as staff see
the public channel, and as a participant with nothing of their own sees it. A participant
who has something of their own (their questions, votes, delegate credential) gets their
own copy of the shared state, completed from the store and serialised for them alone.

Never stale: the position is read before the state is built (by the hub), and what an
envelope at or before that position carries was committed before it was published
(publish-after-commit), so a state built for position S holds everything up to S; the
envelopes after S reach the joiner after the snapshot. An entry is also rebuilt after
`max_age` seconds, so the clock readings it carries (`server_time`) stay current.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server import wire
from server.broker import Position
from server.identity import Identity

SharedState = Callable[[int], Awaitable[dict[str, Any]]]
"""event id -> the public state every participant shares, as staff see it."""
Personalise = Callable[[Identity, dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""(participant, shared state) -> their own copy of it, or None when they have nothing of their own."""
Default = Callable[[dict[str, Any]], dict[str, Any]]
"""shared state -> what a participant with nothing of their own sees (a new dict)."""


@dataclass(frozen=True)
class SharedSnapshot:
    name: str
    position: Position
    built_at: float
    state: dict[str, Any]  # never changed once built: personal copies are made from it
    staff_frame: str
    participant_frame: str


class PublicSnapshots:
    def __init__(self, shared: SharedState, personalise: Personalise, default: Default,
                 max_age: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.shared = shared
        self.personalise = personalise
        self.default = default
        self.max_age = max_age
        self.clock = clock
        self._latest: dict[str, SharedSnapshot] = {}
        self._building: dict[str, tuple[Position, asyncio.Task[SharedSnapshot]]] = {}
        self.builds = 0
        self.shared_hits = 0

    async def frame(self, who: Identity, name: str, position: Position, nothing_of_their_own: bool) -> str:
        """The snapshot frame of channel `name` at `position` for `who` (position read before
        the call). `nothing_of_their_own`: `who` was created by this join, so the store has
        nothing of theirs to look up."""
        shared = await self.at(who.event_id, name, position)
        if who.participant_id is None:
            return shared.staff_frame
        own = None if nothing_of_their_own else await self.personalise(who, shared.state)
        if own is None:
            self.shared_hits += 1
            return shared.participant_frame
        return wire.snapshot(ch=name, epoch=position.epoch, seq=position.seq, state=own)

    async def at(self, event_id: int, name: str, position: Position) -> SharedSnapshot:
        latest = self._latest.get(name)
        if latest is not None and latest.position == position and self.clock() - latest.built_at < self.max_age:
            return latest
        building = self._building.get(name)
        if building is None or building[0] != position:
            # Its own task: a joiner that leaves mid-build does not cancel the others' snapshot.
            task = asyncio.get_running_loop().create_task(self._build(event_id, name, position))
            building = (position, task)
            self._building[name] = building
            task.add_done_callback(lambda done: self._built(name, done))
        return await asyncio.shield(building[1])

    async def _build(self, event_id: int, name: str, position: Position) -> SharedSnapshot:
        started = self.clock()
        state = await self.shared(event_id)
        self.builds += 1
        return SharedSnapshot(
            name, position, started, state,
            wire.snapshot(ch=name, epoch=position.epoch, seq=position.seq, state=state),
            wire.snapshot(ch=name, epoch=position.epoch, seq=position.seq, state=self.default(state)),
        )

    def _built(self, name: str, task: asyncio.Task[SharedSnapshot]) -> None:
        building = self._building.get(name)
        if building is not None and building[1] is task:
            del self._building[name]
        if task.cancelled() or task.exception() is not None:
            return  # every waiter got the failure; the next joiner builds again
        snapshot = task.result()
        latest = self._latest.get(name)
        if latest is None or latest.built_at <= snapshot.built_at:
            self._latest[name] = snapshot

    def forget(self, name: str) -> None:
        """Nobody listens to `name` here any more: keep no state of it."""
        self._latest.pop(name, None)
