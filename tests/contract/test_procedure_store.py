"""The procedure store contract (SQLite file and real PostgreSQL): a speakers' list, a deliberation
and the moções round-trip as domain values, and of two writers who read the same version only
the first commits; the other is refused, never applied over it."""

from __future__ import annotations

import pytest

from server.domain.destaques import Deliberation, Proposal
from server.domain.speakers import Speaker
from server.errors import Conflict
from server.store import Database, Unit
from server.store import polls as poll_repo
from server.store.poll_tables import PollRow
from server.store.tables import AgendaSessionRow
from tests.contract.test_store import make_event

ANA = Speaker(1, "pa", "Ana", "Governo")
BRUNO = Speaker(2, "pb", "Bruno", "Governo")


async def agenda_item(db: Database, event_id: int) -> int:
    async with db.session() as s:
        row = AgendaSessionRow(event_id=event_id, title="Plenária final")
        s.add(row)
        await s.flush()
        assert row.id is not None
        return row.id


async def test_a_list_round_trips_and_a_stale_write_is_refused(database: Database) -> None:
    event_id = await make_event(database)
    session_id = await agenda_item(database, event_id)
    async with database.session() as s:
        empty, version = await s.procedure.speakers_list(event_id, session_id)
        assert version == 0
        await s.procedure.save_speakers_list(event_id, empty.request(ANA, "for", 1.0)[0], version)
    async with database.session() as s:
        first, v1 = await s.procedure.speakers_list(event_id, session_id)
    async with database.session() as s:
        stale, v1_again = await s.procedure.speakers_list(event_id, session_id)
    assert v1 == v1_again == 1 and [r.speaker.name for r in first.queue] == ["Ana"]
    async with database.session() as s:
        await s.procedure.save_speakers_list(event_id, first.start(2.0), v1)
    with pytest.raises(Conflict):
        async with database.session() as s:
            await s.procedure.save_speakers_list(event_id, stale.request(BRUNO, "for", 3.0)[0], v1_again)
    async with database.session() as s:
        stored, version = await s.procedure.speakers_list(event_id, session_id)
    assert version == 2 and stored == first.start(2.0)


async def test_a_first_write_over_a_version_it_did_not_read_is_refused(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as s:
        poll = await _poll(s, event_id)
        assert await s.procedure.deliberation(event_id, poll) == (None, 0)
    opened = Deliberation.open(poll, [Proposal("m1", "Proposta 1")])
    async with database.session() as s:
        _, version = await s.procedure.deliberation(event_id, poll)
        await s.procedure.save_deliberation(event_id, opened, version)
    with pytest.raises(Conflict):
        async with database.session() as s:
            await s.procedure.save_deliberation(event_id, opened.mark(7, "m1", True), 0)
    async with database.session() as s:
        stored, version = await s.procedure.deliberation(event_id, poll)
        assert [d.poll for d in await s.procedure.deliberations(event_id)] == [poll]
    assert version == 1 and stored == opened


async def _poll(s: Unit, event_id: int) -> int:
    row = await poll_repo.add_poll(s, PollRow(event_id=event_id, spec={"kind": "multiple", "question": "?",
                                                                        "options": [{"id": "m1", "label": "P1"}]}))
    assert row.id is not None
    return row.id
