"""Credenciamento: which delegates are present, per segment, and who counts for a vote.

Pure. A delegate is *in the room* once checked in at the door (and until checked out);
a delegate is *online* when a device holds the credential. Both count as present for a
delegates-only vote only as the event allows: in the room always, online only when the
organizer allows online participation. Entitled are the delegates whose credential is not
revoked (of the vote's segment, for a segment's vote).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from server.domain.decision import Attendance
from server.errors import Conflict

CheckAction = Literal["in", "out"]


def counts_as_present(revoked: bool, in_room: bool, online: bool, online_allowed: bool) -> bool:
    """The presence rule: a valid credential, in the room, or online when the event allows it."""
    return not revoked and (in_room or (online_allowed and online))


@dataclass(frozen=True, slots=True)
class Attendee:
    """One delegate as presence sees it."""

    delegate_id: int
    name: str
    segment: str
    revoked: bool
    in_room: bool
    online: bool

    def present(self, online_allowed: bool) -> bool:
        return counts_as_present(self.revoked, self.in_room, self.online, online_allowed)


def check(attendee: Attendee, action: CheckAction) -> bool:
    """Whether the delegate is in the room after `action`; refuses what the door must notice.

    Raises Conflict: `code_revoked` (a revoked credential never checks in), `already_checked_in`
    (someone else may be using this credential), `not_checked_in` (a check-out of nobody).
    """
    if action == "in":
        if attendee.revoked:
            raise Conflict("This credential was revoked.", code="code_revoked")
        if attendee.in_room:
            raise Conflict("This delegate is already checked in.", code="already_checked_in",
                           delegate=attendee.delegate_id)
        return True
    if not attendee.in_room:
        raise Conflict("This delegate is not checked in.", code="not_checked_in", delegate=attendee.delegate_id)
    return False


@dataclass(frozen=True, slots=True)
class Group:
    """`count` delegates alike for presence: what the counts per segment are made of (the store
    counts groups, so a check-in among thousands of credentials does not load them all)."""

    segment: str
    revoked: bool
    in_room: bool
    online: bool
    count: int

    def present(self, online_allowed: bool) -> bool:
        return counts_as_present(self.revoked, self.in_room, self.online, online_allowed)


def attendance(groups: Iterable[Group], online_allowed: bool, segment: str | None = None) -> Attendance:
    """Entitled and present delegates (of `segment`, or all): the snapshot a vote keeps."""
    entitled = present = 0
    for group in groups:
        if group.revoked or (segment is not None and group.segment != segment):
            continue
        entitled += group.count
        present += group.count if group.present(online_allowed) else 0
    return Attendance(entitled=entitled, present=present)


def by_segment(groups: Sequence[Group], online_allowed: bool, segments: Sequence[str]) -> dict[str, Any]:
    """What staff screens show: `{total: {...}, segments: [{segment, entitled, present, in_room,
    online}]}` in the event's segment order (other segments after, in name order)."""
    order = [*segments, *sorted({g.segment for g in groups} - set(segments))]
    rows = []
    for segment in order:
        mine = [g for g in groups if g.segment == segment and not g.revoked]
        if not mine and segment not in segments:
            continue
        rows.append(_counts(mine, online_allowed) | {"segment": segment})
    return {"total": _counts([g for g in groups if not g.revoked], online_allowed), "segments": rows}


def _counts(groups: Sequence[Group], online_allowed: bool) -> dict[str, int]:
    return {
        "entitled": sum(g.count for g in groups),
        "present": sum(g.count for g in groups if g.present(online_allowed)),
        "in_room": sum(g.count for g in groups if g.in_room),
        "online": sum(g.count for g in groups if g.online and not g.in_room),
    }
