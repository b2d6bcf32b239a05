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


class QASettingsStore:
    """The event's chat and Q&A settings in one transaction (`Unit.qa_settings`): `QASettings` in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def get(self, event_id: int) -> tuple[QASettings, int]:
        """The event's settings and their version (0 when never changed: the defaults)."""
        return await settings(self._db, event_id)

    async def save(self, event_id: int, value: QASettings, now: float) -> int:
        """Store new settings; returns their version."""
        return await save_settings(self._db, event_id, value, now)
