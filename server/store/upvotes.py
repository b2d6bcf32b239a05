"""Repository of question upvotes: one row per (question, participant)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.qa_tables import QAItemRow, UpvoteRow


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
