"""The repositories behind export, erasure and turnout (SQLite file and real PostgreSQL): what they
hand services as domain values, and what an erasure leaves linked to nobody."""

from __future__ import annotations

from sqlmodel import select

from server.domain.delegates import Delegate
from server.domain.participants import Participant
from server.store import Database, commands
from server.store import polls as repo
from server.store.poll_tables import BallotRow, PollRow
from tests.contract.test_store import make_event

SPEC = {"kind": "yes_no_abstain", "question": "Aprova?", "options": []}


async def people(db: Database, event_id: int, *devices: str) -> list[Participant]:
    async with db.session() as s:
        found = await s.participants.join_many([(event_id, device) for device in devices], now=1.0)
        return [found[(event_id, device)] for device in devices]


async def test_a_participants_ballots_come_with_their_polls_and_detach_to_nobody(database: Database) -> None:
    event_id = await make_event(database, code="APAGA1")
    ana, bia = await people(database, event_id, "a" * 64, "b" * 64)
    async with database.session() as s:
        first = await repo.add_poll(s, PollRow(event_id=event_id, spec=SPEC, status="closed", position=1))
        second = await repo.add_poll(s, PollRow(event_id=event_id, spec=SPEC, status="open", position=2))
        assert first.id is not None and second.id is not None
        for poll_id, who, choice in ((second.id, ana, "no"), (first.id, ana, "yes"), (first.id, bia, "abstain")):
            s.add(BallotRow(poll_id=poll_id, voter=f"p:{who.id}", participant_id=who.id,
                            ballot={"choices": [choice]}, cast_at=float(poll_id)))
    async with database.session() as s:
        own = await s.privacy.open_ballots_of(ana.id)
        assert [(ballot.poll_id, ballot.ballot, poll.id, poll.status) for ballot, poll in own] == [
            (first.id, {"choices": ["yes"]}, first.id, "closed"), (second.id, {"choices": ["no"]}, second.id, "open")]
        pool = await s.privacy.tombstone(event_id, "ballots")
        assert await s.privacy.tombstone(event_id, "ballots") == pool, "one ballot tombstone per event"
        assert pool != await s.privacy.tombstone(event_id, "messages")
        await s.privacy.detach_ballots([ballot.id for ballot, _ in own], pool)
    async with database.session() as s:
        assert await s.privacy.open_ballots_of(ana.id) == []
        assert [b.ballot for b, _ in await s.privacy.open_ballots_of(bia.id)] == [{"choices": ["abstain"]}]
        # Still counted: the tally reads every stored ballot, whoever holds it.
        assert sorted(c for b in await s.ballots.in_clear(first.id, False) for c in b["choices"]) == ["abstain", "yes"]
        detached = [b for b, _ in await s.privacy.open_ballots_of(pool)]
        assert len(detached) == 2
        voters = set((await s.exec(select(BallotRow.voter).where(BallotRow.participant_id == pool))).all())
        assert len(voters) == 2 and all(v.startswith("x:") for v in voters), "random keys, not the person's"


async def test_secret_polls_of_voters_say_only_that_they_voted(database: Database) -> None:
    event_id = await make_event(database, code="APAGA2")
    other_event = await make_event(database, code="APAGA3")
    async with database.session() as s:
        ids = []
        for event in (event_id, event_id, other_event):
            row = await repo.add_poll(s, PollRow(event_id=event, spec=SPEC, status="closed", secret=True))
            assert row.id is not None
            ids.append(row.id)
        repo.stage_secret_ballot(s, ids[0], "p:7", "T-1", b"sealed")
        repo.stage_secret_ballot(s, ids[0], "d:3", "T-2", b"sealed")
        repo.stage_secret_ballot(s, ids[1], "p:8", "T-3", b"sealed")
        repo.stage_secret_ballot(s, ids[2], "p:7", "T-4", b"sealed")
    async with database.session() as s:
        found = await s.privacy.secret_polls_of(event_id, ["p:7", "d:3"])
        assert [poll.id for poll in found] == [ids[0]], "once per poll, this event's only"
        assert found[0].secret and found[0].result is None
        assert await s.privacy.secret_polls_of(event_id, ["p:9"]) == []
        assert await s.ballots.vote_records(ids[0]) == 2


