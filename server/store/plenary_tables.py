"""Tables of the plenária: who is in the room (credenciamento) and the decision kept with a poll."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class DelegatePresenceRow(SQLModel, table=True):
    """Whether a delegate is in the room now (no row: never checked in)."""

    __tablename__ = "delegate_presence"

    delegate_id: int = Field(foreign_key="delegate.id", primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    in_room: bool = False
    changed_at: float = 0.0


class CheckinLogRow(SQLModel, table=True):
    """Every check-in and check-out, by whom and how: the credenciamento's record."""

    __tablename__ = "checkin_log"
    __table_args__ = (Index("ix_checkin_log_event", "event_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    delegate_id: int = Field(foreign_key="delegate.id")
    action: str = Field(max_length=8)  # in | out
    method: str = Field(max_length=8)  # scan | typed | list
    at: float = 0.0
    staff_id: int | None = None
    actor: str = Field(default="", max_length=80)


class PollDecisionRow(SQLModel, table=True):
    """A decision vote's rule and the attendance snapshots taken when it opened and closed,
    with the decision computed at the close (kept: a later check-in never changes it)."""

    __tablename__ = "poll_decision"

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    rule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    opened: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    closed: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
