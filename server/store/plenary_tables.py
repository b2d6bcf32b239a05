"""Tables of the plenária: who is in the room (credenciamento) and the decision kept with a poll."""

from __future__ import annotations

from sqlalchemy import Index
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


class PollAttendanceRow(SQLModel, table=True):
    """A decision vote's attendance snapshots: entitled and present when it opened and when it
    closed (kept: a later check-in never changes a result)."""

    __tablename__ = "poll_attendance"

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    opened_entitled: int = 0
    opened_present: int = 0
    opened_at: float = 0.0
    closed_entitled: int | None = None
    closed_present: int | None = None
    closed_at: float | None = None
