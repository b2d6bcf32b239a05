"""An event's plenária settings: online participation and the broadcast delay.

Pure. Kept in the event's `settings` under `plenary`. `online_participation`: delegates
following online (a device holds their credential) count as present for delegates-only
votes. `stream_delay`: the broadcast's delay behind the room, in seconds, as the organizer
sets it; `max_stream_delay`: the most a viewer's own measured delay may add to a vote's
deadline (0: only `stream_delay` applies). See server/domain/stream_delay.py.
`motion_share`: the percentage of the delegates present whose signatures put a moção before
the plenária (1..100, 20 unless set; server/domain/mocoes.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from typing import Any

from server.errors import InvalidCommand

KEY = "plenary"
MAX_DELAY = 120  # seconds: broadcasts run 10-40 s behind; two minutes is far past any real one
DEFAULT_MOTION_SHARE = 20  # percent: the share regimentos of municipal conferences usually ask


@dataclass(frozen=True, slots=True)
class PlenarySettings:
    online_participation: bool = False
    stream_delay: int = 0
    max_stream_delay: int = 0
    motion_share: int = DEFAULT_MOTION_SHARE

    def share(self) -> Fraction:
        """The moção signature threshold as a share of the delegates present."""
        return Fraction(self.motion_share, 100)

    def public(self) -> dict[str, Any]:
        return asdict(self)

    def changed(self, changes: dict[str, Any]) -> PlenarySettings:
        """These settings with `changes` applied; raises InvalidCommand (`invalid_field`) for a
        delay outside 0..MAX_DELAY, a maximum below the organizer's own delay, a moção signature
        share outside 1..100 % and a field it does not have (over HTTP the body comes as sent)."""
        unknown = sorted(set(changes) - set(PlenarySettings.__dataclass_fields__))
        if unknown:
            raise InvalidCommand(f"unknown field {unknown[0]!r}", code="invalid_field", field=unknown[0])
        updated = replace(self, **changes)
        if type(updated.online_participation) is not bool:
            raise InvalidCommand("online_participation is true or false", code="invalid_field",
                                 field="online_participation")
        for name in ("stream_delay", "max_stream_delay"):
            value = getattr(updated, name)
            if type(value) is not int or not 0 <= value <= MAX_DELAY:
                raise InvalidCommand(f"{name} is 0 to {MAX_DELAY} seconds", code="invalid_field", field=name)
        if type(updated.motion_share) is not int or not 1 <= updated.motion_share <= 100:
            raise InvalidCommand("the moção signature share is 1 to 100 %", code="invalid_field",
                                 field="motion_share")
        if updated.max_stream_delay and updated.max_stream_delay < updated.stream_delay:
            raise InvalidCommand("the maximum delay is at least the broadcast delay", code="invalid_field",
                                 field="max_stream_delay")
        return updated


def plenary_settings(event_settings: dict[str, Any] | None) -> PlenarySettings:
    """The plenária settings stored in an event's `settings` (defaults when none)."""
    stored = (event_settings or {}).get(KEY) or {}
    fields = {k: v for k, v in stored.items() if k in PlenarySettings.__dataclass_fields__}
    return PlenarySettings(**fields)
