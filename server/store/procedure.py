"""Repositories of the procedure: speakers' lists as domain values, and its audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import speakers
from server.errors import Conflict, NotFound
from server.store import delegates
from server.store.procedure_tables import ProcedureLogRow, SpeakersListRow
from server.store.tables import AgendaSessionRow, ParticipantRow


async def speakers_list(db: AsyncSession, event_id: int, session_id: int) -> tuple[speakers.SpeakersList, int]:
    """The list of one agenda item and the version read (0: none stored yet, an empty open list)."""
    row = await db.get(SpeakersListRow, (event_id, session_id))
    if row is None:
        return speakers.SpeakersList(session=session_id), 0
    return speakers.load(row.state), row.version


async def save_speakers_list(db: AsyncSession, event_id: int, lst: speakers.SpeakersList, version: int) -> None:
    """Store `lst` over the `version` read; raises Conflict (`conflict`) when another write came first."""
    state = speakers.dump(lst)
    if version == 0:
        db.add(SpeakersListRow(event_id=event_id, session_id=lst.session, version=1, state=state))
        await db.flush()  # a concurrent first write collides on the primary key here
        return
    table = SpeakersListRow.__table__  # type: ignore[attr-defined]
    result = await db.exec(
        update(table)
        .where(table.c.event_id == event_id, table.c.session_id == lst.session, table.c.version == version)
        .values(state=state, version=version + 1)
    )
    if result.rowcount != 1:
        raise Conflict("the list changed meanwhile; try again", code="conflict")


async def speakers_lists(db: AsyncSession, event_id: int) -> list[speakers.SpeakersList]:
    rows = await db.exec(
        select(SpeakersListRow).where(SpeakersListRow.event_id == event_id).order_by(col(SpeakersListRow.session_id))
    )
    return [speakers.load(row.state) for row in rows]


def log(db: AsyncSession, event_id: int, at: float, actor: str, action: str, target: str,
        detail: Mapping[str, Any]) -> None:
    db.add(ProcedureLogRow(event_id=event_id, at=at, actor=actor, action=action, target=target,
                           detail=dict(detail)))


async def log_entries(db: AsyncSession, event_id: int) -> list[dict[str, Any]]:
    rows = await db.exec(
        select(ProcedureLogRow).where(ProcedureLogRow.event_id == event_id).order_by(col(ProcedureLogRow.id))
    )
    return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target, "detail": r.detail}
            for r in rows]


async def speaker(db: AsyncSession, event_id: int, participant_id: int) -> speakers.Speaker:
    """Who a participant is on a list: a delegate by the credential's name and segment, anyone
    else by their profile. Raises NotFound (`participant_not_found`)."""
    person = await db.get(ParticipantRow, participant_id)
    if person is None or person.event_id != event_id:
        raise NotFound("participant not found", code="participant_not_found")
    credential = await delegates.of_participant(db, event_id, participant_id)
    if credential is not None:
        return speakers.Speaker(participant_id, person.public_id, credential.name, credential.segment)
    return speakers.Speaker(participant_id, person.public_id, person.name, person.segment)


async def session_exists(db: AsyncSession, event_id: int, session_id: int) -> bool:
    row = await db.get(AgendaSessionRow, session_id)
    return row is not None and row.event_id == event_id
