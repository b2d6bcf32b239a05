"""Repository of decision votes' attendance snapshots (server/domain/decision.py)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.decision import Attendance, Snapshot
from server.store.plenary_tables import PollAttendanceRow


class PollSnapshots:
    """Attendance when a decision vote opened and closed, in one transaction (`Unit.snapshots`)."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of_poll(self, poll_id: int) -> tuple[Snapshot | None, Snapshot | None]:
        """The poll's attendance when it (last) opened and when it closed since."""
        row = await self._db.get(PollAttendanceRow, poll_id, populate_existing=True)
        if row is None:
            return None, None
        opened = Snapshot(Attendance(row.opened_entitled, row.opened_present), row.opened_at)
        if row.closed_entitled is None or row.closed_present is None or row.closed_at is None:
            return opened, None
        return opened, Snapshot(Attendance(row.closed_entitled, row.closed_present), row.closed_at)

    async def save_opened(self, event_id: int, poll_id: int, snapshot: Snapshot) -> None:
        """Record an opening (a reopening replaces the earlier snapshots)."""
        row = await self._row(event_id, poll_id, snapshot)
        row.opened_entitled, row.opened_present = snapshot.attendance.entitled, snapshot.attendance.present
        row.opened_at = snapshot.at
        row.closed_entitled = row.closed_present = row.closed_at = None
        self._db.add(row)
        await self._db.flush()

    async def save_closed(self, event_id: int, poll_id: int, snapshot: Snapshot) -> None:
        """Record a closing (a poll closed without an opening snapshot gets the closing's as both)."""
        row = await self._row(event_id, poll_id, snapshot)
        row.closed_entitled, row.closed_present = snapshot.attendance.entitled, snapshot.attendance.present
        row.closed_at = snapshot.at
        self._db.add(row)
        await self._db.flush()

    async def _row(self, event_id: int, poll_id: int, snapshot: Snapshot) -> PollAttendanceRow:
        return await self._db.get(PollAttendanceRow, poll_id) or PollAttendanceRow(
            poll_id=poll_id, event_id=event_id, opened_entitled=snapshot.attendance.entitled,
            opened_present=snapshot.attendance.present, opened_at=snapshot.at)
