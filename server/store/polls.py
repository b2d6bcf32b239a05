"""Repository for polls, their ballots, the sealed and counted ballots of secret polls, vote records.

`Polls` (`Unit.polls`) gives services domain `Poll` values; the ballots' repository
(server/store/ballots.py) is built on the functions below, which still hand ORM rows to
the services not moved to repositories yet.

Concurrency contract (both backends): a vote transaction calls `lock_poll(...,
write=False)` first, a lifecycle change `lock_poll(..., write=True)`, and the
closing task's `close_if_due` is one conditional UPDATE. On PostgreSQL the vote
holds a FOR SHARE lock on the poll row, so a close waits for votes in flight and
later votes see the poll closed. On SQLite the first statement of both is a
write (SQLite serialises writers), so the status they read cannot change before
they commit. Hence no ballot is ever stored after its poll closed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.poll_lifecycle import Poll, PollStatus, Visibility
from server.store.poll_tables import (
    BallotEscrowRow,
    BallotRow,
    BallotTrackerRow,
    CountedBallotRow,
    DelegateRow,
    PollKeyRow,
    PollRow,
    SealedBallotRow,
    VoteRecordRow,
)
from server.store.tables import ParticipantRow


class Polls:
    """Polls in one transaction (`Unit.polls`): domain `Poll`s in and out.

    A change is written to the poll's row in the session (loaded by `get` or `lock` earlier
    in the transaction) and flushed, so the transaction reads it back as written.
    """

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def get(self, poll_id: int) -> Poll | None:
        row = await poll(self._db, poll_id)
        return None if row is None else poll_of(row)

    async def lock(self, poll_id: int, *, write: bool) -> Poll | None:
        """The poll, locked against changes for the transaction (module docstring)."""
        row = await lock_poll(self._db, poll_id, write=write)
        return None if row is None else poll_of(row)

    async def of_event(self, event_id: int) -> list[Poll]:
        """The event's polls in agenda order (position, then creation)."""
        return [poll_of(row) for row in await polls_of_event(self._db, event_id)]

    async def due(self, now: float) -> list[int]:
        return await due_polls(self._db, now)

    async def event_of(self, poll_id: int) -> int | None:
        return await event_of(self._db, poll_id)

    async def close_if_due(self, poll_id: int, now: float) -> bool:
        return await close_if_due(self._db, poll_id, now)

    async def add(
        self, event_id: int, created_at: float, *, spec: dict[str, Any], position: int,
        session_id: int | None = None, visibility: Visibility = "live", eligibility: str = "everyone",
        secret: bool = False,
    ) -> Poll:
        """A new draft poll."""
        row = await add_poll(self._db, PollRow(
            event_id=event_id, created_at=created_at, spec=spec, position=position, session_id=session_id,
            visibility=visibility, eligibility=eligibility, secret=secret))
        return poll_of(row)

    async def save(self, changed: Poll) -> None:
        """Write every field of the poll but its id, event and creation time."""
        row = await self._row(changed.id)
        row.spec, row.session_id, row.position = changed.spec, changed.session_id, changed.position
        row.status, row.opened_at, row.deadline = changed.status, changed.opened_at, changed.deadline
        row.remaining, row.closed_at = changed.remaining, changed.closed_at
        row.visibility, row.eligibility, row.secret = changed.visibility, changed.eligibility, changed.secret
        row.result = changed.result
        self._db.add(row)
        await self._db.flush()

    async def save_result(self, poll_id: int, result: dict[str, Any] | None) -> None:
        row = await self._row(poll_id)
        row.result = result
        self._db.add(row)
        await self._db.flush()

    async def delete(self, poll_id: int) -> None:
        await delete_poll(self._db, await self._row(poll_id))

    async def _row(self, poll_id: int) -> PollRow:
        row = await self._db.get(PollRow, poll_id)  # the session's, when the transaction read it
        if row is None:
            raise LookupError(f"poll {poll_id} is not stored")
        return row


