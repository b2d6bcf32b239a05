"""Repository of an event's chat and Q&A settings (`QASettings`, versioned)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.qa_policy import QASettings
from server.store.qa_tables import QASettingsRow


async def settings(db: AsyncSession, event_id: int) -> tuple[QASettings, int]:
    """The event's settings and their version (0 when never changed: the defaults)."""
    row = await db.get(QASettingsRow, event_id)
    if row is None:
        return QASettings(), 0
    return QASettings.from_dict(row.data), row.version


async def save_settings(db: AsyncSession, event_id: int, value: QASettings, now: float) -> int:
    row = await db.get(QASettingsRow, event_id)
    if row is None:
        row = QASettingsRow(event_id=event_id, data=value.to_dict(), version=1, updated_at=now)
    else:
        row.data, row.version, row.updated_at = value.to_dict(), row.version + 1, now
    db.add(row)
    await db.flush()
    return row.version
