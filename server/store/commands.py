"""The command log that makes retries harmless (exactly-once effects)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
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


async def recorded_many(db: AsyncSession, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The recorded answers of several (actor, command id) keys at once (a batch of votes)."""
    wanted = set(keys)
    if not wanted:
        return {}
    # Both IN lists keep the primary-key index usable; the exact pairs are picked out here.
    result = await db.exec(
        select(CommandLogRow).where(
            col(CommandLogRow.actor).in_({actor for actor, _ in wanted}),
            col(CommandLogRow.command_id).in_({command for _, command in wanted}),
        )
    )
    return {(row.actor, row.command_id): dict(row.response) for row in result.all()
            if (row.actor, row.command_id) in wanted}


async def record_many(db: AsyncSession, answers: Iterable[tuple[str, str, dict[str, Any]]], now: float) -> None:
    """Insert log rows in the caller's transaction, in one statement: a batch of votes logs
    hundreds, and an ORM object costs about 0.1 ms of the event loop each to build and flush.
    A row logged meanwhile by another transaction fails here on the primary key, as `record`."""
    rows = [{"actor": actor, "command_id": command_id, "response": response, "created_at": now}
            for actor, command_id, response in answers]
    if rows:
        await db.exec(insert(CommandLogRow.__table__), params=rows)  # type: ignore[attr-defined]
