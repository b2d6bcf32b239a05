"""Repository of online presence (`Unit.presence`): the pieces of connected time per participant
and session, the sessions' live windows they are cut to, and their erasure and retention."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.presence import Piece, Window
from server.store.presence_tables import PresenceRow
from server.store.tables import AgendaSessionRow, ParticipantRow

ERASED_DEVICE = "erased:"  # the device hash of an erased person (server/store/participants.py scrubs it)
CHUNK = 500  # pieces per round trip: small enough that each chunk's Python work is a short turn of the loop


class Presence:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def windows(self, event_id: int) -> list[Window]:
        """The live time of every session of the event that has started."""
        rows = await self._db.exec(select(AgendaSessionRow).where(AgendaSessionRow.event_id == event_id))
        return [Window(row.id, row.started_at, row.ended_at) for row in rows
                if row.id is not None and row.started_at is not None]

    async def record(self, event_id: int, pieces: Sequence[Piece]) -> int:
        """Store `pieces`; one already stored (same participant, session and start) keeps the later
        end. Pieces of erased participants are dropped: their rows are read under a share lock, so
        an erasure committing meanwhile is waited for and seen. Returns the pieces stored.

        Written in chunks, each its own statements: the event loop gets a turn between them, so a
        flush of a large crowd never stalls delivery for its whole length."""
        table = PresenceRow.__table__  # type: ignore[attr-defined]
        insert = pg_insert if self._db.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(table)
        later = case((statement.excluded.end > table.c.end, statement.excluded.end), else_=table.c.end)
        statement = statement.on_conflict_do_update(index_elements=["participant_id", "session_id", "start"],
                                                    set_={"end": later})
        stored = 0
        for at in range(0, len(pieces), CHUNK):
            chunk = pieces[at:at + CHUNK]
            found = await self._db.exec(select(ParticipantRow.id, ParticipantRow.device_hash)
                                        .where(col(ParticipantRow.id).in_({p.participant_id for p in chunk}),
                                               ParticipantRow.event_id == event_id)
                                        .with_for_update(read=True))
            alive = {pid for pid, device in found.all() if not device.startswith(ERASED_DEVICE)}
            rows = [{"event_id": event_id, "participant_id": p.participant_id, "session_id": p.session_id,
                     "start": p.start, "end": p.end} for p in chunk if p.participant_id in alive]
            if rows:
                # One statement executed for many rows: compiled once, not a VALUES list per batch.
                await self._db.exec(statement, params=rows)
            stored += len(rows)
        return stored

    async def pieces(self, event_id: int, participant_id: int | None = None) -> list[Piece]:
        # Columns, not ORM objects: an event's pieces are tens of thousands of rows.
        statement = select(PresenceRow.participant_id, PresenceRow.session_id, PresenceRow.start, PresenceRow.end
                           ).where(PresenceRow.event_id == event_id)
        if participant_id is not None:
            statement = statement.where(PresenceRow.participant_id == participant_id)
        rows = await self._db.exec(statement)
        return [Piece(*row) for row in rows.all()]

    async def erase(self, participant_id: int) -> int:
        """Delete every piece of the participant; returns how many."""
        result = await self._db.exec(delete(PresenceRow).where(col(PresenceRow.participant_id) == participant_id))
        return int(result.rowcount or 0)

    async def count_before(self, event_id: int, cutoff: float) -> int:
        found = await self._db.exec(select(func.count()).select_from(PresenceRow)
                                    .where(PresenceRow.event_id == event_id, col(PresenceRow.end) < cutoff))
        return int(found.one())

    async def purge(self, event_id: int, cutoff: float) -> int:
        """Delete the event's pieces that ended before `cutoff` (retention); returns how many."""
        result = await self._db.exec(delete(PresenceRow).where(col(PresenceRow.event_id) == event_id,
                                                               col(PresenceRow.end) < cutoff))
        return int(result.rowcount or 0)
