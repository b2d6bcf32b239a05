"""The pre-conference store contract (SQLite file and real PostgreSQL): meetings, contributions
and proposals round-trip as domain values; merging moves contributions, undoing returns them."""

from __future__ import annotations

from server.domain.preconference import Draft
from server.store import Database
from tests.contract.test_store import make_event


async def test_meetings_contributions_and_proposals_round_trip(database: Database) -> None:
    conference = await make_event(database, "CONF1")
    child = await make_event(database, "CRAS1")
    async with database.session() as s:
        await s.preconference.set_eixos(conference, ["Financiamento", "Gestão"])
        meeting = await s.preconference.add_meeting(conference, child, "CRAS Nações", "2025-06-13", "Nações", 1.0)
    async with database.session() as s:
        assert await s.preconference.eixos(conference) == ("Financiamento", "Gestão")
        assert await s.preconference.meeting_of_event(child) == meeting
        assert await s.preconference.meeting_of_event(conference) is None
        assert meeting.code == "CRAS1" and await s.preconference.meetings(conference) == [meeting]
        first = await s.preconference.add_contribution(meeting, 7, "p7", "Mais equipes", "Financiamento",
                                                       "municipal", 2.0)
        second = await s.preconference.add_contribution(meeting, 8, "p8", "Concurso", "Financiamento",
                                                        "municipal", 3.0)
    async with database.session() as s:
        made = await s.preconference.add_proposal(
            conference, Draft("Ampliar as equipes", "Mais equipes\nConcurso", "Financiamento", "municipal",
                              (first.id, second.id)), 1, 4.0)
        assert await s.preconference.move(conference, [(first.id, None), (second.id, None)], made.id)
    async with database.session() as s:
        # A contribution that is no longer where the mover read it is not moved.
        assert not await s.preconference.move(conference, [(first.id, None)], made.id)
    async with database.session() as s:
        assert await s.preconference.proposals(conference) == [made]
        stored = await s.preconference.contributions(conference)
        assert [(c.id, c.proposal_id) for c in stored] == [(first.id, made.id), (second.id, made.id)]
        assert [c.text for c in await s.preconference.contributions_of_participant(meeting.id, 8)] == ["Concurso"]
        await s.preconference.delete_proposals(conference, [made.id])
    async with database.session() as s:
        assert await s.preconference.proposals(conference) == []
        assert [c.proposal_id for c in await s.preconference.contributions(conference)] == [None, None]
        found = await s.events.get(conference)
        assert found is not None and (found.code, found.title) == ("CONF1", "Conferência")
        assert await s.preconference.forget_author(8) == 1
    async with database.session() as s:
        assert [c.author for c in await s.preconference.contributions(conference)] == ["p7", ""]
        assert await s.preconference.contributions_of_participant(meeting.id, 8) == []
