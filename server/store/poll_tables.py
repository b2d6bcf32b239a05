"""Tables of polls, ballots (open and secret), vote records and delegate credentials.

Secrecy by construction: a secret poll writes who voted to `vote_record` and
what was voted to `secret_ballot`, in the same transaction but with nothing in
common: `secret_ballot` has no voter, no time and a random primary key, and
both tables are SQLite WITHOUT ROWID tables, so rows are stored in key order
(random, and by voter) rather than insertion order. PostgreSQL keeps heap rows
roughly in insertion order (visible to a database administrator through
`ctid` or the WAL); the application never reads or exposes that order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class PollRow(SQLModel, table=True):
    __tablename__ = "poll"
    __table_args__ = (Index("ix_poll_event_position", "event_id", "position", "id"), Index("ix_poll_status", "status"))

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    session_id: int | None = None
    position: int = 0
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=16)
    opened_at: float | None = None
    deadline: float | None = None
    remaining: float | None = None
    closed_at: float | None = None
    visibility: str = Field(default="live", max_length=16)
    eligibility: str = Field(default="everyone", max_length=60)
    secret: bool = False
    # The final result, written when the poll closes (cleared when it reopens).
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: float = 0.0


class BallotRow(SQLModel, table=True):
    """A ballot of an open (not secret) poll. One per voter per poll: the store enforces it.

    `voter` is `d:<delegate id>` in delegates-only polls (a reissued credential
    cannot vote twice) and `p:<participant id>` otherwise.
    """

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("poll_id", "voter", name="uq_ballot_poll_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    voter: str = Field(max_length=40)
    participant_id: int = Field(foreign_key="participant.id")
    delegate_id: int | None = None
    ballot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cast_at: float = 0.0


class VoteRecordRow(SQLModel, table=True):
    """Who voted in a secret poll (and nothing about how)."""

    __tablename__ = "vote_record"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    voter: str = Field(primary_key=True, max_length=40)


class SecretBallotRow(SQLModel, table=True):
    """What was voted in a secret poll: no voter, no time, a random key (see the module docstring)."""

    __tablename__ = "secret_ballot"
    __table_args__ = (
        UniqueConstraint("poll_id", "receipt_hash", name="uq_secret_ballot_receipt"),
        {"sqlite_with_rowid": False},
    )

    key: str = Field(primary_key=True, max_length=32)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    receipt_hash: str = Field(max_length=64)
    ballot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DelegateRow(SQLModel, table=True):
    """A delegate credential: a one-time code (stored hashed) that makes one device this delegate."""

    __tablename__ = "delegate"
    __table_args__ = (
        UniqueConstraint("event_id", "code_hash", name="uq_delegate_code"),
        # A device holds at most one credential (NULLs, unclaimed codes, do not collide).
        UniqueConstraint("event_id", "participant_id", name="uq_delegate_participant"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=120)
    segment: str = Field(default="", max_length=40)
    code_hash: str = Field(max_length=64)
    status: str = Field(default="issued", max_length=16)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    issued_at: float = 0.0
    used_at: float | None = None
    revoked_at: float | None = None
