"""Online presence: the stretches a participant was connected, cut to the sessions' live windows.

Each process knows since when each participant has been connected to it (several tabs on one
process are one stretch: the hub counts connections per participant). The stretches it reports
are cut here to each session's live window; time outside every live session is not kept. The
pieces stored for one (participant, session) may overlap (two tabs on two processes, a piece
written again after a flush that failed half-way): their time is the length of their union, so
nothing counts twice and a repeated write changes nothing.

Pure: no I/O, no clock (`now` arrives from the caller).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Stretch:
    """A participant connected to one process from `start` to `end` (epoch seconds)."""

    event_id: int
    participant_id: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Window:
    """A session's live time; `end` None while it is still live."""

    session_id: int
    start: float
    end: float | None


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a stretch inside one session's live window: what the store keeps."""

    participant_id: int
    session_id: int
    start: float
    end: float


def cut(stretches: Iterable[Stretch], windows: Iterable[Window], now: float) -> list[Piece]:
    """The pieces of `stretches` inside each live window (a window still open runs until `now`).
    A stretch outside every window gives nothing."""
    stretches = list(stretches)
    if not stretches:
        return []
    earliest = min(stretch.start for stretch in stretches)
    # Sessions that ended before every stretch began cut nothing: a long agenda costs nothing per person.
    windows = [w for w in windows if w.end is None or w.end > earliest]
    pieces = []
    for stretch in stretches:
        for window in windows:
            start = max(stretch.start, window.start)
            end = min(stretch.end, window.end if window.end is not None else now)
            if end > start:
                pieces.append(Piece(stretch.participant_id, window.session_id, start, end))
    return pieces


def union_seconds(intervals: Iterable[Interval]) -> float:
    """The length of the union of `intervals` (overlaps count once)."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def seconds_by_session(pieces: Iterable[Piece]) -> dict[int, dict[int, float]]:
    """{participant: {session: seconds connected while it was live}}."""
    grouped: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for piece in pieces:
        grouped[piece.participant_id][piece.session_id].append((piece.start, piece.end))
    return {who: {session: union_seconds(spans) for session, spans in sessions.items()}
            for who, sessions in grouped.items()}


def intervals_of(pieces: Iterable[Piece], participant_id: int) -> list[Interval]:
    return [(piece.start, piece.end) for piece in pieces if piece.participant_id == participant_id]
