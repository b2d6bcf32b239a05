"""SQLModel tables. Times are UNIX seconds (float) so SQLite and PostgreSQL sort them alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class EventRow(SQLModel, table=True):
    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=32)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    stream_url: str = Field(default="", max_length=1000)
    default_lang: str = Field(default="pt-BR", max_length=16)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)
    segments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Sites allowed to embed this event's pages (frame-ancestors) and open its websockets.
    embed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    organizer_secret_hash: str = Field(max_length=64)
    screen: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: float = 0.0


class AgendaSessionRow(SQLModel, table=True):
    __tablename__ = "agenda_session"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    speakers: str = Field(default="", max_length=500)
    starts_at: str = Field(default="", max_length=32)
    position: int = 0
    status: str = Field(default="planned", max_length=16)
    started_at: float | None = None
    ended_at: float | None = None


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("event_id", "device_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    device_hash: str = Field(max_length=64)
    public_id: str = Field(max_length=16, index=True)
    name: str = Field(default="", max_length=60)
    segment: str = Field(default="", max_length=40)
    created_at: float = 0.0


class IdBlockRow(SQLModel, table=True):
    """On SQLite, the next participant id nobody has taken (PostgreSQL uses the table's
    sequence): ids are reserved in blocks ahead of the rows (server/store/participants.py)."""

    __tablename__ = "id_block"

    name: str = Field(primary_key=True, max_length=32)
    next_id: int = 1


class StaffTokenRow(SQLModel, table=True):
    __tablename__ = "staff_token"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    role: str = Field(max_length=16)
    label: str = Field(default="", max_length=80)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: float = 0.0
    revoked_at: float | None = None


class CommandLogRow(SQLModel, table=True):
    """One row per executed command: a retry with the same (actor, command id) replays the answer."""

    __tablename__ = "command_log"

    actor: str = Field(primary_key=True, max_length=80)
    command_id: str = Field(primary_key=True, max_length=64)
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: float = 0.0
