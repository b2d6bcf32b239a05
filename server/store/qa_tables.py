"""Tables of chat, questions, upvotes, sanctions, Q&A settings and the moderation audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel


class QAItemRow(SQLModel, table=True):
    """A chat message (kind "chat") or a question (kind "question"); see server/domain/qa.py."""

    __tablename__ = "qa_item"
    __table_args__ = (
        Index("ix_qa_item_event_kind_status", "event_id", "kind", "status", "id"),
        Index("ix_qa_item_author_time", "participant_id", "kind", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    kind: str = Field(max_length=8)
    participant_id: int = Field(foreign_key="participant.id")
    author_public_id: str = Field(default="", max_length=16)
    author_name: str = Field(default="", max_length=60)
    anonymous: bool = False
    status: str = Field(max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    original_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    verdict: str = Field(default="allow", max_length=8)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_by: str = Field(default="", max_length=80)
    decided_at: float | None = None
    upvotes: int = 0
    pinned: bool = False
    merged_into: int | None = None
    answered_at: float | None = None
    created_at: float = 0.0
    version: int = 1
    reject_reason: str = Field(default="", max_length=24)  # a preset of server.domain.qa.REJECT_PRESETS
    reject_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    reply: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    reply_at: float | None = None
    reply_by: str = Field(default="", max_length=80)
    origin: str = Field(default="", max_length=16)  # "youtube" | "facebook" when imported (server/domain/platforms.py)


class UpvoteRow(SQLModel, table=True):
    """One upvote; the primary key makes it once per participant per question."""

    __tablename__ = "question_upvote"

    question_id: int = Field(foreign_key="qa_item.id", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", primary_key=True, index=True)
    created_at: float = 0.0


class SanctionRow(SQLModel, table=True):
    __tablename__ = "participant_sanction"

    participant_id: int = Field(foreign_key="participant.id", primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    muted_until: float | None = None
    banned: bool = False
    updated_at: float = 0.0
    updated_by: str = Field(default="", max_length=80)


class QASettingsRow(SQLModel, table=True):
    __tablename__ = "qa_settings"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: float = 0.0


class ModerationLogRow(SQLModel, table=True):
    """The audit log: every automatic hold or block and every human decision, append-only."""

    __tablename__ = "moderation_log"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    at: float = 0.0
    actor_kind: str = Field(max_length=16)  # auto | staff | organizer
    actor_id: int | None = None  # the staff link's id
    actor_label: str = Field(default="", max_length=80)
    action: str = Field(max_length=24)
    target_kind: str = Field(max_length=16)  # chat | question | participant | event
    target_id: int | None = None
    participant_public_id: str = Field(default="", max_length=16)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=300)
    text_before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text_after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
