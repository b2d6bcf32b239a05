"""Repository of what the poll services read of an event: its settings, segments, sessions, join code."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.plenary_settings import PlenarySettings, plenary_settings
from server.store import conference as events


class EventSettings:
    """An event's settings in one transaction (`Unit.event_settings`), as domain values."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def plenary(self, event_id: int) -> PlenarySettings:
        """The event's plenary settings (the defaults when there is no such event)."""
        event = await events.event_by_id(self._db, event_id)
        return plenary_settings(event.settings if event is not None else None)

    async def segments(self, event_id: int) -> list[str] | None:
        """The event's segments; None when there is no such event."""
        event = await events.event_by_id(self._db, event_id)
        return None if event is None else list(event.segments)

    async def session_ids(self, event_id: int) -> list[int]:
        """The ids of the event's agenda sessions in agenda order (a poll may belong to one)."""
        return [item.id for item in await events.agenda(self._db, event_id)]

    async def id_by_code(self, code: str) -> int | None:
        """The id of the event with this join code (any case)."""
        event = await events.event_by_code(self._db, code)
        return None if event is None else event.id