def poll_of(row: PollRow) -> Poll:
    """The row as a domain value (its JSON copied: the value never aliases the session's row)."""
    assert row.id is not None
    status: PollStatus = row.status  # type: ignore[assignment]
    visibility: Visibility = row.visibility  # type: ignore[assignment]
    return Poll(
        id=row.id, event_id=row.event_id, spec=dict(row.spec), session_id=row.session_id, position=row.position,
        status=status, opened_at=row.opened_at, deadline=row.deadline, remaining=row.remaining,
        closed_at=row.closed_at, visibility=visibility, eligibility=row.eligibility, secret=row.secret,
        result=None if row.result is None else dict(row.result), created_at=row.created_at,
    )


async def add_poll(db: AsyncSession, row: PollRow) -> PollRow:
    db.add(row)
    await db.flush()
    return row


async def poll(db: AsyncSession, poll_id: int) -> PollRow | None:
    result = await db.exec(select(PollRow).where(PollRow.id == poll_id).execution_options(populate_existing=True))
    return result.first()


async def lock_poll(db: AsyncSession, poll_id: int, *, write: bool) -> PollRow | None:
    """Read the poll inside a transaction that keeps it from changing underneath (module docstring)."""
    if _dialect(db) == "sqlite":
        table = PollRow.__table__  # type: ignore[attr-defined]
        await db.exec(update(table).where(table.c.id == poll_id).values(position=table.c.position))
        return await poll(db, poll_id)
    statement = select(PollRow).where(PollRow.id == poll_id).execution_options(populate_existing=True)
    result = await db.exec(statement.with_for_update(read=not write))
    return result.first()


async def delete_poll(db: AsyncSession, row: PollRow) -> None:
    await db.delete(row)
    await db.flush()


async def polls_of_event(db: AsyncSession, event_id: int) -> Sequence[PollRow]:
    result = await db.exec(
        select(PollRow).where(PollRow.event_id == event_id).order_by(col(PollRow.position), col(PollRow.id))
    )
    return result.all()


async def due_polls(db: AsyncSession, now: float) -> list[int]:
    """Ids of open polls whose deadline has passed (any event)."""
    result = await db.exec(
        select(PollRow.id).where(
            PollRow.status == "open", col(PollRow.deadline).is_not(None), col(PollRow.deadline) <= now
        )
    )
    return [poll_id for poll_id in result.all() if poll_id is not None]


async def event_of(db: AsyncSession, poll_id: int) -> int | None:
    """The event id of a poll (read as a column: the poll's row is not loaded)."""
    return (await db.exec(select(PollRow.event_id).where(PollRow.id == poll_id))).first()


async def close_if_due(db: AsyncSession, poll_id: int, now: float) -> bool:
    """Close the poll at its deadline if it is still open and due; True for the one caller that did."""
    table = PollRow.__table__  # type: ignore[attr-defined]
    result = await db.exec(
        update(table)
        .where(table.c.id == poll_id, table.c.status == "open", table.c.deadline.is_not(None), table.c.deadline <= now)
        .values(status="closed", closed_at=table.c.deadline, remaining=None)
    )
    return bool(result.rowcount)


async def save_result(db: AsyncSession, poll_id: int, result: dict[str, Any] | None) -> None:
    table = PollRow.__table__  # type: ignore[attr-defined]
    await db.exec(update(table).where(table.c.id == poll_id).values(result=result))


# -- open ballots ---------------------------------------------------------------


async def ballots_by_voter(db: AsyncSession, poll_id: int, voters: Iterable[str]) -> dict[str, BallotRow]:
    """The stored ballots of several voters in one poll (a batch of votes)."""
    who = set(voters)
    if not who:
        return {}
    result = await db.exec(select(BallotRow).where(BallotRow.poll_id == poll_id, col(BallotRow.voter).in_(who)))
    return {row.voter: row for row in result.all()}


async def open_ballots(db: AsyncSession, poll_id: int) -> list[dict[str, Any]]:
    result = await db.exec(select(BallotRow.ballot).where(BallotRow.poll_id == poll_id))
    return [dict(ballot) for ballot in result.all()]


async def open_ballot_texts(db: AsyncSession, poll_id: int) -> list[str]:
    """An open poll's ballots as the store holds them, as text: no JSON decoded here."""
    result = await db.exec(select(cast(col(BallotRow.ballot), Text)).where(BallotRow.poll_id == poll_id))
    return list(result.all())


