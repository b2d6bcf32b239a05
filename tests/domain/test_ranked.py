"""Ranked counts: published hand-counted examples, and agreement with votelib's own results."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
import votelib.component.rankscore
import votelib.convert
import votelib.evaluate.condorcet
import votelib.evaluate.core
import votelib.evaluate.sequential
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.domain.polls import Ballot, PollSpec
from server.domain.ranked import RankedMethod, count
from server.domain.tally import outcome, ranked_count, tally
from server.errors import InvalidCommand

# Wikipedia, "Instant-runoff voting" / "Schulze method": where Tennessee puts its capital.
MEM, NAS, CHA, KNO = "memphis", "nashville", "chattanooga", "knoxville"
TENNESSEE = {(MEM, NAS, CHA, KNO): 42, (NAS, CHA, KNO, MEM): 26, (CHA, KNO, NAS, MEM): 15, (KNO, CHA, NAS, MEM): 17}
CITIES = [MEM, NAS, CHA, KNO]


def test_tennessee_instant_runoff_elects_knoxville_round_by_round() -> None:
    result = count("irv", CITIES, TENNESSEE)
    assert result.elected == (KNO,) and result.tied == () and result.quota == 51
    assert [(r.eliminated, r.elected) for r in result.rounds] == [((CHA,), ()), ((NAS,), ()), ((), (KNO,))]
    assert dict(result.rounds[1].totals) == {MEM: 42, KNO: 32, NAS: 26}
    assert dict(result.rounds[2].totals) == {KNO: 58, MEM: 42}


def test_tennessee_condorcet_and_borda_pick_nashville() -> None:
    schulze = count("schulze", CITIES, TENNESSEE)
    assert schulze.elected == (NAS,)
    assert schulze.order == ((NAS,), (CHA,), (KNO,), (MEM,))
    borda = count("borda", CITIES, TENNESSEE)
    assert borda.elected == (NAS,) and borda.order[0] == (NAS,)


def test_wikipedia_stv_food_election() -> None:
    # Wikipedia, "Single transferable vote", worked example: 20 voters, 3 seats, Droop quota 6.
    votes = {("orange",): 4, ("pear", "orange"): 2, ("choc", "straw"): 8, ("choc", "bonbon"): 4,
             ("straw",): 1, ("bonbon",): 1}
    result = count("stv", ["orange", "pear", "choc", "straw", "bonbon"], votes, seats=3)
    assert result.quota == 6
    assert result.elected == ("choc", "orange", "straw")
    first, second, third = result.rounds[:3]
    assert first.elected == ("choc",)
    # Chocolate's surplus of 6 goes 4 to strawberries and 2 to bonbons (Gregory, exact).
    assert dict(second.totals) == {"straw": 5, "orange": 4, "bonbon": 3, "pear": 2}
    assert second.eliminated == ("pear",)
    assert third.elected == ("orange",)


def test_wikipedia_schulze_example_ranks_e_a_c_b_d() -> None:
    ballots = {tuple("ACBED"): 5, tuple("ADECB"): 5, tuple("BEDAC"): 8, tuple("CABED"): 3, tuple("CAEBD"): 7,
               tuple("CBADE"): 2, tuple("DCEBA"): 7, tuple("EBADC"): 8}
    result = count("schulze", list("ABCDE"), ballots)
    assert result.elected == ("E",)
    assert result.order == (("E",), ("A",), ("C",), ("B",), ("D",))


def test_ties_are_reported_not_broken() -> None:
    elimination = count("irv", ["a", "b", "c"], {("a",): 3, ("b",): 2, ("c",): 2})
    assert elimination.elected == () and elimination.tied == ("b", "c") and elimination.open_places == 1
    assert elimination.rounds[-1].tied == ("b", "c")
    final = count("irv", ["a", "b"], {("a",): 2, ("b",): 2})
    assert final.tied == ("a", "b") and final.elected == ()
    assert count("schulze", ["a", "b"], {("a", "b"): 1, ("b", "a"): 1}).tied == ("a", "b")
    assert count("borda", ["a", "b", "c"], {("a", "b"): 1, ("b", "a"): 1}).tied == ("a", "b")


def test_unranked_candidates_are_never_elected() -> None:
    result = count("stv", ["a", "b", "c", "d"], {("a",): 5}, seats=3)
    assert result.elected == ("a",)
    assert count("borda", ["a", "b", "c"], {}).elected == ()
    assert count("irv", ["a", "b"], {}).elected == ()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        count("irv", ["a"], {("z",): 1})
    with pytest.raises(ValueError):
        count("irv", ["a", "b"], {("a", "a"): 1})
    with pytest.raises(ValueError):
        count("stv", ["a", "b"], {("a",): 1}, seats=0)


def rankings(candidates: list[str]) -> st.SearchStrategy[dict[tuple[str, ...], int]]:
    one = st.permutations(candidates).flatmap(lambda order: st.integers(1, len(order)).map(lambda n: tuple(order[:n])))
    return st.dictionaries(one, st.integers(1, 9), min_size=1, max_size=12)


CANDIDATES = ["a", "b", "c", "d", "e"]


@settings(max_examples=150, deadline=None)
@given(votes=rankings(CANDIDATES), seats=st.integers(1, 3))
def test_transferable_counts_agree_with_votelib(votes: dict[tuple[str, ...], int], seats: int) -> None:
    ranked = {c for r in votes for c in r}
    assume(len(ranked) > seats)
    method: RankedMethod = "irv" if seats == 1 else "stv"
    ours = count(method, CANDIDATES, votes, seats)
    selector = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop", transferer="Gregory")
    try:
        theirs = selector.evaluate(votes, seats)
    except NotImplementedError:
        assert ours.tied  # votelib refuses to break the tie: so do we, and we name it
        return
    except votelib.evaluate.core.VotingSystemError:
        assume(False)
        return
    assert set(ours.elected) == set(theirs) and not ours.tied
    assert sum(1 for r in ours.rounds for _ in r.elected) == len(ours.elected)


@settings(max_examples=150, deadline=None)
@given(votes=rankings(CANDIDATES))
def test_schulze_agrees_with_votelib(votes: dict[tuple[str, ...], int]) -> None:
    # With one candidate ranked votelib has no pair to compare (we elect that candidate).
    assume(len({c for r in votes for c in r}) > 1)
    ours = count("schulze", CANDIDATES, votes)
    pairwise = votelib.convert.RankedToCondorcetVotes(unranked_at_bottom=True).convert(votes)
    picked = votelib.evaluate.condorcet.Schulze().evaluate(pairwise, 1)
    if not picked:  # no beatpath at all (every pair even): votelib names nobody, we name the tie
        assert ours.elected == () and len(ours.tied) > 1
        return
    (theirs,) = picked
    if isinstance(theirs, votelib.evaluate.core.Tie):
        assert set(ours.tied) == set(theirs) and ours.elected == ()
    else:
        assert ours.elected == (theirs,)


@settings(max_examples=100, deadline=None)
@given(votes=st.dictionaries(st.permutations([0, 1, 2, 3]).map(tuple), st.integers(1, 9), min_size=1))
def test_borda_points_agree_with_votelib_and_the_live_tally(votes: dict[tuple[int, ...], int]) -> None:
    # votelib's positional converter reads a str as a set of letters, so it gets int candidates.
    scorer = votelib.component.rankscore.Borda(base=0)
    theirs = votelib.convert.RankedToPositionalVotes(scorer).convert(votes)
    names = {i: f"o{i}" for i in range(4)}
    named = {tuple(names[i] for i in r): n for r, n in votes.items()}
    ours = count("borda", list(names.values()), named)
    best = max(theirs.values())
    top = tuple(sorted(names[i] for i, points in theirs.items() if points == best))
    assert (ours.elected if len(top) == 1 else tuple(sorted(ours.tied))) == top
    spec = PollSpec.from_dict({"kind": "ranking", "question": "?",
                               "options": [{"id": n, "label": n} for n in names.values()]})
    running = tally(spec, [Ballot(choices=r) for r, n in named.items() for _ in range(n)])
    assert running.to_dict()["borda"] == {names[i]: Fraction(theirs[i]) for i in range(4)}


@settings(max_examples=60, deadline=None)
@given(votes=rankings(CANDIDATES), method=st.sampled_from(["irv", "stv", "schulze", "borda"]))
def test_a_ranking_poll_counts_what_its_tally_holds(votes: dict[tuple[str, ...], int], method: str) -> None:
    seats = 2 if method == "stv" else 1
    spec = PollSpec.from_dict({"kind": "ranking", "question": "?", "method": method, "seats": seats,
                               "options": [{"id": c, "label": c.upper()} for c in CANDIDATES]})
    ballots = [Ballot(choices=r) for r, n in votes.items() for _ in range(n)]
    running = tally(spec, ballots)
    assert running.rankings() == Counter(votes)
    decided = ranked_count(spec, running)
    assert decided == count(spec.ranking_method, CANDIDATES, votes, seats)
    (section,) = outcome(spec, running)
    assert (section.selected, section.tied, section.open_places) == (decided.elected, decided.tied,
                                                                     decided.open_places)
    # Removing every ballot again leaves an empty count, as a changed vote would.
    for ballot in ballots:
        running.remove(ballot)
    assert running.rankings() == {} and ranked_count(spec, running).elected == ()


def test_a_schulze_poll_is_bounded_and_stv_seats_need_stv() -> None:
    many = [{"id": f"o{i}", "label": f"O{i}"} for i in range(41)]
    with pytest.raises(InvalidCommand) as refused:
        PollSpec.from_dict({"kind": "ranking", "question": "?", "method": "schulze", "options": many})
    assert refused.value.details == {"field": "options", "rule": "method_options", "limit": 40}
    assert PollSpec.from_dict({"kind": "ranking", "question": "?", "method": "irv", "options": many}).seats == 1
    with pytest.raises(InvalidCommand) as seats:
        PollSpec.from_dict({"kind": "ranking", "question": "?", "method": "borda", "seats": 2, "options": many[:3]})
    assert seats.value.details["rule"] == "seats_need_stv"
