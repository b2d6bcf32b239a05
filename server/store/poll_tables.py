"""Tables of polls, ballots (open and secret), vote records and delegate credentials.

Secret polls (see server/service/sealing.py and docs/privacy.md): while the
poll runs, `vote_record` says who voted, `ballot_tracker` holds the trackers
given to voters and `sealed_ballot` the ballots, sealed to the poll's key in
`poll_key`. The three are written in one transaction per batch of votes, so the
engine's own bookkeeping (PostgreSQL `xmin` and `ctid`, SQLite page and cell
order) links a sealed ballot to its voter: that is harmless only because the
ballot cannot be read without a key the database does not hold. At the count,
the ballots are opened, shuffled and written in clear to `counted_ballot` in
one transaction, in random order under random keys, and the sealed rows and the
key are deleted. Trackers link to voters, never to ballots.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
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


class SealedBallotRow(SQLModel, table=True):
    """A ballot of a running secret poll, sealed to its poll key; deleted when the poll is counted."""

    __tablename__ = "sealed_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=32)  # random
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BallotTrackerRow(SQLModel, table=True):
    """A tracker given to a voter of a secret poll: published to prove inclusion, never tied to a ballot."""

    __tablename__ = "ballot_tracker"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    tracker: str = Field(primary_key=True, max_length=20)


class CountedBallotRow(SQLModel, table=True):
    """A ballot of a counted secret poll, anonymised: written in one transaction, in random order."""

    __tablename__ = "counted_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=32)  # random: the published order
    ballot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PollKeyRow(SQLModel, table=True):
    """The key of a secret poll's ballot box while its ballots are sealed (deleted at the count).

    `public_key` seals ballots (any process); `escrow` is the private key sealed to the
    event's escrow key, for when the process holding the private key is gone.
    """

    __tablename__ = "poll_key"

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    escrow: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BallotEscrowRow(SQLModel, table=True):
    """An event's escrow public key; its private half derives from the organizer secret."""

    __tablename__ = "ballot_escrow"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


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
