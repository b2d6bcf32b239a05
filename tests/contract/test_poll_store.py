"""The poll store contract (SQLite file and real PostgreSQL): one ballot per voter, closing once,
credentials claimed once, and no ballot stored after its poll closed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from server.store import Database
from server.store import delegates as credentials
from server.store import participants as people
from server.store import polls as repo
from server.store.poll_tables import BallotRow, DelegateRow, PollRow
from tests.contract.test_store import make_event

SPEC = {"kind": "yes_no_abstain", "question": "Aprova?", "options": []}


async def setup(db: Database, *, deadline: float | None = None) -> tuple[int, int, int]:
    event_id = await make_event(db, code="VOTO1")
    async with db.session() as s:
        person = await people.join(s, event_id, "d" * 64, now=1.0)
        row = await repo.add_poll(s, PollRow(event_id=event_id, spec=SPEC, status="open", deadline=deadline))
        assert person.id is not None and row.id is not None
        return event_id, row.id, person.id


async def test_one_ballot_per_voter_is_enforced_by_the_store(database: Database) -> None:
    _, poll_id, person = await setup(database)
    async with database.session() as s:
        s.add(BallotRow(poll_id=poll_id, voter="p:1", participant_id=person, ballot={"choices": []}))
    with pytest.raises(IntegrityError):
        async with database.session() as s:
            s.add(BallotRow(poll_id=poll_id, voter="p:1", participant_id=person, ballot={}))
    async with database.session() as s:
        repo.stage_secret_ballot(s, poll_id, "p:1", "AAAA-AAAA-AAAA", b"sealed yes")
    with pytest.raises(IntegrityError):
        async with database.session() as s:
            repo.stage_secret_ballot(s, poll_id, "p:1", "BBBB-BBBB-BBBB", b"sealed no")
    async with database.session() as s:
        assert await repo.open_ballots(s, poll_id) == [{"choices": []}]
        assert await repo.sealed_ballots(s, poll_id) == [b"sealed yes"]
        assert await repo.trackers(s, poll_id) == ["AAAA-AAAA-AAAA"]


async def test_a_due_poll_is_closed_by_exactly_one_of_many(database: Database) -> None:
    _, poll_id, _ = await setup(database, deadline=100.0)
    async with database.session() as s:
        assert await repo.due_polls(s, 99.0) == []
        assert await repo.due_polls(s, 100.0) == [poll_id]

    async def close() -> bool:
        async with database.session() as s:
            return await repo.close_if_due(s, poll_id, now=100.5)

    assert sorted(await asyncio.gather(*(close() for _ in range(6)))) == [False] * 5 + [True]
    async with database.session() as s:
        row = await repo.poll(s, poll_id)
        assert row is not None and row.status == "closed" and row.closed_at == 100.0


async def test_a_close_waits_for_a_vote_in_flight_and_later_votes_see_it_closed(database: Database) -> None:
    _, poll_id, person = await setup(database, deadline=100.0)
    voting = asyncio.Event()
    release = asyncio.Event()

    async def vote() -> None:
        async with database.session() as s:
            row = await repo.lock_poll(s, poll_id, write=False)
            assert row is not None and row.status == "open"
            s.add(BallotRow(poll_id=poll_id, voter="p:1", participant_id=person, ballot={}))
            await s.flush()
            voting.set()
            await release.wait()

    async def close() -> int:
        async with database.session() as s:
            assert await repo.close_if_due(s, poll_id, now=101.0)
            row = await repo.poll(s, poll_id)
            assert row is not None
            return len(await repo.ballots(s, row))

    voter = asyncio.create_task(vote())
    await voting.wait()
    closer = asyncio.create_task(close())
    await asyncio.sleep(0.3)
    assert not closer.done(), "the close waits for the vote that holds the poll"
    release.set()
    await voter
    assert await closer == 1, "the final count includes the vote committed before the close"
    async with database.session() as s:
        row = await repo.lock_poll(s, poll_id, write=False)
        assert row is not None and row.status == "closed"


async def test_a_credential_is_claimed_once(database: Database) -> None:
    event_id, _, person = await setup(database)
    async with database.session() as s:
        other = await people.join(s, event_id, "e" * 64, now=1.0)
        rows = await credentials.add(s, [
            DelegateRow(event_id=event_id, name="João", segment="Governo", code_hash="c" * 64),
            DelegateRow(event_id=event_id, name="Zofia", segment="Governo", code_hash="d" * 64),
        ])
        first, second = (row.id for row in rows)
        assert first is not None and second is not None and other.id is not None

    async def claim(participant: int) -> bool:
        async with database.session() as s:
            return await credentials.claim(s, first, participant, now=2.0)

    assert sorted(await asyncio.gather(claim(person), claim(other.id))) == [False, True]
    async with database.session() as s:
        holder = (await credentials.by_id(s, event_id, first))
        assert holder is not None and holder.status == "used"
    holder_id = holder.participant_id
    assert holder_id is not None
    with pytest.raises(IntegrityError):  # one device holds at most one credential
        async with database.session() as s:
            await credentials.claim(s, second, holder_id, now=3.0)
    async with database.session() as s:
        assert await credentials.counts(s, event_id) == {"issued": 1, "used": 1, "revoked": 0}
