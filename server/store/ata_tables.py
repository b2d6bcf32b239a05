"""Tables of the ata: the secretary's notes per session, and the ata as it was marked final."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class AtaNoteRow(SQLModel, table=True):
    """The secretary's text for one session of the ata (no row: no note)."""

    __tablename__ = "ata_note"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    session_id: int = Field(primary_key=True)
    text: str = Field(default="", max_length=8000)
    updated_at: float = 0.0


class AtaFinalRow(SQLModel, table=True):
    """The ata once final: its document frozen as it was, and the SHA-256 of that document."""

    __tablename__ = "ata_final"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(max_length=64)
    finalized_at: float = 0.0
