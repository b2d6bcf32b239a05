"""Repository of mutes and bans, one row per sanctioned participant (`Sanction` in and out)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.sanctions import Sanction, Sanctioned
from server.store.qa_tables import SanctionRow
from server.store.tables import ParticipantRow


class Sanctions:
    """Sanctions in one transaction (`Unit.sanctions`)."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of(self, participant_id: int) -> Sanction | None:
        row = await self._row(participant_id)
        return None if row is None else _sanction(row)

    async def in_force(self, event_id: int, now: float) -> list[Sanctioned]:
        """Bans and mutes still in force, the latest change first."""
        result = await self._db.exec(
            select(SanctionRow, ParticipantRow)
            .join(ParticipantRow, col(ParticipantRow.id) == SanctionRow.participant_id)
            .where(SanctionRow.event_id == event_id)
            .order_by(col(SanctionRow.updated_at).desc())
        )
        found = (Sanctioned(_sanction(s), p.public_id, p.name) for s, p in result.all())
        return [held for held in found if held.sanction.in_force(now)]

    async def save(self, event_id: int, sanction: Sanction) -> Sanction:
        row = await self._row(sanction.participant_id)
        if row is None:
            row = SanctionRow(participant_id=sanction.participant_id, event_id=event_id)
        row.muted_until, row.banned = sanction.muted_until, sanction.banned
        row.updated_at, row.updated_by = sanction.updated_at, sanction.updated_by
        self._db.add(row)
        await self._db.flush()
        return _sanction(row)

    async def _row(self, participant_id: int) -> SanctionRow | None:
        result = await self._db.exec(
            select(SanctionRow)
            .where(SanctionRow.participant_id == participant_id)
            .execution_options(populate_existing=True)
        )
        return result.first()


def _sanction(row: SanctionRow) -> Sanction:
    return Sanction(row.participant_id, row.muted_until, row.banned, row.updated_at, row.updated_by)
