"""A poll as it stands: its spec, clock, who may vote and who sees, and its stored result.

The store's poll repository returns these (server/store/polls.py `Polls`); services read
them and hand changes back to the repository, never holding the table's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.domain.poll_lifecycle import PollClock, PollStatus


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll. `spec` is the stored dict (server.domain.polls.PollSpec.from_dict reads it);
    `result` the final result written when it closed (or was counted), None before."""

    id: int
    event_id: int
    session_id: int | None
    position: int
    spec: dict[str, Any]
    status: PollStatus
    opened_at: float | None
    deadline: float | None
    remaining: float | None
    closed_at: float | None
    visibility: str
    eligibility: str
    secret: bool
    result: dict[str, Any] | None
    created_at: float

    @property
    def clock(self) -> PollClock:
        return PollClock(self.status, self.opened_at, self.deadline, self.remaining, self.closed_at)
