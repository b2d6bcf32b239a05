"""Who is on the other end of a connection or request, once authenticated."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from server.domain.roles import DOOR, MODERATORS, ORGANIZERS, PARTICIPANTS, PRESENTERS, STAFF, Role, is_staff, require
from server.domain.voters import voter_key

# The groups of roles a command names (server/web/commands.py), for layers that do not see the domain.
__all__ = ["DOOR", "MODERATORS", "ORGANIZERS", "PARTICIPANTS", "PRESENTERS", "STAFF", "Identity", "Role", "require"]


@dataclass(frozen=True, slots=True)
class Identity:
    event_id: int
    role: Role
    participant_id: int | None = None
    public_id: str = ""
    staff_id: int | None = None
    name: str = ""
    segment: str = ""
    # Derived from the device secret (never stored): secret-poll trackers are computed from it,
    # so a retried vote gets its tracker back and the store never holds what makes trackers.
    receipt_key: str = field(default="", repr=False, compare=False)
    # Staff: the digest of the token or organizer secret this identity authenticated with, so a
    # revocation or a rotation of that secret can be checked against the store (never sent).
    credential: str = field(default="", repr=False, compare=False)

    @property
    def actor(self) -> str:
        """The key commands are logged under: stable across reconnects of the same device or link."""
        if self.participant_id is not None:
            return voter_key(participant=self.participant_id)  # the same key ballots use
        if self.staff_id is not None:
            return f"s:{self.staff_id}"
        return f"o:{self.event_id}"

    @property
    def is_staff(self) -> bool:
        return is_staff(self.role)

    def public(self) -> dict[str, object]:
        return {"id": self.public_id, "name": self.name, "segment": self.segment}


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """Secrets are stored hashed; they are long random strings, so a fast hash suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def receipt_key(device: str) -> str:
    """A per-device key that the store cannot recompute (it keeps only `digest(device)`)."""
    return hashlib.sha256(b"plenaria-receipt-key:" + device.encode()).hexdigest()
