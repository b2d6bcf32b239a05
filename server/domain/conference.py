"""An event (conferência) and its staff links, as the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One event. `screen` is what its projector shows (server.domain.screen.Screen.from_dict reads
    it); `settings` its organizer's settings (plenary ones: server.domain.plenary_settings)."""

    id: int
    code: str
    title: str
    description: str
    stream_url: str
    default_lang: str
    languages: tuple[str, ...]
    timezone: str
    segments: tuple[str, ...]
    embed_origins: tuple[str, ...]
    organizer_secret_hash: str
    screen: dict[str, Any]
    settings: dict[str, Any]
    created_at: float


@dataclass(frozen=True, slots=True)
class StaffLink:
    """A staff member's link: its role, a label, and whether it was revoked (its secret is stored hashed)."""

    id: int
    event_id: int
    role: str
    label: str
    created_at: float
    revoked_at: float | None

