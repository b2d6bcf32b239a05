"""Agenda rules: at most one session is live per event.

Functions take the current agenda and return the items that change; the
service persists exactly those and publishes them after the commit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.errors import Conflict, InvalidCommand, NotFound

SessionStatus = Literal["planned", "live", "ended"]


@dataclass(frozen=True, slots=True)
class AgendaItem:
    id: int
    title: str
    position: int
    status: SessionStatus = "planned"
    description: str = ""
    speakers: str = ""
    starts_at: str = ""  # local wall-clock time as the organizer typed it, e.g. "2026-06-18T07:00"
    started_at: float | None = None
    ended_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "position": self.position,
            "status": self.status,
            "description": self.description,
            "speakers": self.speakers,
            "starts_at": self.starts_at,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(Z|[+-]\d{2}:?\d{2})?$"
)


def normalise_start(value: str, timezone: str) -> str:
    """An agenda `starts_at` as stored: "HH:MM", or "YYYY-MM-DDTHH:MM" in the event's time zone.

    Accepts "9:30", "09:30", "2024-06-13T10:00", "2024-06-13 10:00" (seconds dropped) and an
    ISO date-time with an offset ("...T10:00+02:00", "Z"), which is turned into the event's wall
    time. Refuses anything else ("amanhã de manhã", "25:00", "2024-02-30T10:00") and a wall time
    that does not exist in the event's zone (the hour skipped when clocks go forward), with
    `invalid_time` naming the value and the zone.
    """
    text = value.strip()
    if not text:
        return ""
    zone = _zone(timezone)
    clock = _CLOCK.match(text)
    if clock:
        return f"{int(clock[1]):02d}:{clock[2]}"
    found = _DATE_TIME.match(text)
    if found:
        year, month, day, hour, minute = (int(found[i]) for i in range(1, 6))
        offset = found[7]
        try:
            if offset:
                stamp = datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
                                               f"{'+00:00' if offset == 'Z' else offset}")
                local = stamp.astimezone(zone)
            else:
                local = datetime(year, month, day, hour, minute, tzinfo=zone)
                # A wall time skipped by a clock change does not survive the trip through UTC.
                if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
                    raise ValueError("not a wall time of this zone")
        except ValueError:
            pass
        else:
            return local.strftime("%Y-%m-%dT%H:%M")
    raise InvalidCommand(
        f"{value!r} is not a time: use HH:MM or an ISO date-time (YYYY-MM-DDTHH:MM) in {timezone or 'UTC'}",
        code="invalid_time", field="starts_at", value=value, timezone=timezone or "UTC",
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def live_session(items: Sequence[AgendaItem]) -> AgendaItem | None:
    return next((item for item in items if item.status == "live"), None)


def start_session(items: Sequence[AgendaItem], session_id: int, now: float) -> list[AgendaItem]:
    """Make `session_id` live, ending the one live before it. Returns the changed items.

    Restarting an ended session is allowed (a plenary may resume after lunch);
    starting the session that is already live changes nothing.
    """
    target = _find(items, session_id)
    if target.status == "live":
        return []
    changed: list[AgendaItem] = []
    current = live_session(items)
    if current is not None:
        changed.append(replace(current, status="ended", ended_at=now))
    changed.append(replace(target, status="live", started_at=now, ended_at=None))
    return changed


def end_session(items: Sequence[AgendaItem], session_id: int, now: float) -> list[AgendaItem]:
    """End the live session `session_id`; raises Conflict when it is not live."""
    target = _find(items, session_id)
    if target.status != "live":
        raise Conflict("this session is not live", code="session_not_live")
    return [replace(target, status="ended", ended_at=now)]


def _find(items: Sequence[AgendaItem], session_id: int) -> AgendaItem:
    for item in items:
        if item.id == session_id:
            return item
    raise NotFound("no such session in this event", code="session_not_found")
