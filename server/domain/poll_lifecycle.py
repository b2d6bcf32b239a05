"""A poll's life: draft, open (timed or not), paused, closed, reopened; who may vote; who sees results.

The clock is an argument (`now`, UNIX seconds), never read here. A timed poll
is open while `now < deadline`: a vote at the deadline or after it is refused
even when the task that closes due polls has not run yet (`accepts_votes`).
Pausing keeps the remaining time; resuming starts counting it down again.

Everything here is pure: transitions return a new `PollClock` or raise. A `Poll` is one
poll as the store holds it, a frozen value the poll services read and replace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from server.errors import Conflict, InvalidCommand, PollClosed

PollStatus = Literal["draft", "open", "paused", "closed"]
Visibility = Literal["live", "after_close", "hidden"]

POLL_STATUSES: frozenset[str] = frozenset(get_args(PollStatus))
VISIBILITIES: frozenset[str] = frozenset(get_args(Visibility))
MAX_SECONDS = 24 * 3600
SEGMENT_PREFIX = "segment:"


@dataclass(frozen=True, slots=True)
class PollClock:
    """The timing state of one poll.

    - deadline: server epoch seconds at which an open poll stops accepting votes
      (None: open until closed by hand)
    - remaining: seconds left when paused (None: the paused poll was untimed)
    """

    status: PollStatus = "draft"
    opened_at: float | None = None
    deadline: float | None = None
    remaining: float | None = None
    closed_at: float | None = None

    def accepts_votes(self, now: float) -> bool:
        return self.status == "open" and (self.deadline is None or now < self.deadline)

    def is_due(self, now: float) -> bool:
        """Open, timed, and past its deadline: the closing task should close it."""
        return self.status == "open" and self.deadline is not None and now >= self.deadline

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "opened_at": self.opened_at,
            "deadline": self.deadline,
            "remaining": self.remaining,
            "closed_at": self.closed_at,
        }


@dataclass(frozen=True, slots=True)
class Poll:
    """A poll as stored: its spec (as `PollSpec.to_dict` wrote it), settings, clock and result.

    `result` is the final result, set when the poll closes (a secret poll's once counted)
    and cleared when it reopens.
    """

    id: int
    event_id: int
    spec: dict[str, Any]
    session_id: int | None = None
    position: int = 0
    status: PollStatus = "draft"
    opened_at: float | None = None
    deadline: float | None = None
    remaining: float | None = None
    closed_at: float | None = None
    visibility: Visibility = "live"
    eligibility: str = "everyone"
    secret: bool = False
    result: dict[str, Any] | None = None
    created_at: float = 0.0

    @property
    def clock(self) -> PollClock:
        return PollClock(self.status, self.opened_at, self.deadline, self.remaining, self.closed_at)

    def with_clock(self, clock: PollClock) -> Poll:
        return replace(self, status=clock.status, opened_at=clock.opened_at, deadline=clock.deadline,
                       remaining=clock.remaining, closed_at=clock.closed_at)


def check_seconds(seconds: int | None, field: str = "seconds") -> None:
    if seconds is not None and not 1 <= seconds <= MAX_SECONDS:
        raise InvalidCommand(f"{field} must be between 1 and {MAX_SECONDS}.", code="invalid_field", field=field)


def _expired(clock: PollClock, now: float) -> None:
    if clock.is_due(now):
        raise PollClosed("The poll's time is over.", code="poll_closed")


def open_poll(clock: PollClock, now: float, seconds: int | None) -> PollClock:
    """draft -> open, for `seconds` or until closed."""
    check_seconds(seconds)
    if clock.status != "draft":
        hint = "reopen it" if clock.status == "closed" else "it is already running"
        raise Conflict(f"Only a draft poll can be opened; {hint}.", code="invalid_transition", status=clock.status)
    return PollClock("open", now, None if seconds is None else now + seconds, None, None)


def extend(clock: PollClock, now: float, seconds: int) -> PollClock:
    """Add `seconds` to a running timed poll (open or paused)."""
    check_seconds(seconds)
    _expired(clock, now)
    if clock.status == "open" and clock.deadline is not None:
        return replace(clock, deadline=clock.deadline + seconds)
    if clock.status == "paused" and clock.remaining is not None:
        return replace(clock, remaining=clock.remaining + seconds)
    if clock.status in ("open", "paused"):
        raise Conflict("This poll has no timer; it stays open until closed.", code="not_timed")
    raise Conflict("Only a running poll can be extended.", code="invalid_transition", status=clock.status)


def pause(clock: PollClock, now: float) -> PollClock:
    _expired(clock, now)
    if clock.status != "open":
        raise Conflict("Only an open poll can be paused.", code="invalid_transition", status=clock.status)
    remaining = None if clock.deadline is None else clock.deadline - now
    return replace(clock, status="paused", deadline=None, remaining=remaining)


def resume(clock: PollClock, now: float) -> PollClock:
    if clock.status != "paused":
        raise Conflict("Only a paused poll can be resumed.", code="invalid_transition", status=clock.status)
    deadline = None if clock.remaining is None else now + clock.remaining
    return replace(clock, status="open", deadline=deadline, remaining=None)


def close(clock: PollClock, now: float) -> PollClock:
    """open/paused -> closed. A due poll closes at its deadline, not later."""
    if clock.status not in ("open", "paused"):
        raise Conflict("Only a running poll can be closed.", code="invalid_transition", status=clock.status)
    at = clock.deadline if clock.is_due(now) and clock.deadline is not None else now
    return replace(clock, status="closed", remaining=None, closed_at=at)


def reopen(clock: PollClock, now: float, seconds: int | None) -> PollClock:
    """closed -> open again; ballots already cast stay."""
    check_seconds(seconds)
    if clock.status != "closed":
        raise Conflict("Only a closed poll can be reopened.", code="invalid_transition", status=clock.status)
    opened_at = now if clock.opened_at is None else clock.opened_at
    return PollClock("open", opened_at, None if seconds is None else now + seconds, None, None)


# --- eligibility and visibility --------------------------------------------------------


def check_eligibility(value: str, segments: list[str] | tuple[str, ...]) -> str:
    """`everyone`, `delegates` or `segment:<name>` with a segment of the event; returns it."""
    if value in ("everyone", "delegates"):
        return value
    if value.startswith(SEGMENT_PREFIX) and value[len(SEGMENT_PREFIX):] in segments:
        return value
    raise InvalidCommand(
        "eligibility must be everyone, delegates or segment:<a segment of the event>.",
        code="invalid_field",
        field="eligibility",
    )


def check_visibility(value: str) -> Visibility:
    if value not in VISIBILITIES:
        raise InvalidCommand("visibility must be live, after_close or hidden.", code="invalid_field",
                             field="visibility")
    return value  # type: ignore[return-value]


def may_vote(eligibility: str, *, delegate_segment: str | None, profile_segment: str) -> bool:
    """Whether a voter may vote under `eligibility`.

    `delegate_segment` is the segment of the voter's credential (None: not a
    delegate). For `segment:<name>` a delegate's credential decides; anyone else
    is judged by the segment of their profile (self-declared, so organizers who
    need a verified segment restrict the poll to delegates).
    """
    if eligibility == "everyone":
        return True
    if eligibility == "delegates":
        return delegate_segment is not None
    wanted = eligibility[len(SEGMENT_PREFIX):] if eligibility.startswith(SEGMENT_PREFIX) else None
    segment = delegate_segment if delegate_segment is not None else profile_segment
    return wanted is not None and segment == wanted


def public_sees_tally(visibility: str, status: str) -> bool:
    """Participants see live tallies only for `live` polls; `after_close` results once closed."""
    if visibility == "live":
        return status != "draft"
    return visibility == "after_close" and status == "closed"
