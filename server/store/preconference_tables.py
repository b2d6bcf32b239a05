"""Tables of pre-conferences: the conference's eixos, its meetings, their contributions and
the consolidated proposals (server.domain.preconference)."""

from __future__ import annotations

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class PreconferenceSettingsRow(SQLModel, table=True):
    __tablename__ = "preconference_settings"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    eixos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MeetingRow(SQLModel, table=True):
    """A pre-conference meeting: `event_id` is its own event, `parent_id` the conference."""

    __tablename__ = "preconference_meeting"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="event.id", index=True)
    event_id: int = Field(foreign_key="event.id", unique=True)
    place: str = Field(max_length=120)
    date: str = Field(max_length=10)
    area: str = Field(default="", max_length=80)
    created_at: float = 0.0


class ProposalRow(SQLModel, table=True):
    """A final proposal of the conference, consolidated from contributions."""

    __tablename__ = "preconference_proposal"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="event.id", index=True)
    text: str = Field(max_length=300)
    original: str = Field(max_length=64_000)
    eixo: str = Field(max_length=120)
    level: str = Field(max_length=16)
    position: int = 0
    created_at: float = 0.0


class ContributionRow(SQLModel, table=True):
    __tablename__ = "preconference_contribution"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="event.id", index=True)
    meeting_id: int = Field(foreign_key="preconference_meeting.id", index=True)
    participant_id: int = Field(index=True)
    author: str = Field(max_length=16)
    text: str = Field(max_length=300)
    eixo: str = Field(max_length=120)
    level: str = Field(max_length=16)
    proposal_id: int | None = Field(default=None, foreign_key="preconference_proposal.id", index=True)
    created_at: float = 0.0
