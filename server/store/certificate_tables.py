"""Tables of the certificates: the organizer's threshold, and each certificate issued."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class CertificatePolicyRow(SQLModel, table=True):
    """The attendance a certificate needs, in minutes (no row: 0, any attendance), and what
    counts as attendance: `both` (in the room or online), `door` or `online`."""

    __tablename__ = "certificate_policy"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    min_minutes: int = 0
    sources: str = Field(default="both", max_length=8)


class CertificateRow(SQLModel, table=True):
    """A certificate issued: whose, its public verification code, the minutes it certifies."""

    __tablename__ = "certificate"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    delegate_id: int = Field(foreign_key="delegate.id", unique=True)
    code: str = Field(max_length=16, unique=True, index=True)
    minutes: float = 0.0
    issued_at: float = 0.0
