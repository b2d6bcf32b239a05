"""Election results per segment, and the parity rule between segments.

Conferences elect delegates per segment (e.g. government and civil society) with
parity: the segments compared must have the same number of seats. These helpers
present `outcome()` for the result panel and check parity when organizers create
an election. An stv election's segments carry their counts round by round
(server.domain.ranked_elections); its candidates' `votes` are first preferences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.domain.polls import PollSpec, Section
from server.domain.ranked_elections import SegmentCount
from server.domain.tally import RunningTally, SectionOutcome, outcome, segment_counts
from server.errors import InvalidCommand


def _require_election(spec: PollSpec) -> None:
    if spec.kind != "election":
        raise InvalidCommand("This poll is not an election.", code="not_an_election", kind=spec.kind)


def _section(spec: PollSpec, section_id: str) -> Section:
    for section in spec.sections:
        if section.id == section_id:
            return section
    raise InvalidCommand(f"No segment {section_id!r} in this election.", code="invalid_poll", field="sections")


def _candidates(ids: Sequence[str], names: dict[str, str], counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{"id": oid, "name": names[oid], "votes": counts[oid]} for oid in ids]


def _segment(section: Section, result: SectionOutcome, names: dict[str, str], counts: dict[str, int],
             ranked: SegmentCount | None) -> dict[str, Any]:
    if ranked is not None:
        counts = dict(ranked.first)
    elected = _candidates(result.selected, names, counts)
    return {
        "segment": section.id,
        "title": section.title,
        "seats": section.seats,
        "elected": elected,
        "alternates": _candidates(result.alternates, names, counts),
        "tied": _candidates(result.tied, names, counts),
        "open_places": result.open_places,
        # Seats neither filled nor awaiting a tie decision: too few candidates got votes.
        "vacant_seats": section.seats - len(elected) - _seat_tie(section, result),
        "status": "decided" if result.decided else "tie",
        # stv: what the tie is for ("seats" or "alternate"), and every count with its rounds.
        "tie_for": ranked.tie_for if ranked is not None else ("seats" if _seat_tie(section, result) else
                                                              "alternate" if result.tied else None),
        "counts": ranked.counts_dict() if ranked is not None else [],
    }


def _seat_tie(section: Section, result: SectionOutcome) -> int:
    """Seats awaiting a tie decision (0 when the tie, if any, is among alternates)."""
    return result.open_places if result.tied and len(result.selected) < section.seats else 0


def election_result(spec: PollSpec, running: RunningTally, *, tiebreak: Sequence[str] = ()) -> dict[str, Any]:
    """The election result for the panel.

    Shape: {"method", "ballots", "segments": [{"segment", "title", "seats",
    "elected": [{"id", "name", "votes"}], "alternates": [...], "tied": [...],
    "open_places", "vacant_seats", "status": "decided" | "tie", "tie_for": "seats" | "alternate" | null,
    "counts": [stv only: {"for": "seats" | "alternate", "place", ...RankedCount.to_dict()}]}],
    "parity": {"seats": {segment: seats}, "elected": {segment: n},
    "equal_seats": bool, "equal_elected": bool}}.
    `tiebreak` is passed to `outcome()`. Raises InvalidCommand for a non-election.
    """
    _require_election(spec)
    names = {o.id: o.label for o in spec.options}
    counts = running.counts()
    ranked: list[SegmentCount | None] = [None] * len(spec.sections)
    results: tuple[SectionOutcome, ...]
    if spec.method == "stv":
        # Counted once here (not again through outcome()): each segment's outcome is its counts'.
        counted = segment_counts(spec, running)
        ranked = list(counted)
        results = tuple(SectionOutcome(s.id, s.title, c.elected, c.alternates, c.tied, c.open_places)
                        for s, c in zip(spec.sections, counted, strict=True))
    else:
        results = outcome(spec, running, tiebreak=tiebreak)
    segments = [_segment(s, r, names, counts, c) for s, r, c in zip(spec.sections, results, ranked, strict=True)]
    seats = {s["segment"]: s["seats"] for s in segments}
    elected = {s["segment"]: len(s["elected"]) for s in segments}
    return {
        "method": spec.method,
        "ballots": running.ballots,
        "segments": segments,
        "parity": {
            "seats": seats,
            "elected": elected,
            "equal_seats": len(set(seats.values())) <= 1,
            "equal_elected": len(set(elected.values())) <= 1,
        },
    }


def parity_ok(spec: PollSpec, sections: tuple[str, str]) -> bool:
    """True when the two named segments have the same number of seats.

    Raises InvalidCommand if the spec is not an election or a segment is unknown,
    so a typo in a segment id is not mistaken for a parity failure.
    """
    _require_election(spec)
    first, second = (_section(spec, section_id) for section_id in sections)
    return first.seats == second.seats
