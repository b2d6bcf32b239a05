"""Repository for participants: anonymous by default, one row per device per event."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.tables import ParticipantRow


async def by_device(db: AsyncSession, event_id: int, device_hash: str) -> ParticipantRow | None:
    result = await db.exec(
        select(ParticipantRow).where(
            ParticipantRow.event_id == event_id, ParticipantRow.device_hash == device_hash
        )
    )
    return result.first()


async def by_id(db: AsyncSession, participant_id: int) -> ParticipantRow | None:
    return await db.get(ParticipantRow, participant_id)


async def join(db: AsyncSession, event_id: int, device_hash: str, now: float) -> ParticipantRow:
    """Return the device's participant, creating it on first visit.

    Two tabs of one new device may race here; the unique constraint makes one
    insert win and the other read it back.
    """
    existing = await by_device(db, event_id, device_hash)
    if existing is not None:
        return existing
    row = ParticipantRow(
        event_id=event_id, device_hash=device_hash, public_id=secrets.token_hex(6), created_at=now
    )
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        found = await by_device(db, event_id, device_hash)
        assert found is not None
        return found
    return row
