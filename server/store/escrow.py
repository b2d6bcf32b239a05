"""Repository of events' ballot escrow keys (server/service/sealing.py): the public half of the key
that lets the organizer count a secret poll whose key holder is gone."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.store import polls


class EscrowKeys:
    """Escrow public keys in one transaction (`Unit.escrow`): bytes in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def get(self, event_id: int) -> bytes | None:
        """The event's escrow public key (None for an event made before escrow keys existed)."""
        return await polls.escrow_key(self._db, event_id)

    def set(self, event_id: int, public_key: bytes) -> None:
        """Give the event its first escrow key (written with the next flush; a second one for the
        same event fails the transaction on its primary key)."""
        polls.set_escrow_key(self._db, event_id, public_key)

    async def replace(self, event_id: int, public_key: bytes) -> None:
        """The event's escrow key from now on (a new organizer secret), whether or not it had one."""
        await polls.replace_escrow_key(self._db, event_id, public_key)
