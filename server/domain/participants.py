"""A participant as the store keeps them: anonymous by default, one per device per event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Participant:
    """One participant. `public_id` is what others see of them (never the device); `name` and
    `segment` their optional profile ("" when not given)."""

    id: int
    event_id: int
    public_id: str
    name: str
    segment: str
    created_at: float
