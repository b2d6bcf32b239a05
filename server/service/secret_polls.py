"""The ballot box of secret polls: its key, the sealing of ballots, and the count.

Opening a secret poll makes a key pair (server.service.sealing): the public half
goes to `poll_key`, so every process seals the poll's ballots with it; the
private half stays in this process's memory and, sealed to the event's escrow
key (derived from the organizer secret), beside the public half. Closing the
poll counts it in the same transaction when this process holds the key: the
sealed ballots are opened, shuffled, written in clear to `counted_ballot` in
that random order, and the sealed ballots and the key are deleted; after the
commit the key is forgotten and the store scrubbed (`scrub`).

When the closing process does not hold the key (another process opened the
poll), the poll closes with no result (`awaiting_count`) and the holder counts
it at its next tick. When no process holds it any more (the one that did was
restarted or killed), the organizer's page counts it with the organizer secret
(`count_with_escrow`): acknowledged ballots wait, sealed, and are never lost.

A secret poll counted with ballots is never reopened: a second count would
publish, as the difference of two results, the ballots cast in between.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from typing import Any

from server.domain.ballot_box import BoxKey
from server.domain.poll_lifecycle import Poll
from server.domain.polls import PollSpec, ranks_choices
from server.domain.spreadsheet import to_csv
from server.errors import Conflict, NotFound
from server.recount import HEADER, matches, recount, rows
from server.service import decisions
from server.service.results import Presence, final_result, poll_view, result_events, updated_channel
from server.service.runner import CommandRunner, Outcome
from server.service.sealing import PollKey, Sealer, SealError
from server.store import Unit
from server.store.scrubbing import scrub_sealed

log = logging.getLogger("plenaria.secret")
_shuffle = secrets.SystemRandom().shuffle


class SecretPolls:
    """Per process: the keys of the secret polls it holds, their sealers, and the count."""

    def __init__(self, runner: CommandRunner, presence: Presence | None = None) -> None:
        self.runner = runner
        self.db = runner.db
        self.presence = presence or Presence()
        self._held: dict[int, PollKey] = {}
        self._sealers: dict[tuple[int, bytes], Sealer] = {}
        self._broken: set[int] = set()  # polls a sealed ballot of which did not open
        # Polls whose opening transaction made a key and has not ended: the store shows no key
        # for them yet, which `count_pending` must not read as "counted elsewhere".
        self._opening: set[int] = set()
        self._scrub_owed = False

    @property
    def scrub_owed(self) -> bool:
        """A count's sealed rows still wait to be scrubbed from the files (see `scrub`)."""
        return self._scrub_owed

    @property
    def held(self) -> set[int]:
        """Ids of the polls whose private key this process holds."""
        return set(self._held)

    # -- opening ----------------------------------------------------------------------------

    async def open_box(self, db: Unit, poll: Poll) -> None:
        """In the transaction opening (or reopening) a secret poll: keep its key while its ballots
        are sealed, else make one. Raises Conflict `secret_poll_counted` (its ballots were
        counted and published) or `escrow_missing` (an event made before escrow keys existed:
        any organizer request sets it up)."""
        if await db.ballots.box_key(poll.id) is not None:
            return
        if await db.ballots.counted(poll.id):
            raise Conflict("A secret poll whose ballots were counted cannot be reopened.",
                           code="secret_poll_counted")
        escrow = await db.ballots.escrow_key(poll.event_id)
        if escrow is None:
            raise Conflict("Open the organizer page once to set up this event's ballot box key.",
                           code="escrow_missing")
        key = PollKey.generate(poll.id)
        db.ballots.add_box_key(poll.id, BoxKey(key.public, key.escrow(escrow)))
        # Held from now on; if this transaction rolls back, the next opening replaces it.
        self._held[poll.id] = key
        self._opening.add(poll.id)

    def opened(self, poll_id: int) -> None:
        """The transaction that called `open_box` for `poll_id` ended (committed or not)."""
        self._opening.discard(poll_id)

    async def sealer(self, db: Unit, poll: Poll) -> Sealer | None:
        """The sealer of a secret poll's ballots (None when it has no key: counted, or never opened)."""
        stored = await db.ballots.box_key(poll.id)
        if stored is None:
            return None
        sealer = self._sealers.get((poll.id, stored.public_key))
        if sealer is None:
            sealer = self._sealers[(poll.id, stored.public_key)] = Sealer(
                poll.id, stored.public_key, PollSpec.from_dict(poll.spec))
        return sealer

    # -- counting ---------------------------------------------------------------------------

    async def result_at_close(self, db: Unit, poll: Poll, now: float) -> dict[str, Any] | None:
        """The result of a poll closing in this transaction: an open poll's final result, a
        secret poll's count, or None when its key is elsewhere (see `count`)."""
        await decisions.at_close(db, poll, now)
        if poll.secret:
            return await self.count(db, poll, now)
        return await final_result(db, poll, self.presence, now)

    async def count(
        self, db: Unit, poll: Poll, now: float, key: PollKey | None = None
    ) -> dict[str, Any] | None:
        """In a transaction that locked the closed poll for a change: open, shuffle and publish its
        ballots and return its result (saved with the poll), or None when the key is not here.

        Call `finish(poll_id)` after the commit. Raises SealError when a sealed ballot does
        not open (the transaction must then roll back: nothing is lost).
        """
        stored = await db.ballots.box_key(poll.id)
        key = key or self._held.get(poll.id)
        if stored is None:  # nothing sealed (never opened with a key): count what is in clear
            ballots = await db.ballots.counted(poll.id)
        elif key is None or key.public != stored.public_key:
            return None
        else:
            ballots = key.open_ballots(await db.ballots.sealed(poll.id))
        if stored is not None:
            _shuffle(ballots)
            await db.ballots.replace_sealed_by_counted(poll.id, ballots)
        result = await final_result(db, poll, self.presence, now)
        result["verification"] = await _verification(db, poll, result, ballots)
        await db.polls.save_result(poll.id, result)
        return result

    async def finish(self, poll_id: int) -> None:
        """After a count's commit: forget the key and scrub the sealed rows from the store."""
        async with self.db.session() as db:
            if await db.ballots.box_key(poll_id) is not None:
                return  # the count did not commit: keep the key
        self._forget(poll_id)
        await self.scrub()

    def _forget(self, poll_id: int) -> None:
        self._held.pop(poll_id, None)
        self._broken.discard(poll_id)
        for known in [k for k in self._sealers if k[0] == poll_id]:
            del self._sealers[known]

    async def scrub(self) -> bool:
        """Make the deleted sealed ballots and keys unreadable in the files, not just unlisted;
        True once done (else it is owed, and retried at each `count_pending`).

        SQLite (secure_delete is on, see server.store.database): copy the WAL into the
        database and truncate it, so no old page image with a sealed ballot or the escrowed
        key remains in the -wal file. PostgreSQL: rewrite the two tables (VACUUM FULL), so
        their dead rows leave the table files, once no transaction of the database is older
        than the count: rows deleted after a snapshot was taken are still visible to it, and
        a rewrite copies them (an autovacuum's ANALYZE is enough to hold them); the rewrite
        says how many dead rows it had to keep, and is done again until none. WAL segments
        and backups taken meanwhile keep what they held (see docs/privacy.md).
        """
        self._scrub_owed = True
        try:
            if not await scrub_sealed(self.db):
                return False
        except Exception:  # the count is committed either way; the next tick scrubs again
            log.exception("scrubbing sealed ballots after a count failed")
            return False
        self._scrub_owed = False
        return True

    async def count_pending(self) -> list[int]:
        """Count the closed polls whose key this process holds (closed by another process);
        forget the keys of polls counted elsewhere or given a new key. Returns the ids counted."""
        if self._scrub_owed:
            await self.scrub()
        if not self._held:
            return []
        async with self.db.session() as db:
            stored = {poll_id: await db.ballots.box_key(poll_id) for poll_id in self._held}
            polls = {poll_id: await db.polls.get(poll_id) for poll_id, key in stored.items() if key is not None}
        counted = []
        for poll_id, key in stored.items():
            held = self._held.get(poll_id)
            if poll_id in self._opening:
                continue  # its key is not committed yet: not seen in the store is not counted
            if key is None:  # counted elsewhere
                await self.finish(poll_id)
                continue
            if held is None or held.public != key.public_key:  # reopened elsewhere with a new key
                self._forget(poll_id)
                continue
            poll = polls.get(poll_id)
            if poll is None or poll.status != "closed" or poll.result is not None or poll_id in self._broken:
                continue
            try:
                if await self._count_alone(poll_id, held) is not None:
                    counted.append(poll_id)
            except Conflict:
                self._broken.add(poll_id)  # logged once; the organizer's count says so again
        return counted

    async def count_with_escrow(self, event_id: int, poll_id: int, organizer_secret: str) -> dict[str, Any]:
        """The organizer's spare key: count a closed secret poll whose key no process holds,
        or, while it runs, hold its key here so that its close counts it at once.

        Answers `{"poll", "counted": bool, "result"}`. Raises NotFound (`poll_not_found`),
        Conflict `not_sealed` (not secret, or already counted), `escrow_mismatch` (the
        secret does not open the escrowed key) or `seal_broken` (a sealed ballot does not open).
        """
        async with self.db.session() as db:
            poll = await db.polls.get(poll_id)
            if poll is None or poll.event_id != event_id:
                raise NotFound("No such poll in this event.", code="poll_not_found")
            stored = await db.ballots.box_key(poll_id)
        if not poll.secret or stored is None:
            raise Conflict("This poll has no sealed ballots to count.", code="not_sealed")
        try:
            key = PollKey.from_escrow(poll_id, stored.public_key, stored.escrow, organizer_secret)
        except SealError as exc:
            raise Conflict("The organizer secret does not open this ballot box.", code="escrow_mismatch") from exc
        self._held[poll_id] = key
        if poll.status != "closed":
            return {"poll": poll_id, "counted": False, "result": None}
        result = await self._count_alone(poll_id, key)
        return {"poll": poll_id, "counted": result is not None, "result": result}

    async def _count_alone(self, poll_id: int, key: PollKey) -> dict[str, Any] | None:
        """Count a closed poll in a transaction of its own, publish its result, finish."""
        out = Outcome()
        async with self.runner.gate, self.db.session() as db:
            poll = await db.polls.lock(poll_id, write=True)
            if poll is None or poll.status != "closed" or poll.result is not None:
                return None  # reopened meanwhile, or counted by another process
            now = self.runner.clock()
            try:
                result = await self.count(db, poll, now, key)
            except SealError:
                log.exception("poll %d: a sealed ballot does not open; the ballots stay sealed", poll_id)
                raise Conflict("A sealed ballot of this poll does not open.", code="seal_broken") from None
            assert result is not None
            poll = replace(poll, result=result)
            out.publish(updated_channel(poll), "poll.updated", poll_view(poll, now))
            for target, name, data in await result_events(db, poll, result):
                out.publish(target, name, data)
        await self.runner.publish(out)
        await self.finish(poll_id)
        return result


async def _verification(db: Unit, poll: Poll, result: dict[str, Any],
                        ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """What the results screen shows: trackers published, ballots counted, voters recorded, and
    whether a recount of the published file (the code citizens run) equals the result."""
    published = to_csv(HEADER, rows(ballots, ranked=ranks_choices(poll.spec)))
    counted = recount(published.lstrip("\ufeff").splitlines(keepends=True))
    return {
        "trackers": len(await db.ballots.trackers(poll.id)),
        "ballots": len(ballots),
        "voters": await db.ballots.vote_records(poll.id),
        "recount_matches": matches(counted, result["tally"]),
    }

