"""Repository of chat messages and questions (`server.domain.qa.Item` in and out).

Changes go back through `save_item`, a conditional UPDATE on the item's version: when another
transaction changed the row first it updates nothing and returns False, so two moderators
racing on one item can never both decide it (on SQLite the UPDATE waits for the write lock and
then sees the winner's row; on PostgreSQL it waits on the row lock and re-checks the condition).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.qa import Author, Item, Kind, Status
from server.store.qa_tables import QAItemRow

_MUTABLE = ("status", "text", "original_text", "decided_by", "decided_at", "pinned", "merged_into", "answered_at",
            "reject_reason", "reject_note", "reply", "reply_at", "reply_by")


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
