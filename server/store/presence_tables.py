"""The table of online presence: pieces of time a participant was connected while a session was live."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class PresenceRow(SQLModel, table=True):
    """One piece (server/domain/presence.py): connected from `start` to `end` during `session_id`'s
    live time. A process writes the same piece again, further along, while the participant stays
    connected: the key is where it starts, and `end` only grows. `session_id` is no foreign key: deleting
    an agenda item is not blocked by the time spent in it (which then no longer counts)."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("participant_id", "session_id", "start", name="uq_presence_piece"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    session_id: int
    start: float
    end: float
