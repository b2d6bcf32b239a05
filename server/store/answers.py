"""Repository of moderators' decisions on open-text answers and words."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.answers import AnswerDecision, Subject
from server.store.answer_tables import AnswerDecisionRow


class AnswerDecisions:
    """Decisions in one transaction (`Unit.answers`): domain `AnswerDecision`s in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of_poll(self, poll_id: int) -> list[AnswerDecision]:
        result = await self._db.exec(select(AnswerDecisionRow).where(AnswerDecisionRow.poll_id == poll_id))
        return [_decision(row) for row in result.all()]

    async def get(self, poll_id: int, subject: Subject, key: str) -> AnswerDecision | None:
        row = await self._db.get(AnswerDecisionRow, (poll_id, subject, key), populate_existing=True)
        return None if row is None else _decision(row)

    async def save(self, event_id: int, poll_id: int, decision: AnswerDecision) -> None:
        """Insert or replace the decision on (poll, subject, key). A concurrent first insert of the same
        key fails this transaction with IntegrityError (the command runner answers `conflict`)."""
        row = await self._db.get(AnswerDecisionRow, (poll_id, decision.subject, decision.key))
        if row is None:
            row = AnswerDecisionRow(poll_id=poll_id, subject=decision.subject, key=decision.key, event_id=event_id)
        row.shown, row.decided_by, row.decided_at = decision.shown, decision.by, decision.at
        self._db.add(row)
        await self._db.flush()


def _decision(row: AnswerDecisionRow) -> AnswerDecision:
    subject: Subject = "word" if row.subject == "word" else "answer"
    return AnswerDecision(subject, row.key, row.shown, row.decided_by, row.decided_at)
