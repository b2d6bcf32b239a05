"""Who may do what: the roles, the groups of them a command names, and the one check.

Which roles may send each websocket command is declared beside the command itself
(`server/web/commands.py`) and checked once, at dispatch, before its schema.
"""

from __future__ import annotations

from typing import Literal

from server.errors import Forbidden

# `checkin`: the door's staff link (credenciamento): it may only check delegates in and out.
Role = Literal["participant", "moderator", "presenter", "organizer", "checkin"]
STAFF_ROLES: tuple[Role, ...] = ("moderator", "presenter", "organizer", "checkin")

PARTICIPANTS: frozenset[Role] = frozenset({"participant"})
MODERATORS: frozenset[Role] = frozenset({"moderator", "organizer"})
PRESENTERS: frozenset[Role] = frozenset({"presenter", "organizer"})
# The check-in link is staff (it joins the staff channel) but runs no staff command but check-in.
STAFF: frozenset[Role] = frozenset({"moderator", "presenter", "organizer"})
DOOR: frozenset[Role] = frozenset({"checkin", "presenter", "organizer"})
ORGANIZERS: frozenset[Role] = frozenset({"organizer"})


def is_staff(role: Role) -> bool:
    return role in STAFF_ROLES


def require(role: Role, allowed: frozenset[Role], command: str) -> None:
    """Raise Forbidden unless `role` is one of `allowed` (the roles `command` names)."""
    if role not in allowed:
        raise Forbidden(f"the {role} role cannot run {command}", code="forbidden", command=command)