async def open_ballot_rows(db: AsyncSession, poll_id: int) -> list[dict[str, Any]]:
    """Ballots with the voter's public participant id and delegate name and segment (exports)."""
    result = await db.exec(
        select(BallotRow, ParticipantRow, DelegateRow)
        .join(ParticipantRow, col(ParticipantRow.id) == col(BallotRow.participant_id))
        .outerjoin(DelegateRow, col(DelegateRow.id) == col(BallotRow.delegate_id))
        .where(BallotRow.poll_id == poll_id)
        .order_by(col(BallotRow.cast_at), col(BallotRow.id))
    )
    rows: list[tuple[BallotRow, ParticipantRow, DelegateRow | None]] = list(result.all())
    return [
        {
            "voter": person.public_id,
            "delegate": delegate.name if delegate is not None else "",
            "segment": delegate.segment if delegate is not None else person.segment,
            "ballot": dict(row.ballot),
            "cast_at": row.cast_at,
        }
        for row, person, delegate in rows
    ]


async def ballots_of_voter(
    db: AsyncSession, poll_ids: Iterable[int], voters: Iterable[str]
) -> dict[int, dict[str, Any]]:
    """The ballots of `voters` (one voter's keys: participant and delegate) in `poll_ids`."""
    ids, who = list(poll_ids), list(voters)
    if not ids or not who:
        return {}
    result = await db.exec(
        select(BallotRow.poll_id, BallotRow.ballot).where(
            col(BallotRow.poll_id).in_(ids), col(BallotRow.voter).in_(who)
        )
    )
    return {poll_id: dict(ballot) for poll_id, ballot in result.all()}


# -- secret ballots ---------------------------------------------------------------


async def secret_voters(db: AsyncSession, poll_id: int, voters: Iterable[str]) -> set[str]:
    """Which of `voters` have voted in the secret poll."""
    who = set(voters)
    if not who:
        return set()
    result = await db.exec(
        select(VoteRecordRow.voter).where(VoteRecordRow.poll_id == poll_id, col(VoteRecordRow.voter).in_(who))
    )
    return set(result.all())


def stage_secret_ballot(db: AsyncSession, poll_id: int, voter: str, tracker: str, sealed: bytes) -> None:
    """Record that `voter` voted, the tracker they were given and their sealed ballot, in the
    caller's transaction (written with its next flush); the record's key makes it once per voter."""
    db.add(VoteRecordRow(poll_id=poll_id, voter=voter))
    db.add(BallotTrackerRow(poll_id=poll_id, tracker=tracker))
    db.add(SealedBallotRow(poll_id=poll_id, key=secrets.token_hex(16), sealed=sealed))


async def secret_votes_of_voter(db: AsyncSession, poll_ids: Iterable[int], voters: Iterable[str]) -> set[int]:
    ids, who = list(poll_ids), list(voters)
    if not ids or not who:
        return set()
    result = await db.exec(
        select(VoteRecordRow.poll_id).where(col(VoteRecordRow.poll_id).in_(ids), col(VoteRecordRow.voter).in_(who))
    )
    return set(result.all())


async def poll_key(db: AsyncSession, poll_id: int) -> PollKeyRow | None:
    """The poll's ballot box key while its ballots are sealed; None once counted (or never opened)."""
    result = await db.exec(select(PollKeyRow).where(PollKeyRow.poll_id == poll_id))
    return result.first()


async def poll_keys_present(db: AsyncSession, poll_ids: Iterable[int]) -> set[int]:
    ids = list(poll_ids)
    if not ids:
        return set()
    result = await db.exec(select(PollKeyRow.poll_id).where(col(PollKeyRow.poll_id).in_(ids)))
    return set(result.all())


def add_poll_key(db: AsyncSession, poll_id: int, public_key: bytes, escrow: bytes) -> None:
    db.add(PollKeyRow(poll_id=poll_id, public_key=public_key, escrow=escrow))


async def sealed_ballots(db: AsyncSession, poll_id: int) -> list[bytes]:
    result = await db.exec(select(SealedBallotRow.sealed).where(SealedBallotRow.poll_id == poll_id))
    return list(result.all())


