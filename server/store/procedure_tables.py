"""Tables of the plenária's procedure: speakers' lists and the procedure's audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class SpeakersListRow(SQLModel, table=True):
    """One agenda item's speakers' list, kept whole (server.domain.speakers.dump).

    `version` grows with every change: a write names the version it read, so two processes
    changing the same list at once cannot both commit (the loser is refused as a conflict).
    """

    __tablename__ = "speakers_list"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    session_id: int = Field(foreign_key="agenda_session.id", primary_key=True)
    version: int = 0
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ProcedureLogRow(SQLModel, table=True):
    """The procedure's audit log: every request, speech and chair decision, append-only."""

    __tablename__ = "procedure_log"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    at: float = 0.0
    actor: str = Field(max_length=40)  # p:<participant>, s:<staff link>, o:<event> (the organizer)
    action: str = Field(max_length=40)
    target: str = Field(default="", max_length=40)  # e.g. session:3
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DeliberationRow(SQLModel, table=True):
    """A proposal ballot's destaques and block approval, kept whole (server.domain.destaques.dump),
    versioned as `SpeakersListRow`."""

    __tablename__ = "deliberation"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    version: int = 0
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MotionsRow(SQLModel, table=True):
    """An event's moções with their signatures, kept whole (server.domain.mocoes.dump), versioned."""

    __tablename__ = "motions"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    version: int = 0
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
