"""Queries behind the organizer's exports and the conference report."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.qa import Item
from server.store.items import item_of
from server.store.qa_tables import QAItemRow


async def all_items(db: AsyncSession, event_id: int) -> list[Item]:
    """Every chat message and question of the event, any status, oldest first."""
    result = await db.exec(select(QAItemRow).where(QAItemRow.event_id == event_id).order_by(col(QAItemRow.id)))
    return [item_of(row) for row in result.all()]
