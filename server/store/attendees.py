"""Repository of the credenciamento: delegates as attendees, whether each is in the room, and the log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.checkin import Attendee, CheckAction, Group
from server.store.plenary_tables import CheckinLogRow, DelegatePresenceRow
from server.store.poll_tables import DelegateRow


def _attendee(row: DelegateRow, in_room: bool) -> Attendee:
    assert row.id is not None
    return Attendee(delegate_id=row.id, name=row.name, segment=row.segment, revoked=row.status == "revoked",
                    in_room=in_room and row.status != "revoked", online=row.status == "used")


class Attendees:
    """Delegates as the door sees them, in one transaction (`Unit.attendees`): domain `Attendee`s out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of_event(self, event_id: int) -> list[Attendee]:
        """Every delegate of the event, in credential order."""
        rows = (await self._db.exec(
            select(DelegateRow).where(DelegateRow.event_id == event_id).order_by(col(DelegateRow.id)))).all()
        inside = set((await self._db.exec(select(DelegatePresenceRow.delegate_id).where(
            DelegatePresenceRow.event_id == event_id, col(DelegatePresenceRow.in_room).is_(True)))).all())
        return [_attendee(row, row.id in inside) for row in rows]

    async def groups(self, event_id: int) -> list[Group]:
        """The event's delegates counted by segment, status and whether in the room (one query)."""
        result = await self._db.exec(
            select(DelegateRow.segment, DelegateRow.status, DelegatePresenceRow.in_room, func.count())
            .select_from(DelegateRow)
            .join(DelegatePresenceRow, col(DelegatePresenceRow.delegate_id) == DelegateRow.id, isouter=True)
            .where(DelegateRow.event_id == event_id)
            .group_by(col(DelegateRow.segment), col(DelegateRow.status), col(DelegatePresenceRow.in_room)))
        return [Group(segment=segment, revoked=status == "revoked", in_room=bool(in_room) and status != "revoked",
                      online=status == "used", count=count) for segment, status, in_room, count in result.all()]

    async def get(self, event_id: int, delegate_id: int) -> Attendee | None:
        row = await self._db.get(DelegateRow, delegate_id)
        if row is None or row.event_id != event_id:
            return None
        state = await self._db.get(DelegatePresenceRow, delegate_id, populate_existing=True)
        return _attendee(row, state is not None and state.in_room)

    async def by_code(self, event_id: int, code_hash: str) -> Attendee | None:
        found = (await self._db.exec(select(DelegateRow.id).where(
            DelegateRow.event_id == event_id, DelegateRow.code_hash == code_hash))).first()
        return None if found is None else await self.get(event_id, found)

    async def in_room(self, delegate_ids: set[int]) -> set[int]:
        """Which of these delegates are checked in now."""
        if not delegate_ids:
            return set()
        result = await self._db.exec(select(DelegatePresenceRow.delegate_id).where(
            col(DelegatePresenceRow.delegate_id).in_(delegate_ids), col(DelegatePresenceRow.in_room).is_(True)))
        return set(result.all())

    async def set_in_room(self, event_id: int, delegate_id: int, in_room: bool, now: float) -> bool:
        """Move a delegate in or out: one conditional write, so two doors scanning the same
        credential at once check it in once (the other gets False; a first check-in racing
        another is refused by the primary key)."""
        table = DelegatePresenceRow.__table__  # type: ignore[attr-defined]
        result = await self._db.exec(
            update(table).where(table.c.delegate_id == delegate_id, table.c.in_room == (not in_room))
            .values(in_room=in_room, changed_at=now))
        if result.rowcount:
            return True
        if await self._db.get(DelegatePresenceRow, delegate_id, populate_existing=True) is not None or not in_room:
            return False
        self._db.add(DelegatePresenceRow(delegate_id=delegate_id, event_id=event_id, in_room=True, changed_at=now))
        await self._db.flush()
        return True

    async def log(self, event_id: int, delegate_id: int, action: CheckAction, method: str, at: float,
                  staff_id: int | None, actor: str) -> None:
        self._db.add(CheckinLogRow(event_id=event_id, delegate_id=delegate_id, action=action, method=method, at=at,
                                   staff_id=staff_id, actor=actor[:80]))
        await self._db.flush()

    async def history(self, event_id: int) -> Sequence[dict[str, Any]]:
        """Every check-in and check-out of the event, oldest first, with the delegate's name and segment."""
        result = await self._db.exec(
            select(CheckinLogRow, DelegateRow.name, DelegateRow.segment)
            .join(DelegateRow, col(DelegateRow.id) == CheckinLogRow.delegate_id)
            .where(CheckinLogRow.event_id == event_id).order_by(col(CheckinLogRow.id)))
        return [{"id": entry.id, "at": entry.at, "delegate": entry.delegate_id, "name": name, "segment": segment,
                 "action": entry.action, "method": entry.method, "actor": entry.actor}
                for entry, name, segment in result.all()]
