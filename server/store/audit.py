"""Repository of the moderation audit log (`AuditEntry` in and out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import Actor, AuditEntry
from server.store.qa_tables import ModerationLogRow


async def log(
    db: AsyncSession,
    event_id: int,
    actor: Actor,
    action: str,
    target_kind: str,
    target_id: int | None,
    now: float,
    *,
    participant: str = "",
    reasons: Sequence[Any] = (),
    note: str = "",
    text_before: str | None = None,
    text_after: str | None = None,
) -> AuditEntry:
    row = ModerationLogRow(
        event_id=event_id,
        at=now,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        participant_public_id=participant,
        reasons=[dict(r) for r in reasons],
        note=note[:300],
        text_before=text_before,
        text_after=text_after,
    )
    db.add(row)
    await db.flush()
    return entry_of(row)


async def audit(db: AsyncSession, event_id: int, limit: int | None = None) -> list[AuditEntry]:
    """Entries oldest first; with `limit`, only the newest `limit` of them."""
    statement = select(ModerationLogRow).where(ModerationLogRow.event_id == event_id)
    if limit is None:
        result = await db.exec(statement.order_by(col(ModerationLogRow.id)))
        return [entry_of(row) for row in result.all()]
    result = await db.exec(statement.order_by(col(ModerationLogRow.id).desc()).limit(limit))
    return [entry_of(row) for row in result.all()][::-1]


def entry_of(row: ModerationLogRow) -> AuditEntry:
    assert row.id is not None
    kind = row.actor_kind if row.actor_kind in ("auto", "staff", "organizer") else "auto"
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=Actor(kind, row.actor_id, row.actor_label),  # type: ignore[arg-type]
        action=row.action,
        target_kind=row.target_kind,
        target_id=row.target_id,
        participant=row.participant_public_id,
        reasons=tuple(row.reasons),
        note=row.note,
        text_before=row.text_before,
        text_after=row.text_after,
    )


class AuditLog:
    """The moderation audit log in one transaction (`Unit.audit`): `AuditEntry`s in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def log(
        self,
        event_id: int,
        actor: Actor,
        action: str,
        target_kind: str,
        target_id: int | None,
        now: float,
        *,
        participant: str = "",
        reasons: Sequence[Any] = (),
        note: str = "",
        text_before: str | None = None,
        text_after: str | None = None,
    ) -> AuditEntry:
        """Append an entry (written with the unit's transaction) and return it."""
        return await log(self._db, event_id, actor, action, target_kind, target_id, now, participant=participant,
                         reasons=reasons, note=note, text_before=text_before, text_after=text_after)

    async def of_event(self, event_id: int, limit: int | None = None) -> list[AuditEntry]:
        """Entries oldest first; with `limit`, only the newest `limit` of them."""
        return await audit(self._db, event_id, limit)
