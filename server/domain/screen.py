"""What the presenter puts on the big screen and in the broadcast overlay."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from server.errors import InvalidCommand

# The plenária's panels: `speakers` (ref: the session whose list and speech are shown),
# `destaque` (ref: the proposal ballot whose block or destaque is before the plenária) and
# `mocao` (ref: the moção).
ScreenKind = Literal["none", "session", "poll", "question", "qr", "timer", "message", "speakers", "destaque", "mocao"]
_KINDS: tuple[str, ...] = get_args(ScreenKind)
_NEEDS_REF = ("poll", "question", "speakers", "destaque", "mocao")
MAX_MESSAGE = 280
MAX_TIMER_SECONDS = 6 * 3600


@dataclass(frozen=True, slots=True)
class Screen:
    kind: ScreenKind = "none"
    ref: int | None = None  # the poll, question, session, ballot or moção shown
    text: str = ""  # kind "message": a short notice; kind "timer": its label
    ends_at: float | None = None  # kind "timer": server clock deadline

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "text": self.text, "ends_at": self.ends_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Screen:
        return cls(
            kind=cast(ScreenKind, data.get("kind", "none")),
            ref=data.get("ref"),
            text=str(data.get("text", "")),
            ends_at=data.get("ends_at"),
        )


def choose_screen(
    kind: str, *, ref: int | None, text: str, seconds: int | None, now: float
) -> Screen:
    """Validate a presenter's choice and return the screen; raises InvalidCommand."""
    if kind not in _KINDS:
        raise InvalidCommand(f"unknown screen kind {kind!r}", code="invalid_screen", field="kind")
    if kind in _NEEDS_REF and ref is None:
        raise InvalidCommand(f"screen {kind!r} needs a ref", code="invalid_screen", field="ref")
    if len(text) > MAX_MESSAGE:
        raise InvalidCommand("screen text is too long", code="invalid_screen", field="text")
    if kind == "message" and not text.strip():
        raise InvalidCommand("a message screen needs text", code="invalid_screen", field="text")
    ends_at: float | None = None
    if kind == "timer":
        if seconds is None or not 1 <= seconds <= MAX_TIMER_SECONDS:
            raise InvalidCommand("a timer needs 1 to 21600 seconds", code="invalid_screen", field="seconds")
        ends_at = now + seconds
    return Screen(
        kind=cast(ScreenKind, kind),
        ref=ref if kind in _NEEDS_REF else None,
        text=text.strip(),
        ends_at=ends_at,
    )