async def replace_sealed_by_counted(db: AsyncSession, poll_id: int, ballots: Sequence[dict[str, Any]]) -> None:
    """Delete the poll's sealed ballots and key, and write `ballots` in clear, in the order given,
    under random keys: the caller shuffles them first."""
    await db.exec(delete(SealedBallotRow).where(col(SealedBallotRow.poll_id) == poll_id))
    await db.exec(delete(PollKeyRow).where(col(PollKeyRow.poll_id) == poll_id))
    if ballots:  # one executemany, rows in the order given (ORM objects cost ~0.1 ms each here)
        table = CountedBallotRow.__table__  # type: ignore[attr-defined]
        rows = [{"poll_id": poll_id, "key": secrets.token_hex(16), "ballot": ballot} for ballot in ballots]
        await db.exec(insert(table), params=rows)


async def counted_ballots(db: AsyncSession, poll_id: int) -> list[dict[str, Any]]:
    """The anonymised ballots of a counted secret poll, in their published (random) order."""
    result = await db.exec(
        select(CountedBallotRow.ballot).where(CountedBallotRow.poll_id == poll_id).order_by(col(CountedBallotRow.key))
    )
    return [dict(ballot) for ballot in result.all()]


async def trackers(db: AsyncSession, poll_id: int) -> list[str]:
    """Every tracker of a secret poll, sorted (so the list says nothing about order)."""
    result = await db.exec(
        select(BallotTrackerRow.tracker)
        .where(BallotTrackerRow.poll_id == poll_id)
        .order_by(col(BallotTrackerRow.tracker))
    )
    return list(result.all())


async def has_tracker(db: AsyncSession, poll_id: int, tracker: str) -> bool:
    result = await db.exec(
        select(BallotTrackerRow.tracker).where(BallotTrackerRow.poll_id == poll_id, BallotTrackerRow.tracker == tracker)
    )
    return result.first() is not None


async def escrow_key(db: AsyncSession, event_id: int) -> bytes | None:
    row = await db.get(BallotEscrowRow, event_id)
    return None if row is None else row.public_key


def set_escrow_key(db: AsyncSession, event_id: int, public_key: bytes) -> None:
    db.add(BallotEscrowRow(event_id=event_id, public_key=public_key))


async def replace_escrow_key(db: AsyncSession, event_id: int, public_key: bytes) -> None:
    """The event's escrow key from now on (a new organizer secret), whether or not it had one."""
    row = await db.get(BallotEscrowRow, event_id)
    if row is None:
        set_escrow_key(db, event_id, public_key)
    else:
        row.public_key = public_key
        db.add(row)


async def vote_records(db: AsyncSession, poll_id: int) -> int:
    result = await db.exec(select(func.count()).select_from(VoteRecordRow).where(VoteRecordRow.poll_id == poll_id))
    return int(result.one())


async def ballots(db: AsyncSession, row: PollRow | Poll) -> list[dict[str, Any]]:
    """The stored ballots of a poll in clear: open ballots, or a counted secret poll's."""
    assert row.id is not None
    return await (counted_ballots(db, row.id) if row.secret else open_ballots(db, row.id))


# -- turnout ----------------------------------------------------------------------


async def participants(db: AsyncSession, event_id: int, segment: str | None = None) -> int:
    """Participants known to the event (optionally those whose profile is in `segment`)."""
    statement = select(func.count()).select_from(ParticipantRow).where(ParticipantRow.event_id == event_id)
    if segment is not None:
        statement = statement.where(ParticipantRow.segment == segment)
    result = await db.exec(statement)
    return int(result.one())


async def participants_in_segment(db: AsyncSession, event_id: int, segment: str) -> set[int]:
    """Participants in `segment`: by their credential if they hold one, else by their profile."""
    delegated = await db.exec(
        select(DelegateRow.participant_id, DelegateRow.segment).where(
            DelegateRow.event_id == event_id, DelegateRow.status == "used"
        )
    )
    by_credential = {pid: seg for pid, seg in delegated.all() if pid is not None}
    profiles = await db.exec(
        select(ParticipantRow.id).where(ParticipantRow.event_id == event_id, ParticipantRow.segment == segment)
    )
    members = {pid for pid in profiles.all() if pid is not None and pid not in by_credential}
    return members | {pid for pid, seg in by_credential.items() if seg == segment}


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name
