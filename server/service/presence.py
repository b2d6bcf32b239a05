"""Online presence: minutes each participant was connected while each session was live.

Joining and leaving write nothing: the hub keeps, per process, since when each participant has
been connected (server/hub/stretches.py). `flush` hands those stretches to the store in one
transaction, cut to the sessions' live windows (server/domain/presence.py): every
`interval` seconds, after a session ends on this process, and when the process stops. Every
process flushes its own connections; the store keeps pieces, not totals, and counts their union,
so processes add up, two tabs on two processes count once, and a flush written twice (a retry
after a failure) changes nothing. A process killed outright loses at most its last interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from server.domain import presence as rules
from server.service.periodic import Periodic
from server.service.runner import CommandRunner

log = logging.getLogger("plenaria.presence")
FLUSH_SECONDS = 30.0


async def _nothing_pending() -> None:
    return None


class Stretches(Protocol):
    """What the hub offers of its connected stretches (server/hub/stretches.py)."""

    def take(self, now: float) -> tuple[list[rules.Stretch], list[rules.Stretch]]: ...

    def back(self, ended: Iterable[rules.Stretch]) -> None: ...

    def close_all(self) -> None: ...


class PresenceService:
    def __init__(self, runner: CommandRunner, stretches: Stretches, interval: float = FLUSH_SECONDS,
                 clock: Callable[[], float] | None = None,
                 settled: Callable[[], Awaitable[None]] = _nothing_pending) -> None:
        self.runner = runner
        # First visits are written after their welcome (server/service/arrivals.py): a flush
        # waits for those queued, so a newcomer's first minutes are not dropped as unknown.
        self.settled = settled
        self.db = runner.db
        self.clock = clock or runner.clock
        self.stretches = stretches
        self.periodic = Periodic("presence-flush", interval, self._tick)
        self._background: set[asyncio.Task[None]] = set()  # held so they run to the end

    def start(self) -> None:
        self.periodic.start()

    async def stop(self) -> None:
        """Close every open stretch and write them: the process is stopping."""
        await self.periodic.stop()
        for task in list(self._background):
            with contextlib.suppress(Exception):
                await task
        self.stretches.close_all()
        try:
            await self.flush()
        except Exception:
            log.exception("presence could not be written at shutdown")

    async def _tick(self) -> None:
        await self.flush()

    async def flush(self) -> int:
        """Write what this process saw since the last flush (open stretches up to now). Returns the
        pieces stored. On failure the ended stretches are kept for the next flush."""
        await self.settled()
        now = self.clock()
        ended, current = self.stretches.take(now)
        if not ended and not current:
            return 0
        by_event: defaultdict[int, list[rules.Stretch]] = defaultdict(list)
        for stretch in (*ended, *current):
            by_event[stretch.event_id].append(stretch)
        stored = 0
        try:
            async with self.runner.gate, self.db.session() as db:
                for event_id, stretches in by_event.items():
                    pieces = rules.cut(stretches, await db.presence.windows(event_id), now)
                    stored += await db.presence.record(event_id, pieces)
        except BaseException:
            self.stretches.back(ended)
            raise
        return stored

    async def session_changed(self, event_id: int) -> None:
        """A session started or ended on this process: write what it saw, so its pieces are cut to
        the live times just committed (the other processes follow on their next tick). In the
        background: the presenter's answer does not wait for a crowd's flush."""
        task = asyncio.get_running_loop().create_task(self._flush_quietly(), name="presence-flush-now")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("presence flush after a session change failed; the next tick retries")

    async def seconds(self, event_id: int) -> dict[int, dict[int, float]]:
        """{participant: {session: seconds connected while it was live}}, from the store."""
        async with self.db.session() as db:
            return rules.seconds_by_session(await db.presence.pieces(event_id))
