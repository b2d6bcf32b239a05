"""Coalesced live tallies, and polls that close themselves at their deadline: one task per process.

Every committed vote marks its poll dirty; every `interval` (250 ms) the ticker
publishes one `poll.tally` per dirty poll, so fan-out costs a few messages a
second per poll whatever the vote rate.

The tally is recomputed from the ballots in the store each time rather than counted
from the votes this process took. That is exact by construction, also with several
processes taking votes for the same poll (counting its own votes, a process would
only see those), and cheap: one indexed query reading the ballots as stored text,
of which only the texts that changed since the last recount are decoded and
counted (`KeptTally`, server/domain/tally.py: decoding and counting every ballot
again was the larger part of a recount, which grew with the poll), at most four
times a second, and only while votes arrive. Clients
keep the `poll.tally` with the latest `computed_at`: every committed vote is
followed by a read after its commit, so the latest one includes every ballot.

Participants get at most one tally per poll per PUBLIC_SECONDS; staff (the
presenter's console and its big-screen counts) get every recount in between
on their own channel. A phone at the back of the hall on a slow link receives
a quarter of the bytes, a process with 10,000 participants writes a quarter of
the frames during a vote burst, and bars that move once a second read no worse.
The last recount of a burst always reaches participants, at most PUBLIC_SECONDS
after it was made. Polls whose tally participants may not see give them, at that
same pace, only how many voted (`poll.turnout`).

Open-text polls: a recount also gives moderators the poll's answers (`mod.answers`, staff
channel) when they changed, so a new held answer shows in their queue within a tick.

Closing: each tick looks for open polls past their deadline and closes each with
a conditional UPDATE (still open and due); when several processes race, exactly
one sees its update succeed and publishes `poll.updated` and `poll.result`. A
secret poll is counted in that transaction when this process holds its key;
otherwise the holder counts it at its next tick (`SecretPolls.count_pending`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from server.channels import channel
from server.domain.plenary_settings import PlenarySettings
from server.domain.poll_lifecycle import Poll
from server.domain.stream_delay import longest_delay
from server.errors import Unavailable
from server.service.periodic import Periodic
from server.service.results import (
    Kept,
    Presence,
    answers_view,
    poll_view,
    result_events,
    screened,
    tally_channel,
    tally_data,
    turnout_data,
    updated_channel,
)
from server.service.runner import CommandRunner, Outcome
from server.service.secret_polls import SecretPolls
from server.store import Unit

log = logging.getLogger("plenaria.tallies")
# With several processes, votes taken elsewhere do not mark this process's cache: bound its age.
CACHE_SECONDS = 1.0
# A recount that took t seconds is followed by at least 3t without one: at most a quarter of the time.
COST_SHARE_INVERSE = 3.0
PUBLIC_SECONDS = 1.0
# What participants get of a poll while it is open: each one supersedes the last, so the hub may
# spread their delivery to a large crowd over a moment (server/hub/hub.py, `paced`).
REFRESHES = frozenset({"poll.tally", "poll.turnout"})
KEPT_POLLS = 8  # open polls whose tallies are kept between recounts (a few are open at once)
Event = tuple[str, str, Mapping[str, Any]]


class TallyTicker:
    def __init__(
        self, runner: CommandRunner, presence: Presence, interval: float = 0.25, secret: SecretPolls | None = None
    ) -> None:
        self.runner = runner
        self.secret = secret or SecretPolls(runner, presence)
        self.db = runner.db
        self.gate = runner.gate
        self.presence = presence
        self.interval = interval
        self.stats: Counter[str] = Counter()
        self._dirty: set[int] = set()
        self._latest: dict[int, dict[str, Any]] = {}
        self._next_recount: dict[int, float] = {}  # monotonic time before which a poll is not recounted
        self._marked_at: dict[int, float] = {}  # monotonic time of the poll's last committed vote here
        self._public_at: dict[int, float] = {}  # monotonic time of the poll's last public tally
        # poll id -> (public channel, poll.tally or poll.turnout) owed its latest recount
        self._public_owed: dict[int, tuple[str, str]] = {}
        self._answers: dict[int, dict[str, Any]] = {}  # open-text poll id -> the last `mod.answers` published
        self._kept: Kept = {}  # open polls' tallies between recounts (server.domain.tally.KeptTally)
        self._periodic = Periodic("poll-ticker", interval, self.tick)

    def mark(self, poll_id: int) -> None:
        """A vote for `poll_id` was committed: publish its tally at the next tick."""
        self._dirty.add(poll_id)
        self._marked_at[poll_id] = time.monotonic()
        self._latest.pop(poll_id, None)

    async def current(self, db: Unit, poll: Poll) -> dict[str, Any]:
        """The poll's tally for a snapshot: the last one computed when no vote came since
        (here) and it is under CACHE_SECONDS old, else computed now. A burst of reconnects
        after a restart thus costs one tally per poll, not one per connection."""
        cached = self._latest.get(poll.id)
        now = self.runner.clock()
        if cached is not None and poll.id not in self._dirty and now - cached["computed_at"] < CACHE_SECONDS:
            return cached
        kept = self._keep(poll.id) if poll.status == "open" else None
        data = await tally_data(db, poll, self.presence, now, kept=kept)
        self._latest[poll.id] = data
        return data

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def tick(self) -> None:
        await self.close_due()
        await self.secret.count_pending()
        await self.flush()
        await self.pay_public()

    async def close_due(self) -> list[int]:
        """Close every open poll past its deadline; returns the ids this process closed."""
        now = self.runner.clock()
        async with self.db.session() as db:
            due = await db.polls.due(now)
        closed = []
        for poll_id in due:
            out = Outcome()
            async with self.gate, self.db.session() as db:
                # Online viewers' ballots count until the deadline plus their stream delay.
                event_id = await db.polls.event_of(poll_id)
                plenary = await db.event_settings.plenary(event_id) if event_id is not None else PlenarySettings()
                late = longest_delay(plenary)
                if not await db.polls.close_if_due(poll_id, now - late):
                    continue  # another process (or a presenter) closed it first, or viewers are still late
                poll = await db.polls.get(poll_id)
                assert poll is not None
                result = await self.secret.result_at_close(db, poll, now)
                if result is not None:
                    poll = replace(poll, result=result)
                    await db.polls.save_result(poll_id, result)
                out.publish(updated_channel(poll), "poll.updated", poll_view(poll, now))
                if result is not None:
                    for target, name, data in await result_events(db, poll, result):
                        out.publish(target, name, data)
            self._dirty.discard(poll_id)
            self._forget(poll_id)
            self._public_owed.pop(poll_id, None)  # the result supersedes every tally
            await self.runner.publish(out)
            if poll.secret and result is not None:
                await self.secret.finish(poll_id)
            self.stats["closed"] += 1
            closed.append(poll_id)
        return closed

    async def flush(self) -> None:
        """Publish one tally per dirty poll, computed from the store.

        A recount still reads every ballot, so its cost grows with them (less since only the
        changed ones are decoded). While votes keep coming, a poll whose last recount took `t`
        waits at least COST_SHARE_INVERSE × t before the next one, so recounts never take more
        than about a quarter of the process's time, whatever the number of ballots, and votes
        keep their share. Once no vote came for a whole tick there is no one left to share
        with: the burst's last recount runs at once (the exact tally, soon after the last vote).
        """
        now = time.monotonic()
        quiet_since = now - self.interval
        due = {poll_id for poll_id in self._dirty
               if self._next_recount.get(poll_id, 0.0) <= now or self._marked_at.get(poll_id, now) <= quiet_since}
        self._dirty -= due
        for poll_id in sorted(due):
            started = time.monotonic()
            try:
                async with self.db.session() as db:
                    poll = await db.polls.get(poll_id)
                    if poll is None or poll.status in ("draft", "closed"):
                        self._forget(poll_id)
                        continue  # a closed poll's final result supersedes its tallies
                    found = await screened(db, poll) if poll.spec.get("kind") == "open_text" else None
                    data = await tally_data(db, poll, self.presence, self.runner.clock(), found, self._keep(poll_id))
                    answers = answers_view(poll, found) if found is not None else None
            except Unavailable:
                self._dirty.add(poll_id)
                raise
            finished = time.monotonic()
            self._next_recount[poll_id] = finished + COST_SHARE_INVERSE * (finished - started)
            self._latest[poll_id] = data
            events = self._audience(poll, data, finished)
            if answers is not None and answers != self._answers.get(poll_id):
                self._answers[poll_id] = answers
                events.append((channel(poll.event_id, "staff"), "mod.answers", answers))
            await self.runner.publish(Outcome(events=events))
            self.stats["tallies"] += 1

    def _forget(self, poll_id: int) -> None:
        """The poll is closed: nothing more of it is recounted here."""
        self._kept.pop(poll_id, None)
        self._marked_at.pop(poll_id, None)

    def _keep(self, poll_id: int) -> Kept:
        """The kept tallies, with room for `poll_id`'s: polls closed elsewhere (by a presenter, by
        another process) are never seen closing here, so only the latest KEPT_POLLS are kept."""
        if poll_id not in self._kept and len(self._kept) >= KEPT_POLLS:
            del self._kept[next(iter(self._kept))]
        return self._kept

    def _audience(self, poll: Poll, data: dict[str, Any], now: float) -> list[Event]:
        """Where this recount goes: always to staff, on their own channel; to participants at
        most every PUBLIC_SECONDS (they are owed the recounts in between, `pay_public`): the
        tally itself for live polls, its turnout alone (`poll.turnout`) for the others, so a
        screen's count of ballots is never stale by more than that.

        Staff also hear the public channel, so a live poll's tally reaches them twice; the
        staff copy is the one that does not wait behind the crowd's paced delivery
        (server/hub/hub.py), and pages keep the latest `computed_at` either way."""
        staff, public = channel(poll.event_id, "staff"), channel(poll.event_id, "public")
        events: list[Event] = [(staff, "poll.tally", data)]
        name = "poll.tally" if tally_channel(poll) == public else "poll.turnout"
        if now - self._public_at.get(poll.id, float("-inf")) >= PUBLIC_SECONDS:
            self._public_at[poll.id] = now
            self._public_owed.pop(poll.id, None)
            return [*events, (public, name, _public_part(name, data))]
        self._public_owed[poll.id] = (public, name)
        return events

    async def pay_public(self) -> None:
        """Give participants the latest tally (or turnout) of polls whose last recounts went to staff only."""
        now = time.monotonic()
        for poll_id, (public, name) in list(self._public_owed.items()):
            latest = self._latest.get(poll_id)
            if latest is None:  # a vote came since: the next recount decides
                continue
            if now - self._public_at.get(poll_id, float("-inf")) < PUBLIC_SECONDS:
                continue
            del self._public_owed[poll_id]
            self._public_at[poll_id] = now
            await self.runner.publish(Outcome(events=[(public, name, _public_part(name, latest))]))
            self.stats["public_tallies_owed"] += 1


def _public_part(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return data if name == "poll.tally" else turnout_data(data)
