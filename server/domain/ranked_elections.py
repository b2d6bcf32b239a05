"""Counting a ranked (STV) delegate election, segment by segment.

A ranked election ballot ranks candidates within each segment; a segment's rankings are the
ballot's choices that belong to it, in the ballot's order (server.domain.polls keeps that
order). Each segment is counted on its own:

- titulares: one STV count (Droop quota, Gregory transfers: server.domain.ranked) for the
  segment's seats;
- suplentes, in order: the first suplente is the instant-runoff winner of the same ballots
  with the titulares struck out, the second the winner with the first suplente struck out as
  well, and so on. Each place is one count, so "first suplente" means the candidate most
  preferred by a majority of the remaining preferences, not merely the next one left standing.

A tie in any count stops the segment there and is reported as a tie (which candidates, for how
many places), for the plenária to decide; nothing is drawn by lot. When seats are tied no
suplente is counted: who loses the seat tie changes who the suplentes can be.

Pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from server.domain.ranked import RankedCount, Rankings, count

CountPurpose = Literal["seats", "alternate"]


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """What the counts of one segment decide.

    - elected: titulares in the order STV elected them
    - alternates: suplentes in their order (first suplente first)
    - tied: candidates tied for the `open_places` of the count that stopped (seats or one
      suplente place); () when decided
    - tie_for: "seats" or "alternate" when tied, None otherwise
    - counts: the titulares' count, then one count per suplente place counted
    - first: first preferences within the segment per candidate (what the live bars show)
    """

    section_id: str
    elected: tuple[str, ...]
    alternates: tuple[str, ...]
    tied: tuple[str, ...]
    open_places: int
    tie_for: CountPurpose | None
    counts: tuple[tuple[CountPurpose, RankedCount], ...]
    first: Mapping[str, int]

    @property
    def decided(self) -> bool:
        return not self.tied

    def counts_dict(self) -> list[dict[str, Any]]:
        """Each count as `RankedCount.to_dict()` plus `for` ("seats" | "alternate") and `place`
        (1 for the seats' count, then the suplente place it decides: 1, 2, ...)."""
        out: list[dict[str, Any]] = []
        for index, (purpose, counted) in enumerate(self.counts):
            place = 1 if purpose == "seats" else index
            out.append({"for": purpose, "place": place, **counted.to_dict()})
        return out


def segment_rankings(option_ids: Sequence[str], rankings: Rankings) -> Counter[tuple[str, ...]]:
    """The rankings of one segment: each ballot's choices within `option_ids`, in ballot order.
    Ballots that rank nobody in the segment are left out (a blank for this segment)."""
    inside = frozenset(option_ids)
    per_segment: Counter[tuple[str, ...]] = Counter()
    for ranking, n in rankings.items():
        mine = tuple(c for c in ranking if c in inside)
        if mine and n > 0:
            per_segment[mine] += n
    return per_segment


def count_segment(section_id: str, option_ids: Sequence[str], seats: int, alternates: int,
                  rankings: Rankings) -> SegmentCount:
    """Count one segment's seats by STV, then its suplentes one place at a time (module doc).

    `rankings`: whole ballots (every segment's choices), as RunningTally.rankings() gives them.
    """
    votes = segment_rankings(option_ids, rankings)
    first = dict.fromkeys(option_ids, 0)
    for ranking, n in votes.items():
        first[ranking[0]] += n
    seat_count = count("stv", option_ids, votes, seats)
    counts: list[tuple[CountPurpose, RankedCount]] = [("seats", seat_count)]
    if seat_count.tied:
        return SegmentCount(section_id, seat_count.elected, (), seat_count.tied, seat_count.open_places, "seats",
                            tuple(counts), first)
    struck = list(seat_count.elected)
    chosen: list[str] = []
    for _ in range(alternates):
        remaining = _strike(votes, struck)
        if not remaining:
            break  # nobody left that any ballot ranks: the other suplente places stay empty
        place = count("irv", [c for c in option_ids if c not in struck], remaining)
        counts.append(("alternate", place))
        if place.tied:
            return SegmentCount(section_id, seat_count.elected, tuple(chosen), place.tied, 1, "alternate",
                                tuple(counts), first)
        chosen.extend(place.elected)
        struck.extend(place.elected)
    return SegmentCount(section_id, seat_count.elected, tuple(chosen), (), 0, None, tuple(counts), first)


def _strike(votes: Mapping[tuple[str, ...], int], struck: Sequence[str]) -> Counter[tuple[str, ...]]:
    gone = frozenset(struck)
    left: Counter[tuple[str, ...]] = Counter()
    for ranking, n in votes.items():
        kept = tuple(c for c in ranking if c not in gone)
        if kept:
            left[kept] += n
    return left