async def test_cached_staff_answers_are_replaced_and_forgotten(database: Database) -> None:
    async with database.session() as s:
        await commands.record(s, "s:1", "c-1", {"item": {"author": {"id": "abc"}}}, now=1.0)
        await commands.record(s, "s:1", "c-2", {"ok": True}, now=5.0)
        await commands.record(s, "p:4", "c-1", {"ok": True}, now=1.0)
    async with database.session() as s:
        answers = await s.privacy.staff_answers(["s:1"])
        assert sorted(a.command_id for a in answers) == ["c-1", "c-2"]
        await s.privacy.replace_answer("s:1", "c-1", {"item": {"author": {"id": ""}}})
    async with database.session() as s:
        assert await commands.recorded(s, "s:1", "c-1") == {"item": {"author": {"id": ""}}}
        assert await s.privacy.count_commands(["s:1", "p:4"], before=2.0) == 2
        assert await s.privacy.forget_commands(["s:1"], before=2.0) == 1
        assert await s.privacy.forget_commands(["p:4"]) == 1
        assert [a.command_id for a in await s.privacy.staff_answers(["s:1", "p:4"])] == ["c-2"]


async def test_a_scrubbed_participant_is_someone_new_to_their_device(database: Database) -> None:
    event_id = await make_event(database, code="APAGA4")
    (ana,) = await people(database, event_id, "a" * 64)
    async with database.session() as s:
        await s.participants.set_profile(ana.id, "Ana", "Governo")
        assert (await s.participants.by_public_id(event_id, ana.public_id)).name == "Ana"
        await s.participants.scrub(ana.id)
    async with database.session() as s:
        after = await s.participants.get(ana.id)
        assert after is not None and after.public_id != ana.public_id and (after.name, after.segment) == ("", "")
        assert await s.participants.by_devices([(event_id, "a" * 64)]) == {}
        again = await s.participants.join(event_id, "a" * 64, now=2.0)
        assert again.id != ana.id


async def test_credentials_revoke_reissue_and_count_as_voters(database: Database) -> None:
    event_id = await make_event(database, code="APAGA5")
    ana, bia = await people(database, event_id, "a" * 64, "b" * 64)
    async with database.session() as s:
        ids = await s.delegates.add_many(event_id, [
            {"event_id": event_id, "name": name, "segment": "Governo", "code_hash": code, "status": "issued",
             "issued_at": 1.0} for name, code in (("Ana", "h1"), ("Bia", "h2"), ("Caio", "h3"))])
        assert await s.delegates.claim(ids["h1"], ana.id, now=2.0)
        assert not await s.delegates.claim(ids["h1"], bia.id, now=2.5), "a code works once"
        assert await s.delegates.claim(ids["h2"], bia.id, now=3.0)
    async with database.session() as s:
        held = await s.privacy.credential_of(event_id, ana.id)
        assert held == Delegate(ids["h1"], event_id, "Ana", "Governo", "used", ana.id, 1.0, 2.0, None)
        assert await s.electorate.delegates(event_id) == 3
        assert await s.electorate.delegate_holders(event_id) == {ana.id, bia.id}
        assert await s.electorate.in_segment(event_id, "Governo") == {ana.id, bia.id}
        assert await s.electorate.unclaimed(event_id, "Governo") == 1
        revoked = await s.delegates.revoke(ids["h2"], at=4.0)
        assert (revoked.status, revoked.participant_id, revoked.revoked_at) == ("revoked", None, 4.0)
    async with database.session() as s:
        assert await s.electorate.delegates(event_id) == 2
        assert await s.delegates.of_participant(event_id, bia.id) is None
        again = await s.delegates.reissue(ids["h2"], "h9", now=5.0)
        assert (again.status, again.issued_at, again.revoked_at) == ("issued", 5.0, None)
        assert await s.delegates.by_code(event_id, "h2") is None
        assert await s.delegates.by_code(event_id, "h9") == again
        assert await s.delegates.counts(event_id) == {"issued": 2, "used": 1, "revoked": 0}


async def test_events_and_staff_links_change_through_their_repositories(database: Database) -> None:
    event_id = await make_event(database, code="APAGA6")
    async with database.session() as s:
        changed = await s.events.change(event_id, {"segments": ("Governo", "Usuários"), "screen": {"kind": "qr"},
                                                   "settings": {"chat_retention_days": 3}})
        assert changed.segments == ("Governo", "Usuários")
        link = await s.staff.add(event_id, "moderator", "Mesa", "t" * 64, now=1.0)
        first = await s.staff.revoke(link.id, now=2.0)
        assert (await s.staff.revoke(link.id, now=3.0)).revoked_at == first.revoked_at == 2.0
    async with database.session() as s:
        found = await s.events.by_code("apaga6")
        assert found is not None and found == changed
        assert found.settings == {"chat_retention_days": 3} and found.screen == {"kind": "qr"}
        assert [e.code for e in await s.privacy.events("apaga6")] == ["APAGA6"]
        assert await s.staff.by_hash("t" * 64) == first
