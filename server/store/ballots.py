"""Repository of a poll's ballots as a count reads them: in clear, or only how many voted."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.store import polls


class Ballots:
    """Ballots in one transaction (`Unit.ballots`): stored ballot dicts and counts out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def in_clear(self, poll_id: int, secret: bool) -> list[dict[str, Any]]:
        """The stored ballots of a poll in clear: an open poll's, or a counted secret poll's
        (anonymised, in their published order; none while it is sealed)."""
        return await (polls.counted_ballots(self._db, poll_id) if secret else polls.open_ballots(self._db, poll_id))

    async def vote_records(self, poll_id: int) -> int:
        """How many voted in a secret poll (its vote records), whether or not it was counted."""
        return await polls.vote_records(self._db, poll_id)
