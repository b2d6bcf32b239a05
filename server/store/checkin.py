"""Repository of the credenciamento: delegates as attendees, check-in state and its log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.checkin import Attendee, CheckAction
from server.store.plenary_tables import CheckinLogRow, DelegatePresenceRow
from server.store.poll_tables import DelegateRow


def _attendee(row: DelegateRow, in_room: bool) -> Attendee:
    assert row.id is not None
    return Attendee(delegate_id=row.id, name=row.name, segment=row.segment, revoked=row.status == "revoked",
                    in_room=in_room and row.status != "revoked", online=row.status == "used")


async def attendees(db: AsyncSession, event_id: int) -> list[Attendee]:
    """Every delegate of the event, in credential order."""
    rows = (await db.exec(select(DelegateRow).where(DelegateRow.event_id == event_id)
                          .order_by(col(DelegateRow.id)))).all()
    inside = set((await db.exec(select(DelegatePresenceRow.delegate_id).where(
        DelegatePresenceRow.event_id == event_id, col(DelegatePresenceRow.in_room).is_(True)))).all())
    return [_attendee(row, row.id in inside) for row in rows]


async def attendee(db: AsyncSession, event_id: int, delegate_id: int) -> Attendee | None:
    row = await db.get(DelegateRow, delegate_id)
    if row is None or row.event_id != event_id:
        return None
    state = await db.get(DelegatePresenceRow, delegate_id)
    return _attendee(row, state is not None and state.in_room)


async def attendee_by_code(db: AsyncSession, event_id: int, code_hash: str) -> Attendee | None:
    found = (await db.exec(select(DelegateRow.id).where(
        DelegateRow.event_id == event_id, DelegateRow.code_hash == code_hash))).first()
    return None if found is None else await attendee(db, event_id, found)


async def set_in_room(db: AsyncSession, event_id: int, delegate_id: int, in_room: bool, now: float) -> bool:
    """Move a delegate in or out: one conditional write, so two doors scanning the same
    credential at once check it in once (the other gets False; a first check-in racing
    another is refused by the primary key)."""
    table = DelegatePresenceRow.__table__  # type: ignore[attr-defined]
    result = await db.exec(update(table).where(table.c.delegate_id == delegate_id, table.c.in_room == (not in_room))
                           .values(in_room=in_room, changed_at=now))
    if result.rowcount:
        return True
    if await db.get(DelegatePresenceRow, delegate_id) is not None or not in_room:
        return False
    db.add(DelegatePresenceRow(delegate_id=delegate_id, event_id=event_id, in_room=True, changed_at=now))
    await db.flush()
    return True


async def log(db: AsyncSession, event_id: int, delegate_id: int, action: CheckAction, method: str, at: float,
              staff_id: int | None, actor: str) -> None:
    db.add(CheckinLogRow(event_id=event_id, delegate_id=delegate_id, action=action, method=method, at=at,
                         staff_id=staff_id, actor=actor[:80]))
    await db.flush()


async def history(db: AsyncSession, event_id: int) -> Sequence[dict[str, Any]]:
    """Every check-in and check-out of the event, oldest first, with the delegate's name and segment."""
    result = await db.exec(
        select(CheckinLogRow, DelegateRow.name, DelegateRow.segment)
        .join(DelegateRow, col(DelegateRow.id) == CheckinLogRow.delegate_id)
        .where(CheckinLogRow.event_id == event_id).order_by(col(CheckinLogRow.id)))
    return [{"id": entry.id, "at": entry.at, "delegate": entry.delegate_id, "name": name, "segment": segment,
             "action": entry.action, "method": entry.method, "actor": entry.actor}
            for entry, name, segment in result.all()]
