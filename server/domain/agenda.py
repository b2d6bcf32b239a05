"""Agenda rules: at most one session is live per event.

Functions take the current agenda and return the items that change; the
service persists exactly those and publishes them after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from server.errors import Conflict, NotFound

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
