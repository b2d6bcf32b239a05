"""A delegate credential as the organizer manages it: whose it is, its state, the device holding it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CredentialStatus = Literal["issued", "used", "revoked"]


@dataclass(frozen=True, slots=True)
class Delegate:
    """One credential. `issued`: its code not claimed yet; `used`: a device (`participant_id`)
    holds it; `revoked`: the code no longer works and no device holds it."""

    id: int
    event_id: int
    name: str
    segment: str
    status: CredentialStatus
    participant_id: int | None
    issued_at: float
    used_at: float | None
    revoked_at: float | None

