"""Channel names. Every event has a public channel and a staff channel.

Participants subscribe to the public one; staff (moderators, presenters,
organizers) to both. Held chat, the review queue and presence go to staff only.
"""

from __future__ import annotations

from typing import Literal

ChannelKind = Literal["public", "staff"]


def channel(event_id: int, kind: ChannelKind) -> str:
    return f"ev:{event_id}:{kind}"


def parse(name: str) -> tuple[int, ChannelKind] | None:
    """Inverse of `channel`; None for a name that is not one of ours."""
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != "ev" or parts[2] not in ("public", "staff") or not parts[1].isdigit():
        return None
    return int(parts[1]), "public" if parts[2] == "public" else "staff"
