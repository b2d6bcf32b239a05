"""The repositories the poll services use (SQLite file and real PostgreSQL): `Unit.polls`,
`Unit.ballots` and `Unit.event_settings` take and return domain values, and what they write
one transaction reads back in the next."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from server.domain.ballot_box import BoxKey
from server.domain.plenary_settings import PlenarySettings
from server.domain.poll_lifecycle import Poll, PollClock
from server.domain.voters import Credential
from server.store import Database
from server.store import conference as events
from server.store import delegates as credentials
from server.store import participants as people
from tests.contract.test_store import make_event

SPEC = {"kind": "yes_no_abstain", "question": "Aprova?", "options": []}


async def test_a_poll_round_trips_as_a_value(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as db:
        second = await db.polls.add(event_id, 5.0, spec=SPEC, position=2, eligibility="delegates", secret=True)
        first = await db.polls.add(event_id, 6.0, spec=SPEC, position=1)
    assert second == Poll(id=second.id, event_id=event_id, spec=SPEC, position=2, eligibility="delegates",
                          secret=True, created_at=5.0)
    async with database.session() as db:
        assert [poll.id for poll in await db.polls.of_event(event_id)] == [first.id, second.id]
        locked = await db.polls.lock(first.id, write=True)
        assert locked == first
        opened = replace(locked.with_clock(PollClock("open", 10.0, 70.0)), visibility="after_close")
        await db.polls.save(opened)
        assert await db.polls.get(first.id) == opened, "the transaction reads the change back"
    async with database.session() as db:
        stored = await db.polls.get(first.id)
        assert stored == opened and stored.clock == PollClock("open", 10.0, 70.0)
        await db.polls.save_result(first.id, {"poll": first.id, "tally": {}})
    async with database.session() as db:
        stored = await db.polls.get(first.id)
        assert stored is not None and stored.result == {"poll": first.id, "tally": {}}
        stored.spec["question"] = "changed in memory"  # a value never aliases the session's row
        assert await db.polls.get(first.id) == replace(opened, result={"poll": first.id, "tally": {}})
        await db.polls.delete(second.id)
    async with database.session() as db:
        assert await db.polls.get(second.id) is None
        assert await db.polls.lock(second.id, write=False) is None
        assert [poll.id for poll in await db.polls.of_event(event_id)] == [first.id]


async def test_staged_ballots_write_one_ballot_per_voter_per_batch(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as db:
        person = await people.join(db, event_id, "a" * 64, now=1.0)
        other = await people.join(db, event_id, "b" * 64, now=1.0)
        poll = await db.polls.add(event_id, 1.0, spec=SPEC, position=1)
    assert person.id is not None and other.id is not None
    async with database.session() as db:
        staged = db.ballots.staged()
        await staged.read(poll.id, ["p:1", "p:2"])
        assert staged.stage(poll.id, "p:1", {"choices": ["yes"]}, participant_id=person.id, delegate_id=None,
                            cast_at=2.0) is False
        assert staged.stage(poll.id, "p:1", {"choices": ["no"]}, participant_id=person.id, delegate_id=None,
                            cast_at=3.0) is True, "a second vote in the batch changes the first one's ballot"
        await staged.write()
    async with database.session() as db:
        assert await db.ballots.of_poll(poll) == [{"choices": ["no"]}]
        staged = db.ballots.staged()
        await staged.read(poll.id, ["p:1"])
        assert staged.stage(poll.id, "p:1", {"choices": ["abstain"]}, participant_id=person.id, delegate_id=None,
                            cast_at=4.0) is True, "a stored ballot is changed, not doubled"
    async with database.session() as db:
        assert await db.ballots.of_voter([poll.id], ["p:1"]) == {poll.id: {"choices": ["abstain"]}}
        assert [row["cast_at"] for row in await db.ballots.export_rows(poll.id)] == [4.0]
        # What a live recount reads: the stored text, undecoded, as many as there are ballots.
        texts = await db.ballots.texts(poll.id)
        assert all(isinstance(text, str) for text in texts)
        assert [json.loads(text) for text in texts] == [{"choices": ["abstain"]}]
    # A batch that read no ballot of `p:2` before another transaction stored that voter's first one
    # fails on the unique key (the command runner then stores its votes again one by one).
    async with database.session() as meanwhile:
        first = meanwhile.ballots.staged()
        first.stage(poll.id, "p:2", {"choices": ["yes"]}, participant_id=other.id, delegate_id=None, cast_at=5.0)
        await first.write()
    with pytest.raises(IntegrityError):
        async with database.session() as db:
            late = db.ballots.staged()
            late.stage(poll.id, "p:2", {"choices": ["no"]}, participant_id=other.id, delegate_id=None, cast_at=5.0)
            await late.write()
    async with database.session() as db:
        assert await db.ballots.of_voter([poll.id], ["p:2"]) == {poll.id: {"choices": ["yes"]}}


async def test_the_ballot_box_of_a_secret_poll(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as db:
        poll = await db.polls.add(event_id, 1.0, spec=SPEC, position=1, secret=True)
        assert await db.ballots.box_key(poll.id) is None and await db.ballots.escrow_key(event_id) is None
        db.ballots.add_box_key(poll.id, BoxKey(b"public", b"escrowed"))
        db.ballots.stage_secret(poll.id, "p:1", "AAAA-AAAA-AAAA", b"sealed one")
        db.ballots.stage_secret(poll.id, "p:2", "BBBB-BBBB-BBBB", b"sealed two")
    async with database.session() as db:
        assert await db.ballots.box_key(poll.id) == BoxKey(b"public", b"escrowed")
        assert sorted(await db.ballots.sealed(poll.id)) == [b"sealed one", b"sealed two"]
        assert await db.ballots.secret_voters(poll.id, ["p:1", "p:3"]) == {"p:1"}
        assert await db.ballots.secret_polls_voted([poll.id], ["p:2"]) == {poll.id}
        assert await db.ballots.vote_records(poll.id) == 2
        assert await db.ballots.has_tracker(poll.id, "BBBB-BBBB-BBBB")
        assert not await db.ballots.has_tracker(poll.id, "CCCC-CCCC-CCCC")
        await db.ballots.replace_sealed_by_counted(poll.id, [{"choices": ["yes"]}, {"choices": ["no"]}])
    async with database.session() as db:
        assert await db.ballots.box_key(poll.id) is None and await db.ballots.sealed(poll.id) == []
        assert sorted(b["choices"][0] for b in await db.ballots.counted(poll.id)) == ["no", "yes"]
        assert await db.ballots.of_poll(poll) == await db.ballots.counted(poll.id)
        assert await db.ballots.trackers(poll.id) == ["AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB"]


async def test_credentials_in_use_are_values(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as db:
        person = await people.join(db, event_id, "c" * 64, now=1.0)
        bystander = await people.join(db, event_id, "d" * 64, now=1.0)
        ids = await credentials.add_many(db, event_id, [
            {"event_id": event_id, "name": "João", "segment": "Governo", "code_hash": "1" * 64, "status": "issued",
             "issued_at": 1.0},
            {"event_id": event_id, "name": "Zofia", "segment": "", "code_hash": "2" * 64, "status": "issued",
             "issued_at": 1.0},
        ])
        assert person.id is not None and bystander.id is not None
        assert await credentials.claim(db, ids["1" * 64], person.id, 2.0)
    async with database.session() as db:
        held = Credential(ids["1" * 64], event_id, "João", "Governo", "used")
        assert await db.ballots.credential_of(event_id, person.id) == held
        assert await db.ballots.credential_of(event_id, bystander.id) is None
        assert await db.ballots.credentials_of([person.id, bystander.id]) == {person.id: held}


async def test_event_settings_as_the_poll_services_read_them(database: Database) -> None:
    event_id = await make_event(database, code="AJUSTE")
    async with database.session() as db:
        later = await events.add_agenda_item(db, event_id, {"title": "Tarde", "position": 2})
        earlier = await events.add_agenda_item(db, event_id, {"title": "Manhã", "position": 1})
    async with database.session() as db:
        assert await db.event_settings.id_by_code("ajuste") == event_id
        assert await db.event_settings.id_by_code("NENHUM") is None
        assert await db.event_settings.segments(event_id) == ["Governo"]
        assert await db.event_settings.segments(event_id + 1000) is None
        assert sorted(await db.event_settings.session_ids(event_id)) == sorted([earlier.id, later.id])
        assert await db.event_settings.plenary(event_id) == PlenarySettings()
        assert await db.event_settings.plenary(event_id + 1000) == PlenarySettings()
