"""Repositories for events, their agenda and their staff tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.agenda import AgendaItem, SessionStatus
from server.store.tables import AgendaSessionRow, EventRow, StaffTokenRow


async def event_by_code(db: AsyncSession, code: str) -> EventRow | None:
    result = await db.exec(select(EventRow).where(EventRow.code == code.upper()))
    return result.first()


async def events_by_codes(db: AsyncSession, codes: Iterable[str]) -> dict[str, EventRow]:
    """The events with these join codes (any case), by upper-case code; unknown codes absent."""
    wanted = {code.upper() for code in codes}
    if not wanted:
        return {}
    result = await db.exec(select(EventRow).where(col(EventRow.code).in_(wanted)))
    return {row.code: row for row in result.all()}


async def event_by_id(db: AsyncSession, event_id: int) -> EventRow | None:
    return await db.get(EventRow, event_id)


async def add_event(db: AsyncSession, row: EventRow) -> EventRow:
    db.add(row)
    await db.flush()
    return row


async def agenda(db: AsyncSession, event_id: int) -> list[AgendaItem]:
    result = await db.exec(
        select(AgendaSessionRow)
        .where(AgendaSessionRow.event_id == event_id)
        .order_by(col(AgendaSessionRow.position), col(AgendaSessionRow.id))
    )
    return [_item(row) for row in result.all()]


async def add_agenda_item(db: AsyncSession, event_id: int, fields: dict[str, Any]) -> AgendaItem:
    row = AgendaSessionRow(event_id=event_id, **fields)
    db.add(row)
    await db.flush()
    return _item(row)


async def save_agenda_items(db: AsyncSession, event_id: int, items: Iterable[AgendaItem]) -> None:
    """Write the given items' mutable fields back (items come from the domain's decisions)."""
    for item in items:
        row = await db.get(AgendaSessionRow, item.id)
        if row is None or row.event_id != event_id:
            continue
        row.title, row.description, row.speakers = item.title, item.description, item.speakers
        row.starts_at, row.position, row.status = item.starts_at, item.position, item.status
        row.started_at, row.ended_at = item.started_at, item.ended_at
        db.add(row)
    await db.flush()


async def delete_agenda_item(db: AsyncSession, event_id: int, session_id: int) -> bool:
    row = await db.get(AgendaSessionRow, session_id)
    if row is None or row.event_id != event_id:
        return False
    await db.delete(row)
    return True


async def add_staff_token(db: AsyncSession, row: StaffTokenRow) -> StaffTokenRow:
    db.add(row)
    await db.flush()
    return row


async def staff_by_hash(db: AsyncSession, token_hash: str) -> StaffTokenRow | None:
    result = await db.exec(select(StaffTokenRow).where(StaffTokenRow.token_hash == token_hash))
    return result.first()


async def staff_tokens(db: AsyncSession, event_id: int) -> Sequence[StaffTokenRow]:
    result = await db.exec(
        select(StaffTokenRow).where(StaffTokenRow.event_id == event_id).order_by(col(StaffTokenRow.id))
    )
    return result.all()


def _item(row: AgendaSessionRow) -> AgendaItem:
    assert row.id is not None
    status: SessionStatus = row.status  # type: ignore[assignment]
    return AgendaItem(
        id=row.id,
        title=row.title,
        position=row.position,
        status=status,
        description=row.description,
        speakers=row.speakers,
        starts_at=row.starts_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )
