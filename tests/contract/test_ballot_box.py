"""Votes stored in batches (SQLite file and real PostgreSQL): each vote of a batch gets the
answer it would get alone, the batch commits once, and collisions with another process fall
back to single votes without a lost or doubled ballot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import SQLModel

from server.broker import broker_from_url
from server.errors import PlenariaError
from server.identity import Identity
from server.service.ballot_box import BallotBox, Vote
from server.service.runner import CommandRunner
from server.service.sealing import escrow_public
from server.settings import Settings
from server.store import Database, commands
from server.store import participants as people
from server.store import polls as repo
from server.store.poll_tables import PollRow
from tests.contract.test_store import make_event

SPEC = {"kind": "yes_no_abstain", "question": "Aprova o relatório?", "options": []}


async def setup(db: Database, voters: int, *, secret: bool = False) -> tuple[int, int, list[Identity]]:
    event_id = await make_event(db, code="LOTE1")
    async with db.session() as s:
        row = await repo.add_poll(s, PollRow(event_id=event_id, spec=SPEC, status="open", secret=secret))
        people_ids = [(await people.join(s, event_id, f"{n:064x}", now=1.0)).id for n in range(voters)]
    assert row.id is not None
    who = [Identity(event_id, "participant", participant_id=pid) for pid in people_ids if pid is not None]
    return event_id, row.id, who


def box_on(db: Database) -> BallotBox:
    return BallotBox(CommandRunner(db, broker_from_url("memory://", history=10)))


async def answers(box: BallotBox, votes: list[Vote]) -> list[dict[str, Any] | PlenariaError]:
    """Cast all at once: they are queued before the writer runs, so they form one batch."""

    async def one(vote: Vote) -> dict[str, Any] | PlenariaError:
        try:
            return await box.cast(vote)
        except PlenariaError as refused:
            return refused

    return list(await asyncio.gather(*(one(vote) for vote in votes)))


async def test_each_vote_of_a_batch_is_answered_as_if_alone(database: Database) -> None:
    event_id, poll_id, (ana, bia, caio) = await setup(database, 3)
    box = box_on(database)
    votes = [
        Vote(ana, "a1", poll_id, {"choice": "yes"}),
        Vote(bia, "b1", poll_id, {"choice": "maybe"}),  # not an option: refused alone
        Vote(ana, "a1", poll_id, {"choice": "yes"}),  # the same command again: one effect
        Vote(caio, "c1", poll_id, {"choice": "no"}),
        Vote(caio, "c2", poll_id, {"choice": "abstain"}),  # caio changes his mind in the same batch
        Vote(bia, "b2", poll_id + 1, {"choice": "yes"}),  # no such poll
    ]
    got = await answers(box, votes)
    assert box.queue.batches == 1, "every vote was queued before the writer ran"

    assert got[0] == {"poll": poll_id, "ballot": {"choices": ["yes"]}, "changed": False}
    assert got[2] == got[0]
    assert isinstance(got[1], PlenariaError) and got[1].code == "unknown_option"
    assert got[3] == {"poll": poll_id, "ballot": {"choices": ["no"]}, "changed": False}
    assert got[4] == {"poll": poll_id, "ballot": {"choices": ["abstain"]}, "changed": True}
    assert isinstance(got[5], PlenariaError) and got[5].code == "poll_not_found"

    async with database.session() as s:
        stored = sorted(b["choices"][0] for b in await repo.open_ballots(s, poll_id))
        assert stored == ["abstain", "yes"]
        assert await commands.recorded(s, ana.actor, "a1") == got[0]
        assert await commands.recorded(s, bia.actor, "b1") is None, "a refused command is not logged"

    # A later retry of a logged command replays its answer and changes nothing.
    (replay,) = await answers(box, [Vote(caio, "c1", poll_id, {"choice": "yes"})])
    assert replay == got[3]
    async with database.session() as s:
        assert sorted(b["choices"][0] for b in await repo.open_ballots(s, poll_id)) == ["abstain", "yes"]


async def test_a_vote_that_breaks_its_batch_is_refused_alone(database: Database) -> None:
    """A vote the edge would refuse (an id beyond both stores), slipped into a batch, makes the
    batch's transaction fail: the batch is written again vote by vote, the bad vote alone gets
    `invalid_value`, every other vote is stored and acknowledged."""
    _, poll_id, voters = await setup(database, 30)
    box = box_on(database)
    votes = [Vote(who, f"v{n}", poll_id, {"choice": "yes"}) for n, who in enumerate(voters)]
    votes.insert(7, Vote(voters[0], "bad", 2**70, {"choice": "yes"}))
    got = await answers(box, votes)
    assert box.queue.splits == 1
    assert isinstance(got[7], PlenariaError) and got[7].code == "invalid_value"
    assert all(not isinstance(answer, PlenariaError) for n, answer in enumerate(got) if n != 7), got
    async with database.session() as s:
        assert len(await repo.open_ballots(s, poll_id)) == len(voters)


async def open_secret_box(db: Database, box: BallotBox, event_id: int, poll_id: int) -> None:
    async with db.session() as s:
        repo.set_escrow_key(s, event_id, escrow_public("organizer-secret"))
        row = await repo.lock_poll(s, poll_id, write=True)
        assert row is not None
        await box.secret.open_box(s, row)


async def test_a_secret_poll_takes_one_ballot_per_voter_even_within_a_batch(database: Database) -> None:
    event_id, poll_id, (ana, bia) = await setup(database, 2, secret=True)
    box = box_on(database)
    await open_secret_box(database, box, event_id, poll_id)
    got = await answers(box, [
        Vote(ana, "a1", poll_id, {"choice": "yes"}, tracker="AAAA-AAAA-AAAA"),
        Vote(ana, "a2", poll_id, {"choice": "no"}, tracker="BBBB-BBBB-BBBB"),
        Vote(bia, "b1", poll_id, {"choice": "no"}, tracker="CCCC-CCCC-CCCC"),
    ])
    assert got[0] == {"poll": poll_id, "secret": True} and got[2] == got[0]
    assert isinstance(got[1], PlenariaError) and got[1].code == "already_voted"
    async with database.session() as s:
        sealed = await repo.sealed_ballots(s, poll_id)
        assert len(sealed) == 2 and len({len(b) for b in sealed}) == 1, "sealed, and padded to one size"
        assert await repo.counted_ballots(s, poll_id) == []
        assert await repo.trackers(s, poll_id) == ["AAAA-AAAA-AAAA", "CCCC-CCCC-CCCC"]
        assert await repo.vote_records(s, poll_id) == 2
    async with database.session() as s:
        row = await repo.lock_poll(s, poll_id, write=True)
        assert row is not None
        row.status = "closed"
        result = await box.secret.count(s, row, now=2.0)
    assert result is not None and result["tally"]["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert result["verification"] == {"trackers": 2, "ballots": 2, "voters": 2, "recount_matches": True}
    await box.secret.finish(poll_id)
    async with database.session() as s:
        assert sorted(b["choices"][0] for b in await repo.counted_ballots(s, poll_id)) == ["no", "yes"]
        assert await repo.sealed_ballots(s, poll_id) == [] and await repo.poll_key(s, poll_id) is None
    assert poll_id not in box.secret.held, "the key is forgotten once the count is committed"


async def test_a_closed_poll_refuses_the_whole_batch(database: Database) -> None:
    _, poll_id, voters = await setup(database, 3)
    async with database.session() as s:
        row = await repo.lock_poll(s, poll_id, write=True)
        assert row is not None
        row.status = "closed"
        s.add(row)
    got = await answers(box_on(database), [Vote(who, "v", poll_id, {"choice": "yes"}) for who in voters])
    assert all(isinstance(answer, PlenariaError) and answer.code == "poll_closed" for answer in got)
    async with database.session() as s:
        assert await repo.open_ballots(s, poll_id) == []


@pytest.fixture
async def postgres(postgres_database: str) -> AsyncIterator[Database]:
    db = Database(Settings(database_url=postgres_database).async_database_url)
    await db.create_schema()
    yield db
    async with db.engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
    await db.dispose()


@pytest.mark.timeout(60)
async def test_two_processes_storing_the_same_votes_at_once_count_each_once(postgres: Database) -> None:
    """Two boxes with their own runners stand for two processes on one PostgreSQL database
    (SQLite serves one process only). Each voter sends the same command to both (a retry
    through another server) and a second command to one of them; the batches collide on the
    command log and on the one-ballot-per-voter key."""
    database = postgres
    _, poll_id, voters = await setup(database, 40)
    first, second = box_on(database), box_on(database)
    same = [Vote(who, "x", poll_id, {"choice": "yes"}) for who in voters]
    changes = [Vote(who, "y", poll_id, {"choice": "no"}) for who in voters[::2]]
    got_first, got_second = await asyncio.gather(answers(first, same + changes), answers(second, same))

    assert not [a for a in got_first + got_second if isinstance(a, PlenariaError)]
    # Both transactions read before either commits, so one of them collides and falls back.
    assert first.runner.collisions + second.runner.collisions > 0, "the collision path ran"
    assert got_first[:len(same)] == got_second, "both servers give the one recorded answer"
    async with database.session() as s:
        ballots = await repo.open_ballots(s, poll_id)
    assert len(ballots) == len(voters), "one ballot per voter, none lost, none doubled"
    assert sorted(b["choices"][0] for b in ballots) == ["no"] * len(changes) + ["yes"] * (len(voters) - len(changes))
