"""Repositories for chat messages, questions, upvotes, sanctions, Q&A settings and the audit log.

Items come out as `server.domain.qa.Item`. Changes go back through
`save_item`, a conditional UPDATE on the item's version: when another
transaction changed the row first it updates nothing and returns False, so
two moderators racing on one item can never both decide it (on SQLite the
UPDATE waits for the write lock and then sees the winner's row; on
PostgreSQL it waits on the row lock and re-checks the condition).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import Actor, AuditEntry
from server.domain.qa import Author, Item, Kind, Status
from server.domain.qa_policy import QASettings
from server.store.qa_tables import ModerationLogRow, QAItemRow, QASettingsRow, SanctionRow, UpvoteRow
from server.store.tables import ParticipantRow

_MUTABLE = ("kind", "status", "text", "original_text", "decided_by", "decided_at", "pinned", "merged_into",
            "answered_at", "reject_reason", "reject_note", "reply", "reply_at", "reply_by")


def item_of(row: QAItemRow) -> Item:
    assert row.id is not None
    kind: Kind = "question" if row.kind == "question" else "chat"
    status: Status = row.status  # type: ignore[assignment]
    return Item(
        id=row.id,
        kind=kind,
        author=Author(row.participant_id, row.author_public_id, row.author_name, row.anonymous),
        text=row.text,
        status=status,
        created_at=row.created_at,
        verdict=row.verdict,
        reasons=tuple(row.reasons),
        original_text=row.original_text,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        upvotes=row.upvotes,
        pinned=row.pinned,
        merged_into=row.merged_into,
        answered_at=row.answered_at,
        version=row.version,
        reject_reason=row.reject_reason,
        reject_note=row.reject_note,
        reply=row.reply,
        reply_at=row.reply_at,
        reply_by=row.reply_by,
        origin=row.origin,
    )


async def add_item(
    db: AsyncSession,
    event_id: int,
    kind: Kind,
    author: Author,
    text: str,
    status: Status,
    verdict: str,
    reasons: Sequence[dict[str, Any]],
    now: float,
    origin: str = "",
) -> Item:
    row = QAItemRow(
        event_id=event_id,
        kind=kind,
        participant_id=author.participant_id,
        author_public_id=author.public_id,
        author_name=author.name,
        anonymous=author.anonymous,
        status=status,
        text=text,
        verdict=verdict,
        reasons=list(reasons),
        created_at=now,
        origin=origin,
    )
    db.add(row)
    await db.flush()
    return item_of(row)


async def get_item(db: AsyncSession, event_id: int, item_id: int, kind: Kind | None = None) -> Item | None:
    """The item as committed now (never a stale copy from this session's identity map)."""
    result = await db.exec(
        select(QAItemRow).where(QAItemRow.id == item_id).execution_options(populate_existing=True)
    )
    row = result.first()
    if row is None or row.event_id != event_id or (kind is not None and row.kind != kind):
        return None
    return item_of(row)


async def save_item(db: AsyncSession, item: Item, expected_version: int) -> bool:
    """Write `item`'s mutable fields if the row is still at `expected_version`; False if it moved on."""
    values: dict[str, Any] = {name: getattr(item, name) for name in _MUTABLE}
    result = await db.exec(
        update(QAItemRow)
        .where(col(QAItemRow.id) == item.id, col(QAItemRow.version) == expected_version)
        .values(**values, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


async def bump_upvotes(db: AsyncSession, question_id: int, delta: int) -> bool:
    """Atomically add `delta` to a published question's count; False if it is not published."""
    result = await db.exec(
        update(QAItemRow)
        .where(col(QAItemRow.id) == question_id, col(QAItemRow.status) == "published")
        .values(upvotes=QAItemRow.upvotes + delta, version=QAItemRow.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


async def author_history(db: AsyncSession, participant_id: int, kind: Kind, since: float, limit: int = 20) -> list[
    tuple[float, str]
]:
    """The author's recent attempts of one kind, any status (flood and repeat rules count them all)."""
    result = await db.exec(
        select(QAItemRow.created_at, QAItemRow.text)
        .where(QAItemRow.participant_id == participant_id, QAItemRow.kind == kind, QAItemRow.created_at >= since)
        .order_by(col(QAItemRow.created_at).desc())
        .limit(limit)
    )
    return [(at, text) for at, text in result.all()]


async def last_attempt(db: AsyncSession, participant_id: int, kind: Kind) -> float | None:
    result = await db.exec(
        select(func.max(QAItemRow.created_at)).where(
            QAItemRow.participant_id == participant_id, QAItemRow.kind == kind
        )
    )
    value = result.first()
    return None if value is None else float(value)


async def _items(db: AsyncSession, *conditions: Any, newest_first: bool = True, limit: int | None = None) -> list[Item]:
    order = col(QAItemRow.id).desc() if newest_first else col(QAItemRow.id)
    statement = select(QAItemRow).where(*conditions).order_by(order)
    if limit is not None:
        statement = statement.limit(limit)
    result = await db.exec(statement)
    return [item_of(row) for row in result.all()]


async def published_chat(db: AsyncSession, event_id: int, limit: int) -> list[Item]:
    """The last `limit` published chat messages, oldest first."""
    items = await _items(
        db, QAItemRow.event_id == event_id, QAItemRow.kind == "chat", QAItemRow.status == "published", limit=limit
    )
    return items[::-1]


async def open_questions(db: AsyncSession, event_id: int) -> list[Item]:
    """Published and answered questions, oldest first."""
    return await _items(
        db,
        QAItemRow.event_id == event_id,
        QAItemRow.kind == "question",
        col(QAItemRow.status).in_(("published", "answered")),
        newest_first=False,
    )


async def pinned_questions(db: AsyncSession, event_id: int) -> list[Item]:
    return await _items(
        db, QAItemRow.event_id == event_id, QAItemRow.kind == "question", col(QAItemRow.pinned).is_(True)
    )


async def held(db: AsyncSession, event_id: int, limit: int) -> list[Item]:
    """The review queue, oldest first."""
    return await _items(
        db,
        QAItemRow.event_id == event_id,
        col(QAItemRow.kind).in_(("chat", "question")),
        QAItemRow.status == "held",
        newest_first=False,
        limit=limit,
    )


async def auto_blocked(db: AsyncSession, event_id: int, limit: int) -> list[Item]:
    """Items a rule blocked that no human has looked at, newest first."""
    return await _items(
        db,
        QAItemRow.event_id == event_id,
        col(QAItemRow.kind).in_(("chat", "question")),
        QAItemRow.status == "rejected",
        QAItemRow.decided_by == "",
        limit=limit,
    )


async def recent(db: AsyncSession, event_id: int, limit: int) -> list[Item]:
    return await _items(db, QAItemRow.event_id == event_id, limit=limit)


async def own(db: AsyncSession, participant_id: int, limit: int) -> list[Item]:
    """A participant's own items, newest first."""
    return await _items(db, QAItemRow.participant_id == participant_id, limit=limit)


async def hidden_of(db: AsyncSession, participant_id: int, limit: int) -> list[Item]:
    """A participant's shadow-hidden items (which they alone go on seeing), oldest first."""
    items = await _items(
        db, QAItemRow.participant_id == participant_id, QAItemRow.status == "hidden", limit=limit
    )
    return items[::-1]


async def removable_of(db: AsyncSession, event_id: int, participant_id: int) -> list[Item]:
    """Everything of one participant that someone may still see or decide, oldest first."""
    return await _items(
        db,
        QAItemRow.event_id == event_id,
        QAItemRow.participant_id == participant_id,
        col(QAItemRow.status).in_(("held", "published", "answered", "archived", "hidden")),
        newest_first=False,
    )


# -- upvotes -------------------------------------------------------------------


async def has_upvote(db: AsyncSession, question_id: int, participant_id: int) -> bool:
    return await db.get(UpvoteRow, (question_id, participant_id)) is not None


async def add_upvote(db: AsyncSession, question_id: int, participant_id: int, now: float) -> None:
    db.add(UpvoteRow(question_id=question_id, participant_id=participant_id, created_at=now))
    await db.flush()


async def remove_upvote(db: AsyncSession, question_id: int, participant_id: int) -> bool:
    result = await db.exec(
        delete(UpvoteRow).where(
            col(UpvoteRow.question_id) == question_id, col(UpvoteRow.participant_id) == participant_id
        )
    )
    return bool(result.rowcount == 1)


async def voters(db: AsyncSession, question_id: int) -> set[int]:
    result = await db.exec(select(UpvoteRow.participant_id).where(UpvoteRow.question_id == question_id))
    return set(result.all())


async def replace_voters(db: AsyncSession, question_id: int, keep: set[int], now: float) -> int:
    """Make `keep` the question's voters (adding the missing ones, keeping existing rows); returns the count."""
    present = await voters(db, question_id)
    stale = present - keep
    if stale:
        await db.exec(
            delete(UpvoteRow).where(
                col(UpvoteRow.question_id) == question_id, col(UpvoteRow.participant_id).in_(stale)
            )
        )
    for participant_id in sorted(keep - present):
        db.add(UpvoteRow(question_id=question_id, participant_id=participant_id, created_at=now))
    await db.flush()
    return len(keep)


async def set_upvote_count(db: AsyncSession, question_id: int, count: int) -> None:
    await db.exec(
        update(QAItemRow)
        .where(col(QAItemRow.id) == question_id)
        .values(upvotes=count, version=QAItemRow.version + 1)
        .execution_options(synchronize_session=False)
    )


async def upvoted_among(db: AsyncSession, participant_id: int, question_ids: Iterable[int]) -> set[int]:
    ids = list(question_ids)
    if not ids:
        return set()
    result = await db.exec(
        select(UpvoteRow.question_id).where(
            UpvoteRow.participant_id == participant_id, col(UpvoteRow.question_id).in_(ids)
        )
    )
    return set(result.all())


# -- participants and sanctions --------------------------------------------------


async def participant(db: AsyncSession, participant_id: int) -> ParticipantRow | None:
    return await db.get(ParticipantRow, participant_id)


async def participants_by_public_id(db: AsyncSession, event_id: int, public_id: str) -> list[ParticipantRow]:
    result = await db.exec(
        select(ParticipantRow).where(ParticipantRow.event_id == event_id, ParticipantRow.public_id == public_id)
    )
    return list(result.all())


async def sanction(db: AsyncSession, participant_id: int) -> SanctionRow | None:
    result = await db.exec(
        select(SanctionRow)
        .where(SanctionRow.participant_id == participant_id)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def sanctions(db: AsyncSession, event_id: int, now: float) -> list[tuple[SanctionRow, ParticipantRow]]:
    """Bans and mutes still in force."""
    result = await db.exec(
        select(SanctionRow, ParticipantRow)
        .join(ParticipantRow, col(ParticipantRow.id) == SanctionRow.participant_id)
        .where(SanctionRow.event_id == event_id)
        .order_by(col(SanctionRow.updated_at).desc())
    )
    return [
        (s, p) for s, p in result.all() if s.banned or (s.muted_until is not None and s.muted_until > now)
    ]


async def save_sanction(
    db: AsyncSession, event_id: int, participant_id: int, *, muted_until: float | None, banned: bool, now: float,
    by: str,
) -> SanctionRow:
    row = await sanction(db, participant_id)
    if row is None:
        row = SanctionRow(participant_id=participant_id, event_id=event_id)
    row.muted_until, row.banned, row.updated_at, row.updated_by = muted_until, banned, now, by
    db.add(row)
    await db.flush()
    return row


# -- settings ----------------------------------------------------------------------


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


# -- audit -------------------------------------------------------------------------


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
