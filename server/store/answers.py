"""Repository of moderators' decisions on open-text answers and words."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.answers import AnswerDecision, Subject
from server.store.answer_tables import AnswerDecisionRow


def _decision(row: AnswerDecisionRow) -> AnswerDecision:
    subject: Subject = "word" if row.subject == "word" else "answer"
    return AnswerDecision(subject, row.key, row.shown, row.decided_by, row.decided_at)


async def decisions(db: AsyncSession, poll_id: int) -> list[AnswerDecision]:
    result = await db.exec(select(AnswerDecisionRow).where(AnswerDecisionRow.poll_id == poll_id))
    return [_decision(row) for row in result.all()]


async def decisions_of_polls(db: AsyncSession, poll_ids: Iterable[int]) -> dict[int, list[AnswerDecision]]:
    ids = list(poll_ids)
    if not ids:
        return {}
    result = await db.exec(select(AnswerDecisionRow).where(col(AnswerDecisionRow.poll_id).in_(ids)))
    out: dict[int, list[AnswerDecision]] = {poll_id: [] for poll_id in ids}
    for row in result.all():
        out[row.poll_id].append(_decision(row))
    return out


async def decision(db: AsyncSession, poll_id: int, subject: Subject, key: str) -> AnswerDecision | None:
    row = await db.get(AnswerDecisionRow, (poll_id, subject, key), populate_existing=True)
    return None if row is None else _decision(row)


async def save(db: AsyncSession, event_id: int, poll_id: int, decision: AnswerDecision) -> None:
    """Insert or replace the decision on (poll, subject, key). A concurrent first insert of the same
    key fails this transaction with IntegrityError (the command runner answers `conflict`)."""
    row = await db.get(AnswerDecisionRow, (poll_id, decision.subject, decision.key))
    if row is None:
        row = AnswerDecisionRow(poll_id=poll_id, subject=decision.subject, key=decision.key, event_id=event_id)
    row.shown, row.decided_by, row.decided_at = decision.shown, decision.by, decision.at
    db.add(row)
    await db.flush()
