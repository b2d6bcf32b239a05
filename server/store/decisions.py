"""Repository of decision votes' attendance snapshots (server/domain/decision.py)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.decision import Attendance, Snapshot
from server.store.plenary_tables import PollAttendanceRow


async def snapshots(db: AsyncSession, poll_id: int) -> tuple[Snapshot | None, Snapshot | None]:
    """The poll's attendance when it (last) opened and when it closed since."""
    row = await db.get(PollAttendanceRow, poll_id)
    if row is None:
        return None, None
    opened = Snapshot(Attendance(row.opened_entitled, row.opened_present), row.opened_at)
    if row.closed_entitled is None or row.closed_present is None or row.closed_at is None:
        return opened, None
    return opened, Snapshot(Attendance(row.closed_entitled, row.closed_present), row.closed_at)


async def save_opened(db: AsyncSession, event_id: int, poll_id: int, snapshot: Snapshot) -> None:
    """Record an opening (a reopening replaces the earlier snapshots)."""
    row = await db.get(PollAttendanceRow, poll_id) or PollAttendanceRow(poll_id=poll_id, event_id=event_id)
    row.opened_entitled, row.opened_present = snapshot.attendance.entitled, snapshot.attendance.present
    row.opened_at = snapshot.at
    row.closed_entitled = row.closed_present = row.closed_at = None
    db.add(row)
    await db.flush()


async def save_closed(db: AsyncSession, event_id: int, poll_id: int, snapshot: Snapshot) -> None:
    row = await db.get(PollAttendanceRow, poll_id) or PollAttendanceRow(
        poll_id=poll_id, event_id=event_id, opened_entitled=snapshot.attendance.entitled,
        opened_present=snapshot.attendance.present, opened_at=snapshot.at)
    row.closed_entitled, row.closed_present = snapshot.attendance.entitled, snapshot.attendance.present
    row.closed_at = snapshot.at
    db.add(row)
    await db.flush()
