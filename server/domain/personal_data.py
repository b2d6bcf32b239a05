"""What the store holds about one participant, as their export and their erasure read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OwnBallot:
    """One of the participant's ballots in an open (not secret) poll."""

    id: int
    poll_id: int
    ballot: dict[str, Any]
    cast_at: float


@dataclass(frozen=True, slots=True)
class OwnUpvote:
    question_id: int
    at: float


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A command's answer kept for its retries (the command log), which may quote participants."""

    actor: str
    command_id: str
    response: dict[str, Any]
