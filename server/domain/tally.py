"""Counting ballots and reading outcomes off the counts.

`RunningTally` is updated one ballot at a time (a changed vote is a `remove` of
the old ballot and an `add` of the new one) and always equals a tally of the
surviving ballots from scratch. `outcome` turns the counts of option-picking
polls into selections; it reports ties at a cutoff instead of breaking them,
unless the organizers pass an explicit `tiebreak` order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, ClassVar

import orjson

from server.domain.polls import OPTION_KINDS, Ballot, PollSpec
from server.domain.ranked import RankedCount, Rankings, count
from server.domain.ranked_elections import SegmentCount, count_segment
from server.domain.wordcloud import WordCounter

WORD_LIMIT = 60


class RunningTally:
    """Incremental tally of canonical ballots (as returned by `validate_ballot`).

    `add` and `remove` cost O(picks of the ballot); a ranking poll and an stv election also
    keep how many ballots gave each distinct ranking (`rankings()`), for their counts at the
    close. `remove` must only be given a ballot that was added; it raises ValueError,
    changing nothing, when the counts show it cannot have been. Two tallies are equal
    when their specs, their `to_dict()` and their `rankings()` are equal.

    `to_dict()` shape (JSON-able):

    - "ballots": number of ballots counted
    - "counts": {option_id: picks}, every option in option order, zeros included
      ({} for rating and open_text); for ranking, how many ballots ranked it at all
    - "sections" (only when the spec has sections):
      {section_id: {"ballots": ballots with at least one pick in the section,
      "counts": {option_id: picks} for the section's options}}; an stv election adds
      "first": {option_id: ballots ranking it first within the section}
    - rating: "distribution": {"<value>": n} for every value of the scale,
      "mean": float | None, "median": float | None (None when no ballots)
    - ranking: "borda": {option_id: points} (with n options, 1st place earns n-1,
      2nd n-2 ..., unranked options 0), "first": {option_id: first preferences}
    - open_text: "words": [[word, count], ...], at most 60, by count desc then word
    """

    __hash__: ClassVar[None]  # type: ignore[assignment]  # mutable, so unhashable

    def __init__(self, spec: PollSpec) -> None:
        self.spec = spec
        self._ballots = 0
        self._counts = dict.fromkeys(spec.option_ids(), 0)
        self._section_of = spec.section_of()
        self._section_ballots = {s.id: 0 for s in spec.sections}
        self._borda = dict.fromkeys(spec.option_ids(), 0)
        self._first = dict.fromkeys(spec.option_ids(), 0)
        self._distribution = dict.fromkeys(range(spec.scale_min, spec.scale_max + 1), 0)
        self._words = WordCounter()
        self._rankings: Counter[tuple[str, ...]] = Counter()
        self._ranked = spec.kind == "ranking" or (spec.kind == "election" and spec.method == "stv")
        self._section_first = dict.fromkeys(spec.option_ids(), 0)

    @property
    def ballots(self) -> int:
        return self._ballots

    def counts(self) -> dict[str, int]:
        """Picks per option (a copy), every option included."""
        return dict(self._counts)

    def rankings(self) -> Rankings:
        """Ranking polls and stv elections: how many ballots gave each distinct ranking (a copy;
        {} otherwise). An stv election's rankings are whole ballots, every segment's choices."""
        return {ranking: n for ranking, n in self._rankings.items() if n > 0}

    def add(self, ballot: Ballot) -> None:
        self._check_shape(ballot)
        if self.spec.kind == "open_text":
            self._words.add(ballot.text or "")
        self._apply(ballot, 1)

    def remove(self, ballot: Ballot) -> None:
        self._check_shape(ballot)
        self._check_removable(ballot)
        if self.spec.kind == "open_text":
            self._words.remove(ballot.text or "")
        self._apply(ballot, -1)

    def _check_shape(self, ballot: Ballot) -> None:
        # Checked before any mutation so a bad ballot never leaves a half-applied tally.
        kind = self.spec.kind
        if kind in OPTION_KINDS:
            if len(set(ballot.choices)) != len(ballot.choices):
                raise ValueError("ballot repeats a choice")
            # Only multiple/election allow a blank ballot (when every min_picks is 0).
            if not ballot.choices and kind not in ("multiple", "election"):
                raise ValueError("ballot has no choice")
            unknown = [c for c in ballot.choices if c not in self._counts]
            if unknown:
                raise ValueError(f"ballot names unknown option {unknown[0]!r}")
        elif kind == "rating" and ballot.rating not in self._distribution:
            raise ValueError("ballot has no rating within the scale")
        elif kind == "open_text" and ballot.text is None:
            raise ValueError("ballot has no text")

    def _check_removable(self, ballot: Ballot) -> None:
        if self._ballots < 1 or any(self._counts[c] < 1 for c in ballot.choices):
            raise ValueError("remove() of a ballot that was not added")
        if self.spec.kind == "rating" and self._distribution[ballot.rating or 0] < 1:
            raise ValueError("remove() of a ballot that was not added")
        if self._ranked and self._rankings[ballot.choices] < 1:
            raise ValueError("remove() of a ballot that was not added")

    def _apply(self, ballot: Ballot, sign: int) -> None:
        self._ballots += sign
        for choice in ballot.choices:
            self._counts[choice] += sign
        touched = {self._section_of[c] for c in ballot.choices if c in self._section_of}
        for section_id in touched:
            self._section_ballots[section_id] += sign
        if self.spec.kind == "ranking":
            top = len(self.spec.options) - 1
            for place, choice in enumerate(ballot.choices):
                self._borda[choice] += sign * (top - place)
            self._first[ballot.choices[0]] += sign
        if self._ranked:
            self._rankings[ballot.choices] += sign
        if self.spec.kind == "election" and self._ranked:
            # A segment's first preference is the first of the ballot's choices in it.
            for section_id in touched:
                head = next(c for c in ballot.choices if self._section_of.get(c) == section_id)
                self._section_first[head] += sign
        if self.spec.kind == "rating" and ballot.rating is not None:
            self._distribution[ballot.rating] += sign

    def to_dict(self) -> dict[str, Any]:
        """The live result; shape in the class docstring."""
        data: dict[str, Any] = {"ballots": self._ballots, "counts": dict(self._counts)}
        if self.spec.sections:
            data["sections"] = {
                s.id: {
                    "ballots": self._section_ballots[s.id],
                    "counts": {oid: self._counts[oid] for oid in s.option_ids},
                }
                for s in self.spec.sections
            }
            if self.spec.kind == "election" and self._ranked:
                for s in self.spec.sections:
                    data["sections"][s.id]["first"] = {oid: self._section_first[oid] for oid in s.option_ids}
        if self.spec.kind == "rating":
            data["distribution"] = {str(v): n for v, n in self._distribution.items()}
            data["mean"] = _mean(self._distribution)
            data["median"] = _median(self._distribution)
        if self.spec.kind == "ranking":
            data["borda"] = dict(self._borda)
            data["first"] = dict(self._first)
        if self.spec.kind == "open_text":
            data["words"] = [[word, n] for word, n in self._words.top(WORD_LIMIT)]
        return data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunningTally):
            return NotImplemented
        return self.spec == other.spec and self.to_dict() == other.to_dict() and self.rankings() == other.rankings()

    def __repr__(self) -> str:
        return f"RunningTally({self.spec.kind!r}, ballots={self._ballots})"


def _mean(distribution: dict[int, int]) -> float | None:
    total = sum(distribution.values())
    if not total:
        return None
    return sum(value * n for value, n in distribution.items()) / total


def _median(distribution: dict[int, int]) -> float | None:
    total = sum(distribution.values())
    if not total:
        return None
    # The median is the mean of the values at 0-based positions (total-1)//2 and total//2.
    wanted = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value, n in sorted(distribution.items()):
        while len(found) < 2 and wanted[len(found)] < seen + n:
            found.append(value)
        seen += n
    return (found[0] + found[1]) / 2


def tally(spec: PollSpec, ballots: Iterable[Ballot]) -> RunningTally:
    """Tally `ballots` from scratch."""
    running = RunningTally(spec)
    for ballot in ballots:
        running.add(ballot)
    return running


class KeptTally:
    """A poll's tally kept from one recount of its stored ballots to the next.

    A recount reads every stored ballot again (exact whoever wrote them: this process,
    another one, an erasure), but decoding and counting ten thousand ballots four times a
    second is most of a vote burst's event loop. Kept beside the tally is the multiset of
    the ballots' stored texts it counts; `recount` compares the new multiset with it and
    decodes, removes and adds only the texts that differ. After every recount the tally
    equals `tally(spec, ballots)` of exactly the texts given, by construction.
    """

    def __init__(self, spec: PollSpec) -> None:
        self.spec = spec
        self._running = RunningTally(spec)
        self._texts: Counter[str] = Counter()

    def recount(self, texts: Iterable[str]) -> RunningTally:
        """The tally of `texts` (ballots as stored, JSON). The object returned is this kept
        tally's own: read it before the next recount."""
        now = Counter(texts)
        try:
            for text, times in (self._texts - now).items():
                ballot = Ballot.stored(orjson.loads(text))
                for _ in range(times):
                    self._running.remove(ballot)
            for text, times in (now - self._texts).items():
                ballot = Ballot.stored(orjson.loads(text))
                for _ in range(times):
                    self._running.add(ballot)
        except Exception:
            # A stored ballot this spec cannot count: raise as `tally` would, keeping nothing
            # half-applied for the next recount.
            self._running, self._texts = RunningTally(self.spec), Counter()
            raise
        self._texts = now
        return self._running


@dataclass(frozen=True, slots=True)
class SectionOutcome:
    """What a section's counts decide.

    - selected: options clearly within the limit (approved proposals, elected
      candidates), by votes desc, then tiebreak order, then option order
    - alternates: elections only, the next candidates clearly placed as alternates
    - tied: options with equal votes at the cutoff that cannot all fit; never
      broken silently (in option order)
    - open_places: places still to be given to some of `tied` (0 when decided)

    An option with 0 votes is never selected nor an alternate, so places may stay
    empty; empty places are not counted in `open_places`, which only counts places
    awaiting a tie decision. When seats are tied, `alternates` stays empty: the
    losers of the seat tie become the first alternates, so the list is not known yet.
    """

    section_id: str
    title: str
    selected: tuple[str, ...]
    alternates: tuple[str, ...]
    tied: tuple[str, ...]
    open_places: int

    @property
    def decided(self) -> bool:
        return not self.tied

    def to_dict(self) -> dict[str, Any]:
        return {
            "section_id": self.section_id,
            "title": self.title,
            "selected": list(self.selected),
            "alternates": list(self.alternates),
            "tied": list(self.tied),
            "open_places": self.open_places,
        }


def outcome(spec: PollSpec, running: RunningTally, *, tiebreak: Sequence[str] = ()) -> tuple[SectionOutcome, ...]:
    """Selections per section, one `SectionOutcome` each.

    - multiple: per section the top `max_picks` options; without sections one
      pseudo-section "" with the top `max_picks`
    - single: pseudo-section "" with the one winner
    - yes_no_abstain: pseudo-section "" deciding between yes and no only;
      abstentions do not pick a side, so abstain is never the result
    - election: per section the top `seats`, then `alternates` alternates; an stv election
      by its counts per segment (`segment_counts`), where `tiebreak` does not apply either
    - ranking: pseudo-section "" with the winners of the poll's counting method
      (`ranked_count`); `tiebreak` does not apply, a tie stays a tie
    - rating, open_text: () (their tally is the result)

    `tiebreak` is an order the organizers decided (by age, by lot...): among
    options with equal votes, those listed earlier rank first; options not listed
    stay tied with each other. Raises ValueError if `running` tallies another spec.
    """
    if running.spec != spec:
        raise ValueError("the tally belongs to another poll spec")
    counts = running.counts()
    priority = {oid: place for place, oid in enumerate(tiebreak)}
    if spec.kind == "multiple" and spec.sections:
        return tuple(_place(s.id, s.title, s.option_ids, counts, priority, s.max_picks, 0) for s in spec.sections)
    if spec.kind == "multiple":
        return (_place("", "", spec.option_ids(), counts, priority, spec.max_picks, 0),)
    if spec.kind == "single":
        return (_place("", "", spec.option_ids(), counts, priority, 1, 0),)
    if spec.kind == "yes_no_abstain":
        return (_place("", "", ("yes", "no"), counts, priority, 1, 0),)
    if spec.kind == "election" and spec.method == "stv":
        return tuple(
            SectionOutcome(s.id, s.title, c.elected, c.alternates, c.tied, c.open_places)
            for s, c in zip(spec.sections, segment_counts(spec, running), strict=True)
        )
    if spec.kind == "election":
        return tuple(
            _place(s.id, s.title, s.option_ids, counts, priority, s.seats, s.alternates) for s in spec.sections
        )
    if spec.kind == "ranking":
        decided = ranked_count(spec, running)
        return (SectionOutcome("", "", decided.elected, (), decided.tied, decided.open_places),)
    return ()


def ranked_count(spec: PollSpec, running: RunningTally) -> RankedCount:
    """The count of a ranking poll by its method, rounds included (see server.domain.ranked)."""
    if spec.kind != "ranking" or running.spec != spec:
        raise ValueError("a ranked count needs the tally of a ranking poll")
    return count(spec.ranking_method, spec.option_ids(), running.rankings(), spec.seats)


def segment_counts(spec: PollSpec, running: RunningTally) -> tuple[SegmentCount, ...]:
    """The counts of an stv election, one per segment in segment order (server.domain.ranked_elections)."""
    if spec.kind != "election" or spec.method != "stv" or running.spec != spec:
        raise ValueError("segment counts need the tally of an stv election")
    rankings = running.rankings()
    return tuple(count_segment(s.id, s.option_ids, s.seats, s.alternates, rankings) for s in spec.sections)


def _place(
    section_id: str,
    title: str,
    candidates: Sequence[str],
    counts: dict[str, int],
    priority: dict[str, int],
    places: int,
    alternate_places: int,
) -> SectionOutcome:
    """Fill `places` then `alternate_places` from the ranked candidates, stopping at a tie."""
    unlisted = len(priority)

    def rank_key(oid: str) -> tuple[int, int]:
        return (-counts[oid], priority.get(oid, unlisted))

    # sorted() is stable, so candidates equal on rank_key stay in option order.
    ranked = sorted((c for c in candidates if counts[c] > 0), key=rank_key)
    selected: list[str] = []
    alternates: list[str] = []
    for _, grouped in groupby(ranked, key=rank_key):
        group = tuple(grouped)
        if len(selected) < places:
            room = places - len(selected)
            if len(group) > room:
                return SectionOutcome(section_id, title, tuple(selected), (), group, room)
            selected.extend(group)
            continue
        room = places + alternate_places - len(selected) - len(alternates)
        if room <= 0:
            break
        if len(group) > room:
            return SectionOutcome(section_id, title, tuple(selected), tuple(alternates), group, room)
        alternates.extend(group)
    return SectionOutcome(section_id, title, tuple(selected), tuple(alternates), (), 0)
