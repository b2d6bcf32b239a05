"""Moderators' decisions on open-text answers and words (server/domain/answers.py).

Kept apart from the ballots on purpose: a row names a poll and an answer's key
(or a word), never a voter, and is written only by a moderator's command, never
by a vote, so neither its content nor when it was written says who answered what.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class AnswerDecisionRow(SQLModel, table=True):
    __tablename__ = "answer_decision"

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    subject: str = Field(primary_key=True, max_length=8)  # answer | word
    key: str = Field(primary_key=True, max_length=600)
    event_id: int = Field(foreign_key="event.id", index=True)
    shown: bool = False
    decided_by: str = Field(default="", max_length=80)
    decided_at: float = 0.0
