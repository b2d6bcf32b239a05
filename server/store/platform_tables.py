"""Tables of the broadcast platforms' live chats an event imports (see server/domain/platforms.py)."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class PlatformSourceRow(SQLModel, table=True):
    """One event's link to one live chat. `token_sealed` is the token encrypted under the server's
    token key (server/service/token_box.py); `token_env` names an environment variable instead."""

    __tablename__ = "platform_source"
    __table_args__ = (UniqueConstraint("event_id", "platform", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=128)
    chat_id: str = Field(default="", max_length=200)
    cursor: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    token_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    token_env: str = Field(default="", max_length=100)
    health: str = Field(default="starting", max_length=16)
    detail: str = Field(default="", max_length=300)
    failures: int = 0
    imported: int = 0
    active: bool = True
    created_at: float = 0.0
    updated_at: float = 0.0
    polled_at: float | None = None
    post_replies: bool = False
    reply_health: str | None = Field(default=None, max_length=16)
    reply_detail: str = Field(default="", max_length=300)
    replies_posted: int = 0


class ImportedCommentRow(SQLModel, table=True):
    """One platform comment imported once: the primary key is the idempotency key of an import.

    `item_id` is no foreign key on purpose: when retention or an erasure deletes the chat item,
    this row stays (the platform's id and timestamp, no text), so the comment is never imported
    again from a page fetched later."""

    __tablename__ = "platform_comment"

    source_id: int = Field(foreign_key="platform_source.id", primary_key=True)
    message_id: str = Field(max_length=200, primary_key=True)
    item_id: int = Field(index=True)
    published_at: str = Field(default="", max_length=40)


class PlatformReplyRow(SQLModel, table=True):
    """The outbox of replies posted back to a platform, written in the moderator's reply
    transaction. `state`: `pending` (due at `next_at`), `sending` (claimed, committed before the
    request), `sent` (with the platform's `posted_id`), `failed` (given up) or `uncertain` (a
    process died while sending it: it is never sent again, so it is never sent twice)."""

    __tablename__ = "platform_reply"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="platform_source.id", index=True)
    item_id: int = Field(index=True)
    parent_id: str = Field(max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_at: float = 0.0
    claimed_at: float | None = None
    posted_id: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=300)
    created_at: float = 0.0
    sent_at: float | None = None
