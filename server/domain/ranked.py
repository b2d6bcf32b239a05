"""Counting ranked ballots by instant-runoff, single transferable vote, Schulze or Borda.

The arithmetic is votelib's (PyPI, MIT): its transferable-vote distributor with the Droop
quota and Gregory (fractional, exact) transfers for IRV and STV, its Schulze beatpath
strongest paths; Borda points are a plain sum. This module drives it one count at a time so
the result screen can show every round (totals, who was elected, who was eliminated, what
was transferred), and turns votelib's refusals to break a tie into an explicit tie: the
count stops at that round and names the tied candidates, for the plenária to decide.

`count` is pure: no I/O, no clock, no randomness (votelib's random transferers are not used).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, get_args

import votelib.convert
import votelib.evaluate.condorcet
import votelib.evaluate.core
import votelib.evaluate.sequential

RankedMethod = Literal["borda", "irv", "stv", "schulze"]
RANKED_METHODS: frozenset[str] = frozenset(get_args(RankedMethod))

# A ranking and how many ballots gave exactly it.
Rankings = Mapping[tuple[str, ...], int]


@dataclass(frozen=True, slots=True)
class Round:
    """One count of IRV/STV.

    - totals: votes held by each continuing candidate at the start of the count (fractions
      after a surplus transfer, rounded to 4 decimals for display)
    - exhausted: votes that named no continuing candidate any more
    - elected / eliminated: what this count decided
    - tied: candidates whose equal totals this count could not separate (elimination or a
      seat); the count stops here
    """

    number: int
    totals: Mapping[str, float]
    exhausted: float
    elected: tuple[str, ...]
    eliminated: tuple[str, ...]
    tied: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "totals": dict(self.totals),
            "exhausted": self.exhausted,
            "elected": list(self.elected),
            "eliminated": list(self.eliminated),
            "tied": list(self.tied),
        }


@dataclass(frozen=True, slots=True)
class RankedCount:
    """What a ranked count decides.

    - elected: winners in the order they were elected (Borda and Schulze: by rank)
    - tied: candidates tied for the remaining `open_places`; never broken silently
    - quota: the Droop quota (IRV and STV), None otherwise
    - rounds: the counts of IRV and STV, () for Borda and Schulze
    - order: Borda and Schulze only, every candidate ranked, tied ones sharing a group
    """

    method: RankedMethod
    seats: int
    elected: tuple[str, ...]
    tied: tuple[str, ...]
    open_places: int
    quota: int | None = None
    rounds: tuple[Round, ...] = ()
    order: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "seats": self.seats,
            "elected": list(self.elected),
            "tied": list(self.tied),
            "open_places": self.open_places,
            "quota": self.quota,
            "rounds": [r.to_dict() for r in self.rounds],
            "order": [list(group) for group in self.order],
        }


def count(method: RankedMethod, candidates: Sequence[str], rankings: Rankings, seats: int = 1) -> RankedCount:
    """Count `rankings` (partial rankings allowed, no repeated candidate) for `seats` places.

    IRV is STV with one seat. A candidate nobody ranked is never elected, so places may stay
    empty when fewer candidates were ranked than there are seats. Raises ValueError for an
    unknown method, a seat count below 1, or a ranking naming an unknown candidate.
    """
    if method not in RANKED_METHODS:
        raise ValueError(f"unknown ranked method {method!r}")
    if seats < 1:
        raise ValueError("a count needs at least one seat")
    known = set(candidates)
    votes = {ranking: n for ranking, n in rankings.items() if ranking and n > 0}
    for ranking in votes:
        if not known.issuperset(ranking) or len(set(ranking)) != len(ranking):
            raise ValueError(f"ranking {ranking!r} names an unknown or repeated candidate")
    if method == "irv":
        return _transferable("irv", votes, 1)
    if method == "stv":
        return _transferable("stv", votes, seats)
    scores = _borda_scores(candidates, votes) if method == "borda" else _schulze_scores(votes)
    return _by_score(method, candidates, scores, seats)


def _transferable(method: RankedMethod, votes: dict[tuple[str, ...], int], seats: int) -> RankedCount:
    distributor = votelib.evaluate.sequential.TransferableVoteDistributor(
        transferer="Gregory", quota_function="droop", accept_quota_equal=True
    )
    total = sum(votes.values())
    quota = int(distributor.quota_function(total, seats)) if total else None
    allocation = votelib.evaluate.sequential.initial_allocation(votes, distributor.transferer)
    max_seats = {cand: 1 for cand in allocation if cand is not None}
    elected: list[str] = []
    rounds: list[Round] = []
    while len(elected) < seats:
        totals = _totals(allocation)
        continuing = [c for c in totals if c is not None and c not in elected]
        if not continuing:
            break
        remaining = seats - len(elected)
        number = len(rounds) + 1
        if len(continuing) <= remaining:
            # Fewer hopefuls than places: they are all elected (votelib requires equality).
            newly = _by_total(continuing, totals)
            rounds.append(_round(number, totals, elected, newly, ()))
            elected.extend(newly)
            break
        try:
            new_allocation, gained = distributor.next_count(
                allocation, seats, total, prev_gains=dict.fromkeys(elected, 1), max_seats=max_seats
            )
        except NotImplementedError:
            # votelib met a tie it will not break (for elimination, or among more candidates
            # reaching the quota than places remain): report it and stop counting.
            tied = _tied_at_bottom(continuing, totals) if not _over_quota(continuing, totals, quota) else tuple(
                c for c in continuing if quota is not None and totals[c] >= quota
            )
            rounds.append(_round(number, totals, elected, (), (), tied))
            return RankedCount(method, seats, tuple(elected), tied, remaining, quota, tuple(rounds))
        newly = _by_total([c for c in gained if c is not None], totals)
        after = _totals(new_allocation)
        eliminated = tuple(c for c in continuing if c not in after and c not in newly) if new_allocation else ()
        rounds.append(_round(number, totals, elected, newly, eliminated))
        elected.extend(newly)
        if not new_allocation:
            break
        allocation = new_allocation
    return RankedCount(method, seats, tuple(elected), (), 0, quota, tuple(rounds))


def _totals(allocation: Mapping[Any, Mapping[Any, Any]]) -> dict[Any, Fraction]:
    return {cand: Fraction(sum(votes.values())) for cand, votes in allocation.items()}


def _by_total(cands: Sequence[str], totals: Mapping[Any, Fraction]) -> tuple[str, ...]:
    return tuple(sorted(cands, key=lambda c: -totals.get(c, Fraction(0))))


def _tied_at_bottom(continuing: Sequence[str], totals: Mapping[Any, Fraction]) -> tuple[str, ...]:
    lowest = min(totals[c] for c in continuing)
    return tuple(sorted(c for c in continuing if totals[c] == lowest))


def _over_quota(continuing: Sequence[str], totals: Mapping[Any, Fraction], quota: int | None) -> bool:
    return quota is not None and any(totals[c] >= quota for c in continuing)


def _round(
    number: int,
    totals: Mapping[Any, Fraction],
    elected_before: Sequence[str],
    elected: tuple[str, ...],
    eliminated: tuple[str, ...],
    tied: tuple[str, ...] = (),
) -> Round:
    shown = {
        c: _display(v) for c, v in sorted(totals.items(), key=lambda kv: (-kv[1], str(kv[0])))
        if c is not None and c not in elected_before
    }
    return Round(number, shown, _display(totals.get(None, Fraction(0))), elected, eliminated, tied)


def _display(value: Fraction) -> float:
    return round(float(value), 4)


def _borda_scores(candidates: Sequence[str], votes: Mapping[tuple[str, ...], int]) -> dict[str, Fraction]:
    # Summed here rather than by votelib's positional converter, which reads a str candidate
    # as a set of tied letters. The scale is n-1, n-2, ... 0 over every option offered (not
    # only the ranked ones), as the live tally counts it, so the winner agrees with the bars.
    top = len(candidates) - 1
    scores = dict.fromkeys(candidates, Fraction(0))
    for ranking, n in votes.items():
        for place, cand in enumerate(ranking):
            scores[cand] += (top - place) * n
    return scores


def _schulze_scores(votes: Mapping[tuple[str, ...], int]) -> dict[str, Fraction]:
    pairwise = votelib.convert.RankedToCondorcetVotes(unranked_at_bottom=True).convert(votes)
    paths = votelib.evaluate.condorcet.Schulze.widest_paths(pairwise)
    ranked = {c for ranking in votes for c in ranking}
    # A candidate's score is how many others it beats by strongest path; votelib's own
    # selector orders by this same score.
    scores = dict.fromkeys(ranked, Fraction(0))
    for winner, _loser in votelib.evaluate.condorcet.pairwise_wins(paths):
        scores[winner] += 1
    return scores


def _by_score(method: RankedMethod, candidates: Sequence[str], scores: Mapping[str, Fraction],
              seats: int) -> RankedCount:
    ranked = [c for c in candidates if c in scores]
    levels = sorted({scores[c] for c in ranked}, reverse=True)
    order = tuple(tuple(c for c in ranked if scores[c] == level) for level in levels)
    # Borda: a candidate with no points was ranked by nobody above last place; not elected.
    eligible = [group for group in order if method != "borda" or scores[group[0]] > 0]
    elected: list[str] = []
    for group in eligible:
        room = seats - len(elected)
        if room <= 0:
            break
        if len(group) > room:
            return RankedCount(method, seats, tuple(elected), group, room, order=order)
        elected.extend(group)
    return RankedCount(method, seats, tuple(elected), (), 0, order=order)
