"""The command log that makes retries harmless (exactly-once effects)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.tables import CommandLogRow


async def recorded(db: AsyncSession, actor: str, command_id: str) -> dict[str, Any] | None:
    row = await db.get(CommandLogRow, (actor, command_id))
    return None if row is None else dict(row.response)


async def record(db: AsyncSession, actor: str, command_id: str, response: dict[str, Any], now: float) -> None:
    """Insert in the caller's transaction: the effect and its log row commit together.

    A concurrent retry of the same command hits the primary key and its whole
    transaction rolls back (IntegrityError), so the effect happens once.
    """
    db.add(CommandLogRow(actor=actor, command_id=command_id, response=response, created_at=now))
    await db.flush()
