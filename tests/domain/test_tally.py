"""Tallies, outcomes and word counts: examples and properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.polls import Ballot, PollSpec, validate_ballot
from server.domain.tally import KeptTally, RunningTally, SectionOutcome, outcome, tally
from server.domain.wordcloud import WordCounter, tokens, words

# --- strategies -------------------------------------------------------------------------

VOCABULARY = [
    "saúde",
    "Saúde!",
    "educação",
    "que",
    "de",
    "moradia",
    "bem-estar",
    "CRAS",
    "cras,",
    "the",
    "2024",
]


def options(ids: list[str]) -> list[dict[str, str]]:
    return [{"id": oid, "label": oid.upper(), "group": f"Eixo {i % 4 + 1}"} for i, oid in enumerate(ids)]


@st.composite
def specs(draw: st.DrawFn, kinds: tuple[str, ...] | None = None) -> PollSpec:
    """A valid spec of any kind, small enough for ties to be common."""
    kind = draw(
        st.sampled_from(kinds or ("single", "yes_no_abstain", "multiple", "election", "ranking", "rating", "open_text"))
    )
    ids = [f"o{i}" for i in range(draw(st.integers(2, 7)))]
    if kind in ("single", "ranking"):
        return PollSpec.from_dict({"kind": kind, "question": "?", "options": options(ids)})
    if kind == "yes_no_abstain":
        return PollSpec.from_dict({"kind": kind, "question": "?"})
    if kind == "rating":
        low = draw(st.integers(0, 9))
        high = draw(st.integers(low + 1, 10))
        return PollSpec.from_dict({"kind": kind, "question": "?", "scale_min": low, "scale_max": high})
    if kind == "open_text":
        return PollSpec.from_dict({"kind": kind, "question": "?"})
    return draw(sectioned(kind, ids))


@st.composite
def sectioned(draw: st.DrawFn, kind: str, ids: list[str]) -> PollSpec:
    election = kind == "election"
    n_sections = draw(st.integers(1 if election else 0, 3))
    if n_sections == 0:
        high = draw(st.integers(1, len(ids)))
        flat = {"kind": kind, "question": "?", "options": options(ids), "max_picks": high}
        return PollSpec.from_dict(flat | {"min_picks": draw(st.integers(0, high))})
    # Elections put every candidate in a segment; multiple polls may leave some out.
    lowest = 0 if election else -1
    homes = [draw(st.integers(lowest, n_sections - 1)) for _ in ids]
    sections: list[dict[str, Any]] = []
    for index in range(n_sections):
        members = [oid for oid, home in zip(ids, homes, strict=True) if home == index]
        if not members:
            continue
        section: dict[str, Any] = {"id": f"s{index}", "title": f"S{index}", "option_ids": members}
        if election:
            section |= {"seats": draw(st.integers(1, 4)), "alternates": draw(st.integers(0, 2))}
        else:
            section |= {"max_picks": draw(st.integers(1, len(members)))}
        sections.append(section)
    data: dict[str, Any] = {"kind": kind, "question": "?", "options": options(ids), "sections": sections}
    if election:
        data["method"] = draw(st.sampled_from(["plurality", "approval"]))
    elif not sections:
        data = {"kind": kind, "question": "?", "options": options(ids), "max_picks": 1}
    return PollSpec.from_dict(data)


@st.composite
def ballots(draw: st.DrawFn, spec: PollSpec) -> Ballot:
    """A ballot `validate_ballot` accepts for `spec`."""
    ids = list(spec.option_ids())
    raw: dict[str, Any]
    if spec.kind in ("single", "yes_no_abstain"):
        raw = {"choice": draw(st.sampled_from(ids))}
    elif spec.kind == "ranking":
        order = draw(st.permutations(ids))
        raw = {"ranking": order[: draw(st.integers(1, len(order)))]}
    elif spec.kind == "rating":
        raw = {"rating": draw(st.integers(spec.scale_min, spec.scale_max))}
    elif spec.kind == "open_text":
        raw = {"text": " ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=5)))}
    else:
        limits = [(s.option_ids, s.min_picks, s.max_picks) for s in spec.sections]
        limits = limits or [(tuple(ids), spec.min_picks, spec.max_picks)]
        choices: list[str] = []
        for members, low, high in limits:
            choices += draw(st.lists(st.sampled_from(members), min_size=low, max_size=high, unique=True))
        raw = {"choices": choices}
    return validate_ballot(spec, raw)


# --- properties -------------------------------------------------------------------------


@settings(max_examples=200, database=None)
@given(st.data())
def test_running_tally_matches_a_tally_from_scratch(data: st.DataObject) -> None:
    spec = data.draw(specs())
    running = RunningTally(spec)
    alive: list[Ballot] = []
    for _ in range(data.draw(st.integers(0, 25))):
        if data.draw(st.booleans()) and alive:
            # A voter changing an open vote: the old ballot leaves the tally.
            running.remove(alive.pop(data.draw(st.integers(0, len(alive) - 1))))
        else:
            ballot = data.draw(ballots(spec))
            running.add(ballot)
            alive.append(ballot)
    fresh = tally(spec, alive)
    assert running == fresh
    assert running.to_dict() == fresh.to_dict()
    assert running.ballots == len(alive)


KEPT_KINDS = ("single", "yes_no_abstain", "multiple", "election", "ranking", "rating")


@settings(max_examples=200, database=None)
@given(st.data())
def test_a_kept_tally_equals_a_tally_from_scratch_after_every_recount(data: st.DataObject) -> None:
    """Recounts of a store whose ballots come, change, repeat and go (an erasure): after each,
    the kept tally is the tally of exactly the ballots stored."""
    spec = data.draw(specs(KEPT_KINDS))
    kept = KeptTally(spec)
    stored: list[Ballot] = []
    for _ in range(data.draw(st.integers(1, 6))):
        for _ in range(data.draw(st.integers(0, 8))):
            move = data.draw(st.sampled_from(["add", "change", "erase", "repeat"]))
            if move == "add" or not stored:
                stored.append(data.draw(ballots(spec)))
            elif move == "change":
                stored[data.draw(st.integers(0, len(stored) - 1))] = data.draw(ballots(spec))
            elif move == "erase":
                stored.pop(data.draw(st.integers(0, len(stored) - 1)))
            else:  # two voters with the same ballot
                stored.append(stored[data.draw(st.integers(0, len(stored) - 1))])
        texts = [json.dumps(ballot.to_dict()) for ballot in data.draw(st.permutations(stored))]
        running = kept.recount(texts)
        fresh = tally(spec, stored)
        assert running == fresh
        assert running.ballots == len(stored)


def test_a_kept_tally_keeps_nothing_of_a_recount_that_failed() -> None:
    spec = PollSpec.from_dict({"kind": "single", "question": "?", "options": options(["a", "b"])})
    kept = KeptTally(spec)
    good = json.dumps(validate_ballot(spec, {"choice": "a"}).to_dict())
    kept.recount([good])
    with pytest.raises(ValueError):
        kept.recount([good, good, json.dumps({"choices": ["z"]})])  # an option this spec lacks
    assert kept.recount([good]) == tally(spec, [validate_ballot(spec, {"choice": "a"})])


@settings(database=None)
@given(st.data())
def test_section_counts_sum_to_the_picks_made(data: st.DataObject) -> None:
    spec = data.draw(specs(("multiple", "election")))
    cast = data.draw(st.lists(ballots(spec), max_size=20))
    result = tally(spec, cast).to_dict()
    assert set(result["counts"]) == set(spec.option_ids())
    assert sum(result["counts"].values()) == sum(len(b.choices) for b in cast)
    section_of = spec.section_of()
    for section in spec.sections:
        entry = result["sections"][section.id]
        picks = [c for b in cast for c in b.choices if section_of.get(c) == section.id]
        assert sum(entry["counts"].values()) == len(picks)
        assert entry["ballots"] == sum(1 for b in cast if any(section_of.get(c) == section.id for c in b.choices))


def places_of(spec: PollSpec, result: SectionOutcome) -> tuple[tuple[str, ...], int, int]:
    if spec.kind == "yes_no_abstain":
        return ("yes", "no"), 1, 0
    if spec.kind == "single":
        return spec.option_ids(), 1, 0
    if not spec.sections:
        return spec.option_ids(), spec.max_picks, 0
    section = next(s for s in spec.sections if s.id == result.section_id)
    if spec.kind == "election":
        return section.option_ids, section.seats, section.alternates
    return section.option_ids, section.max_picks, 0


@settings(max_examples=300, database=None)
@given(st.data())
def test_outcome_respects_limits_and_reports_every_tie(data: st.DataObject) -> None:
    spec = data.draw(specs(("single", "yes_no_abstain", "multiple", "election")))
    running = tally(spec, data.draw(st.lists(ballots(spec), max_size=12)))
    counts = running.counts()
    for result in outcome(spec, running):
        candidates, seats, alternate_places = places_of(spec, result)
        placed = [*result.selected, *result.alternates, *result.tied]
        assert len(placed) == len(set(placed)) and set(placed) <= set(candidates)
        assert all(counts[oid] > 0 for oid in placed), "a 0-vote option is never placed"
        assert len(result.selected) <= seats and len(result.alternates) <= alternate_places
        votes = [counts[oid] for oid in result.selected]
        assert votes == sorted(votes, reverse=True)
        if result.tied:
            tie_votes = {counts[oid] for oid in result.tied}
            assert len(tie_votes) == 1
            assert 0 < result.open_places < len(result.tied)
            assert all(counts[oid] > min(tie_votes) for oid in [*result.selected, *result.alternates])
            if len(result.selected) < seats:
                assert result.alternates == (), "alternates wait for a seat tie to be resolved"
                assert len(result.selected) + result.open_places == seats
            else:
                assert len(result.alternates) + result.open_places == alternate_places
        else:
            assert result.open_places == 0
        # Nothing at or above the cutoff is silently dropped.
        eligible = [oid for oid in candidates if counts[oid] > 0]
        if not result.tied and len(placed) < seats + alternate_places:
            assert set(placed) == set(eligible)
        if placed:
            cutoff = min(counts[oid] for oid in placed)
            assert {oid for oid in eligible if counts[oid] >= cutoff} <= set(placed)


@settings(database=None)
@given(st.data())
def test_a_full_tiebreak_order_decides_everything(data: st.DataObject) -> None:
    spec = data.draw(specs(("multiple", "election")))
    running = tally(spec, data.draw(st.lists(ballots(spec), max_size=10)))
    order = data.draw(st.permutations(list(spec.option_ids())))
    counts = running.counts()
    for result in outcome(spec, running, tiebreak=order):
        candidates, seats, alternate_places = places_of(spec, result)
        assert result.tied == () and result.open_places == 0
        eligible = sum(1 for oid in candidates if counts[oid] > 0)
        assert len(result.selected) == min(seats, eligible)
        assert len(result.alternates) == min(alternate_places, eligible - len(result.selected))


# --- examples ---------------------------------------------------------------------------


def test_rating_distribution_mean_and_median() -> None:
    spec = PollSpec.from_dict({"kind": "rating", "question": "?", "scale_min": 1, "scale_max": 5})
    result = tally(spec, [Ballot(rating=r) for r in (1, 2, 2, 5)]).to_dict()
    assert result["distribution"] == {"1": 1, "2": 2, "3": 0, "4": 0, "5": 1}
    assert result["mean"] == 2.5
    assert result["median"] == 2.0
    assert result["counts"] == {}
    empty = tally(spec, []).to_dict()
    assert (empty["mean"], empty["median"]) == (None, None)
    assert tally(spec, [Ballot(rating=1), Ballot(rating=4)]).to_dict()["median"] == 2.5


def test_ranking_borda_and_first_preferences() -> None:
    spec = PollSpec.from_dict({"kind": "ranking", "question": "?", "options": options(["a", "b", "c"])})
    result = tally(spec, [Ballot(choices=("b", "a", "c")), Ballot(choices=("a",))]).to_dict()
    assert result["borda"] == {"a": 1 + 2, "b": 2, "c": 0}
    assert result["first"] == {"a": 1, "b": 1, "c": 0}
    assert result["counts"] == {"a": 2, "b": 1, "c": 1}
    # Borda is the default count: the most points wins, nothing is selected without ballots.
    decided = outcome(spec, tally(spec, [Ballot(choices=("b", "a", "c")), Ballot(choices=("a",))]))
    assert decided == (SectionOutcome("", "", ("a",), (), (), 0),)
    assert outcome(spec, tally(spec, [])) == (SectionOutcome("", "", (), (), (), 0),)


def test_open_text_words() -> None:
    spec = PollSpec.from_dict({"kind": "open_text", "question": "?"})
    running = tally(spec, [Ballot(text="Saúde, saúde e moradia"), Ballot(text="SAÚDE para todos")])
    assert running.to_dict()["words"] == [["saúde", 2], ["moradia", 1]]


def test_unsectioned_multiple_has_no_sections_key_and_keeps_zeros() -> None:
    spec = PollSpec.from_dict({"kind": "multiple", "question": "?", "options": options(["a", "b"]), "max_picks": 2})
    result = tally(spec, [Ballot(choices=("a",))]).to_dict()
    assert result == {"ballots": 1, "counts": {"a": 1, "b": 0}}


def test_remove_of_a_ballot_never_added_changes_nothing() -> None:
    spec = PollSpec.from_dict({"kind": "single", "question": "?", "options": options(["a", "b"])})
    running = tally(spec, [Ballot(choices=("a",))])
    before = running.to_dict()
    with pytest.raises(ValueError):
        running.remove(Ballot(choices=("b",)))
    with pytest.raises(ValueError):
        running.add(Ballot(choices=("zzz",)))
    assert running.to_dict() == before


def test_single_winner_and_tie() -> None:
    spec = PollSpec.from_dict({"kind": "single", "question": "?", "options": options(["a", "b", "c"])})
    won = outcome(spec, tally(spec, [Ballot(choices=(c,)) for c in "abb"]))
    assert won == (SectionOutcome("", "", ("b",), (), (), 0),)
    tie = outcome(spec, tally(spec, [Ballot(choices=(c,)) for c in "abc"]))
    assert tie == (SectionOutcome("", "", (), (), ("a", "b", "c"), 1),)


def test_yes_no_abstain_abstentions_never_win() -> None:
    spec = PollSpec.from_dict({"kind": "yes_no_abstain", "question": "?"})
    votes = [Ballot(choices=(c,)) for c in ["abstain"] * 5 + ["yes"] * 2 + ["no"]]
    assert outcome(spec, tally(spec, votes))[0].selected == ("yes",)
    even = [Ballot(choices=(c,)) for c in ["abstain", "yes", "no"]]
    assert outcome(spec, tally(spec, even))[0].tied == ("yes", "no")


def seed_spec() -> PollSpec:
    municipal = [f"m{i}" for i in range(1, 13)]
    return PollSpec.from_dict(
        {
            "kind": "multiple",
            "question": "Propostas",
            "options": options([*municipal, "s1", "s2", "s3", "f1", "f2", "f3"]),
            "sections": [
                {"id": "municipal", "title": "Municipais", "option_ids": municipal, "max_picks": 10},
                {"id": "state", "title": "Estaduais", "option_ids": ["s1", "s2", "s3"], "max_picks": 2},
                {"id": "federal", "title": "Federais", "option_ids": ["f1", "f2", "f3"], "max_picks": 2},
            ],
        }
    )


def test_seed_outcome_selects_per_section_and_reports_ties() -> None:
    spec = seed_spec()
    cast = [
        validate_ballot(spec, {"choices": [f"m{i}" for i in range(1, 11)] + ["s1", "s2", "f1"]}),
        validate_ballot(spec, {"choices": ["m1", "m12", "s1", "s3", "f2"]}),
    ]
    municipal, state, federal = outcome(spec, tally(spec, cast))
    # m1 has 2 votes; m2..m10 and m12 tie with 1 vote for the 9 remaining places.
    assert municipal.selected == ("m1",)
    assert municipal.tied == ("m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m12")
    assert municipal.open_places == 9
    assert (state.selected, state.tied, state.open_places) == (("s1",), ("s2", "s3"), 1)
    assert (federal.selected, federal.tied) == (("f1", "f2"), ())
    assert federal.to_dict() == {
        "section_id": "federal",
        "title": "Federais",
        "selected": ["f1", "f2"],
        "alternates": [],
        "tied": [],
        "open_places": 0,
    }


def test_zero_vote_options_leave_places_empty_without_open_places() -> None:
    spec = seed_spec()
    (municipal, state, federal) = outcome(spec, tally(spec, [validate_ballot(spec, {"choices": ["m3"]})]))
    assert (municipal.selected, municipal.tied, municipal.open_places) == (("m3",), (), 0)
    assert state == SectionOutcome("state", "Estaduais", (), (), (), 0)


def test_outcome_refuses_a_tally_of_another_spec() -> None:
    with pytest.raises(ValueError):
        outcome(seed_spec(), RunningTally(PollSpec.from_dict({"kind": "yes_no_abstain", "question": "?"})))


# --- word cloud -------------------------------------------------------------------------


def test_tokens_fold_strip_and_drop_stopwords() -> None:
    assert tokens("A Saúde, é DIREITO de todos!!! bem-estar… d’água 2024 ok") == {
        "saúde",
        "direito",
        "bem-estar",
        "d'água",
    }
    assert tokens("Nie ma pomocy społecznej bez ludzi") == {"pomocy", "społecznej", "ludzi"}
    assert tokens("the housing and the health") == {"housing", "health"}
    assert tokens("vivienda para todas las familias") == {"vivienda", "familias"}


def test_words_order_and_limit() -> None:
    texts = ["moradia saúde", "saúde", "educação moradia", "saúde"]
    assert words(texts) == [("saúde", 3), ("moradia", 2), ("educação", 1)]
    assert words(texts, limit=1) == [("saúde", 3)]


def test_word_counter_remove_undoes_add() -> None:
    counter = WordCounter()
    counter.add("saúde moradia")
    counter.add("saúde")
    counter.remove("saúde moradia")
    assert counter.top() == [("saúde", 1)]
    with pytest.raises(ValueError):
        counter.remove("moradia")
    assert counter.top() == [("saúde", 1)]
