"""Repository of ballots: open polls' ballots, and the sealed ballot box of secret polls.

`Ballots` (`Unit.ballots`) reads and writes through the functions of server/store/polls.py
(the concurrency contract and the secret polls' row layout are described there and in
server/store/poll_tables.py) and hands services plain values: ballots as dicts, trackers as
strings, a poll's box key as a `BoxKey`, a voter's credential as a `Credential`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.ballot_box import BoxKey
from server.domain.poll_lifecycle import Poll
from server.domain.voters import Credential
from server.store import delegates as credentials
from server.store import polls as repo
from server.store.poll_tables import BallotRow, DelegateRow


class Ballots:
    """Ballots in one transaction (`Unit.ballots`)."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    # -- reading ballots -----------------------------------------------------------------

    async def of_poll(self, poll: Poll) -> list[dict[str, Any]]:
        """The poll's ballots in clear: an open poll's, or a counted secret poll's."""
        return await repo.ballots(self._db, poll)

    async def in_clear(self, poll_id: int, secret: bool) -> list[dict[str, Any]]:
        """The stored ballots of a poll in clear: an open poll's, or a counted secret poll's
        (anonymised, in their published order; none while it is sealed)."""
        return await (repo.counted_ballots(self._db, poll_id) if secret else repo.open_ballots(self._db, poll_id))

    async def texts(self, poll_id: int) -> list[str]:
        """An open poll's ballots as stored text, undecoded (for `KeptTally.recount`)."""
        return await repo.open_ballot_texts(self._db, poll_id)

    async def counted(self, poll_id: int) -> list[dict[str, Any]]:
        """The anonymised ballots of a counted secret poll, in their published (random) order."""
        return await repo.counted_ballots(self._db, poll_id)

    async def export_rows(self, poll_id: int) -> list[dict[str, Any]]:
        """An open poll's ballots with the voter's public id, delegate name and segment, by time cast."""
        return await repo.open_ballot_rows(self._db, poll_id)

    async def of_voter(self, poll_ids: Iterable[int], voters: Iterable[str]) -> dict[int, dict[str, Any]]:
        """The open ballots stored under `voters` (one person's keys) in `poll_ids`, by poll."""
        return await repo.ballots_of_voter(self._db, poll_ids, voters)

    async def secret_polls_voted(self, poll_ids: Iterable[int], voters: Iterable[str]) -> set[int]:
        """Which of `poll_ids` (secret polls) record a vote under one of `voters`."""
        return await repo.secret_votes_of_voter(self._db, poll_ids, voters)

    async def secret_voters(self, poll_id: int, voters: Iterable[str]) -> set[str]:
        """Which of `voters` have voted in the secret poll."""
        return await repo.secret_voters(self._db, poll_id, voters)

    async def vote_records(self, poll_id: int) -> int:
        """How many voted in the secret poll."""
        return await repo.vote_records(self._db, poll_id)

    async def trackers(self, poll_id: int) -> list[str]:
        return await repo.trackers(self._db, poll_id)

    async def has_tracker(self, poll_id: int, tracker: str) -> bool:
        return await repo.has_tracker(self._db, poll_id, tracker)

    # -- casting -------------------------------------------------------------------------

    def staged(self) -> StagedBallots:
        """A batch of votes' open ballots, staged in this transaction."""
        return StagedBallots(self._db)

    def stage_secret(self, poll_id: int, voter: str, tracker: str, sealed: bytes) -> None:
        """Record that `voter` voted, their tracker and their sealed ballot (with the next flush)."""
        repo.stage_secret_ballot(self._db, poll_id, voter, tracker, sealed)

    async def credentials_of(self, participant_ids: Iterable[int]) -> dict[int, Credential]:
        """The credential each of these devices holds (in use), by participant id."""
        found = await credentials.of_participants(self._db, participant_ids)
        return {participant_id: _credential(row) for participant_id, row in found.items()}

    async def credential_of(self, event_id: int, participant_id: int) -> Credential | None:
        row = await credentials.of_participant(self._db, event_id, participant_id)
        return None if row is None else _credential(row)

    # -- the ballot box of a secret poll --------------------------------------------------

    async def box_key(self, poll_id: int) -> BoxKey | None:
        """The poll's key while its ballots are sealed; None once counted (or never opened)."""
        row = await repo.poll_key(self._db, poll_id)
        return None if row is None else BoxKey(row.public_key, row.escrow)

    def add_box_key(self, poll_id: int, key: BoxKey) -> None:
        repo.add_poll_key(self._db, poll_id, key.public_key, key.escrow)

    async def sealed(self, poll_id: int) -> list[bytes]:
        return await repo.sealed_ballots(self._db, poll_id)

    async def replace_sealed_by_counted(self, poll_id: int, ballots: Sequence[dict[str, Any]]) -> None:
        """Delete the sealed ballots and the key; write `ballots` in clear in the order given."""
        await repo.replace_sealed_by_counted(self._db, poll_id, ballots)

    async def escrow_key(self, event_id: int) -> bytes | None:
        """The event's escrow public key (None for an event made before escrow keys existed)."""
        return await repo.escrow_key(self._db, event_id)


class StagedBallots:
    """The open ballots of one batch of votes: the voters' earlier ballots read once (`read`),
    each vote staged (`stage`), then the batch's first ballots inserted in one statement
    (`write`; an ORM object costs about 0.1 ms of the event loop each to build and flush).

    A voter's second vote in the batch changes the ballot their first one staged; a first
    ballot stored meanwhile by another transaction makes `write` fail on the ballot's unique
    key (the command runner then runs the batch again vote by vote).
    """

    def __init__(self, db: AsyncSession) -> None:
        self._db = db
        self._stored: dict[tuple[int, str], BallotRow] = {}  # ballots from before this batch
        self._first: dict[tuple[int, str], dict[str, Any]] = {}  # first ballots, inserted by `write`

    async def read(self, poll_id: int, voters: Iterable[str]) -> None:
        found = await repo.ballots_by_voter(self._db, poll_id, voters)
        self._stored.update(((poll_id, voter), row) for voter, row in found.items())

    def stage(self, poll_id: int, voter: str, ballot: dict[str, Any], *, participant_id: int,
              delegate_id: int | None, cast_at: float) -> bool:
        """Store `ballot` as the voter's in the poll; True when it replaces one (read or staged)."""
        row = self._stored.get((poll_id, voter))
        if row is not None:  # a changed vote: the stored row is updated with the transaction's flush
            row.ballot, row.cast_at = ballot, cast_at
            row.participant_id, row.delegate_id = participant_id, delegate_id
            self._db.add(row)
            return True
        changed = (poll_id, voter) in self._first
        self._first[(poll_id, voter)] = {"poll_id": poll_id, "voter": voter, "participant_id": participant_id,
                                         "delegate_id": delegate_id, "ballot": ballot, "cast_at": cast_at}
        return changed

    async def write(self) -> None:
        """Insert the staged first ballots, in the caller's transaction."""
        rows, self._first = list(self._first.values()), {}
        if rows:
            await self._db.exec(insert(BallotRow.__table__), params=rows)  # type: ignore[attr-defined]


def _credential(row: DelegateRow) -> Credential:
    assert row.id is not None
    return Credential(row.id, row.event_id, row.name, row.segment, row.status)
