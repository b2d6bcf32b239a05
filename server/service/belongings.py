"""Whether a returning participant has anything of their own, asked for many joins at once.

Completing a shared snapshot for one participant reads their items, upvotes, credential
and ballots (two trips to the database). After a restart everybody returns in the same
seconds, most of them with none of these: the joins queued meanwhile are asked together
here first (one trip for all), and only those with something take the longer path. Read
from the store each time, never cached: what a participant did a moment ago counts.
"""

from __future__ import annotations

from server.errors import PlenariaError
from server.identity import Identity
from server.service.batching import Batcher
from server.service.runner import CommandRunner
from server.store import belongings

MAX_ASKED = 500  # joins asked together


class Belongings:
    def __init__(self, runner: CommandRunner) -> None:
        self.db = runner.db
        self.queue: Batcher[tuple[int, int, tuple[int, ...]], bool] = Batcher("belongings", self._ask, MAX_ASKED)

    async def any_of(self, who: Identity, poll_ids: tuple[int, ...]) -> bool:
        """Whether participant `who` may have something of their own (of the polls `poll_ids`)."""
        if who.participant_id is None:
            return False
        return await self.queue.submit((who.event_id, who.participant_id, poll_ids))

    async def _ask(self, asked: list[tuple[int, int, tuple[int, ...]]]) -> list[bool | PlenariaError]:
        async with self.db.session() as db:
            found = await belongings.with_own_things(
                db, {event for event, _, _ in asked}, {pid for _, pid, _ in asked},
                {poll for _, _, polls in asked for poll in polls})
        return [pid in found for _, pid, _ in asked]
