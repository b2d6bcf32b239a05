"""Repository of pre-conferences (`Unit.preconference`): domain values in and out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.preconference import Contribution, Draft, Level, Meeting, Proposal
from server.store.preconference_tables import ContributionRow, MeetingRow, PreconferenceSettingsRow, ProposalRow
from server.store.tables import EventRow


def _meeting(row: MeetingRow, code: str) -> Meeting:
    assert row.id is not None
    return Meeting(row.id, row.parent_id, row.event_id, code, row.place, row.date, row.area)


def _contribution(row: ContributionRow) -> Contribution:
    assert row.id is not None
    level: Level = row.level  # type: ignore[assignment]
    return Contribution(row.id, row.meeting_id, row.author, row.text, row.eixo, level, row.created_at,
                        row.proposal_id)


def _proposal(row: ProposalRow) -> Proposal:
    assert row.id is not None
    level: Level = row.level  # type: ignore[assignment]
    return Proposal(row.id, row.text, row.original, row.eixo, level, row.position)


class Preconferences:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def eixos(self, event_id: int) -> tuple[str, ...]:
        row = await self._db.get(PreconferenceSettingsRow, event_id)
        return tuple(row.eixos) if row is not None else ()

    async def set_eixos(self, event_id: int, eixos: Sequence[str]) -> None:
        row = await self._db.get(PreconferenceSettingsRow, event_id) or PreconferenceSettingsRow(event_id=event_id)
        row.eixos = list(eixos)
        self._db.add(row)
        await self._db.flush()

    # -- meetings ----------------------------------------------------------------------

    async def add_meeting(self, parent_id: int, event_id: int, place: str, date: str, area: str,
                          now: float) -> Meeting:
        row = MeetingRow(parent_id=parent_id, event_id=event_id, place=place, date=date, area=area, created_at=now)
        self._db.add(row)
        await self._db.flush()
        event = await self._db.get(EventRow, event_id)
        return _meeting(row, event.code if event is not None else "")

    async def meetings(self, parent_id: int) -> list[Meeting]:
        result = await self._db.exec(
            select(MeetingRow, EventRow.code).join(EventRow, col(EventRow.id) == MeetingRow.event_id)
            .where(MeetingRow.parent_id == parent_id).order_by(col(MeetingRow.date), col(MeetingRow.id)))
        return [_meeting(row, code) for row, code in result.all()]

    async def meeting_of_event(self, event_id: int) -> Meeting | None:
        """The meeting whose own event this is; None for any other event."""
        result = await self._db.exec(
            select(MeetingRow, EventRow.code).join(EventRow, col(EventRow.id) == MeetingRow.event_id)
            .where(MeetingRow.event_id == event_id))
        found = result.first()
        return None if found is None else _meeting(*found)

    # -- contributions -----------------------------------------------------------------

    async def add_contribution(self, meeting: Meeting, participant_id: int, author: str, text: str, eixo: str,
                               level: Level, now: float) -> Contribution:
        row = ContributionRow(parent_id=meeting.parent_id, meeting_id=meeting.id, participant_id=participant_id,
                              author=author, text=text, eixo=eixo, level=level, created_at=now)
        self._db.add(row)
        await self._db.flush()
        return _contribution(row)

    async def contributions(self, parent_id: int) -> list[Contribution]:
        result = await self._db.exec(select(ContributionRow).where(ContributionRow.parent_id == parent_id)
                                     .order_by(col(ContributionRow.id)))
        return [_contribution(row) for row in result.all()]

    async def contributions_of_participant(self, meeting_id: int, participant_id: int) -> list[Contribution]:
        result = await self._db.exec(select(ContributionRow).where(
            ContributionRow.meeting_id == meeting_id, ContributionRow.participant_id == participant_id)
            .order_by(col(ContributionRow.id)))
        return [_contribution(row) for row in result.all()]

    async def forget_author(self, participant_id: int) -> int:
        """Erasure: the participant's contributions stay (the meeting's record, perhaps already
        consolidated) without their public id or participant id; returns how many."""
        result = await self._db.exec(update(ContributionRow).where(
            col(ContributionRow.participant_id) == participant_id).values(participant_id=0, author="")
            .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)

    # -- final proposals ---------------------------------------------------------------

    async def proposals(self, parent_id: int) -> list[Proposal]:
        result = await self._db.exec(select(ProposalRow).where(ProposalRow.parent_id == parent_id)
                                     .order_by(col(ProposalRow.position), col(ProposalRow.id)))
        return [_proposal(row) for row in result.all()]

    async def add_proposal(self, parent_id: int, draft: Draft, position: int, now: float) -> Proposal:
        """The proposal's row; its contributions join it by `move`."""
        row = ProposalRow(parent_id=parent_id, text=draft.text, original=draft.original, eixo=draft.eixo,
                          level=draft.level, position=position, created_at=now)
        self._db.add(row)
        await self._db.flush()
        return _proposal(row)

    async def save_proposal(self, parent_id: int, proposal: Proposal) -> None:
        row = await self._db.get(ProposalRow, proposal.id)
        if row is None or row.parent_id != parent_id:
            return
        row.text, row.eixo, row.level, row.position = proposal.text, proposal.eixo, proposal.level, proposal.position
        self._db.add(row)
        await self._db.flush()

    async def move(self, parent_id: int, moves: Iterable[tuple[int, int | None]], proposal_id: int) -> bool:
        """Put each contribution `(id, the proposal it was in)` in `proposal_id`, only where it is
        still in that one; False if any had moved meanwhile (another merge or undo committed
        first: the caller rolls back)."""
        moved = True
        for contribution_id, before in moves:
            current = (col(ContributionRow.proposal_id).is_(None) if before is None
                       else col(ContributionRow.proposal_id) == before)
            result = await self._db.exec(update(ContributionRow).where(
                col(ContributionRow.parent_id) == parent_id, col(ContributionRow.id) == contribution_id, current)
                .values(proposal_id=proposal_id).execution_options(synchronize_session=False))
            moved = moved and result.rowcount == 1
        return moved

    async def delete_proposals(self, parent_id: int, proposal_ids: Iterable[int]) -> None:
        """Delete the proposals; their contributions return to the unconsolidated list first."""
        ids = list(proposal_ids)
        if not ids:
            return
        await self._db.exec(update(ContributionRow).where(
            col(ContributionRow.parent_id) == parent_id, col(ContributionRow.proposal_id).in_(ids))
            .values(proposal_id=None).execution_options(synchronize_session=False))
        for proposal_id in ids:
            row = await self._db.get(ProposalRow, proposal_id)
            if row is not None and row.parent_id == parent_id:
                await self._db.delete(row)
        await self._db.flush()
