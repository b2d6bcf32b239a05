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
        return not self.revoked and (self.in_room or (online_allowed and self.online))


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


def attendance(attendees: Iterable[Attendee], online_allowed: bool, segment: str | None = None) -> Attendance:
    """Entitled and present delegates (of `segment`, or all): the snapshot a vote keeps."""
    entitled = present = 0
    for one in attendees:
        if one.revoked or (segment is not None and one.segment != segment):
            continue
        entitled += 1
        present += one.present(online_allowed)
    return Attendance(entitled=entitled, present=present)


def by_segment(attendees: Sequence[Attendee], online_allowed: bool, segments: Sequence[str]) -> dict[str, Any]:
    """What staff screens show: `{total: {...}, segments: [{segment, entitled, present, in_room,
    online}]}` in the event's segment order (delegates without a segment under `""`, last)."""
    order = [*segments, *sorted({a.segment for a in attendees} - set(segments))]
    rows = []
    for segment in order:
        mine = [a for a in attendees if a.segment == segment and not a.revoked]
        if not mine and segment not in segments:
            continue
        rows.append(_counts(mine, online_allowed) | {"segment": segment})
    return {"total": _counts([a for a in attendees if not a.revoked], online_allowed), "segments": rows}


def _counts(attendees: Sequence[Attendee], online_allowed: bool) -> dict[str, int]:
    return {
        "entitled": len(attendees),
        "present": sum(a.present(online_allowed) for a in attendees),
        "in_room": sum(a.in_room for a in attendees),
        "online": sum(a.online and not a.in_room for a in attendees),
    }
