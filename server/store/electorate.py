"""Repository of who may vote in an event: participants known, by segment, and delegate credentials."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.store import delegates as credentials
from server.store import polls


class Electorate:
    """Counts of eligible voters in one transaction (`Unit.electorate`): plain numbers and id sets."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def participants(self, event_id: int) -> int:
        """Participants known to the event."""
        return await polls.participants(self._db, event_id)

    async def in_segment(self, event_id: int, segment: str) -> set[int]:
        """Participant ids in `segment`: by their credential if they hold one, else by their profile."""
        return await polls.participants_in_segment(self._db, event_id, segment)

    async def delegates(self, event_id: int) -> int:
        """Credentials not revoked (issued or used): the delegates who may vote."""
        return await credentials.valid(self._db, event_id)

    async def delegate_holders(self, event_id: int) -> set[int]:
        """Participant ids of the devices holding a credential now."""
        return {row.participant_id for row in await credentials.of_event(self._db, event_id)
                if row.status == "used" and row.participant_id is not None}

    async def unclaimed(self, event_id: int, segment: str) -> int:
        """Issued credentials of `segment` that no device has claimed yet."""
        return await credentials.unclaimed(self._db, event_id, segment)
