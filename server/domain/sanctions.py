"""Mutes and bans: a moderator's hold on one participant's writing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sanction:
    participant_id: int
    muted_until: float | None = None
    banned: bool = False
    updated_at: float = 0.0
    updated_by: str = ""

    def in_force(self, now: float) -> bool:
        return self.banned or (self.muted_until is not None and self.muted_until > now)


@dataclass(frozen=True, slots=True)
class Sanctioned:
    """A sanction with the participant it holds, as moderators list them."""

    sanction: Sanction
    public_id: str
    name: str
