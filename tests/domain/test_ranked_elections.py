"""Ranked (STV) delegate elections: each segment's seats by STV, suplentes in order, ties as ties."""

from __future__ import annotations

from collections import Counter

import pytest
import votelib.evaluate.core
import votelib.evaluate.sequential
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.domain.elections import election_result
from server.domain.polls import Ballot, PollSpec, validate_ballot
from server.domain.ranked import count
from server.domain.ranked_elections import count_segment, segment_rankings
from server.domain.tally import outcome, segment_counts, tally
from server.errors import BallotInvalid, InvalidCommand

A, B, C, D = "andrea", "brad", "carter", "delilah"
GOV = ["g1", "g2", "g3"]


def stv_election(seats: int = 2, alternates: int = 1, gov_seats: int = 1) -> PollSpec:
    return PollSpec.from_dict({
        "kind": "election", "question": "Delegados", "method": "stv",
        "options": [{"id": c, "label": c.title()} for c in [A, B, C, D, *GOV]],
        "sections": [
            {"id": "sociedade", "title": "Sociedade civil", "option_ids": [A, B, C, D], "seats": seats,
             "alternates": alternates},
            {"id": "governo", "title": "Governo", "option_ids": GOV, "seats": gov_seats, "alternates": 1},
        ],
    })


def ballots(profile: dict[tuple[str, ...], int]) -> list[Ballot]:
    return [Ballot(choices=r) for r, n in profile.items() for _ in range(n)]


# Wikipedia, "Counting single transferable votes", section "Example" (Droop quota, 2 seats,
# 57 voters): 16 Andrea>Brad>Carter>Delilah, 24 Andrea>Carter>Brad>Delilah, 17 Delilah>Andrea>
# Brad>Carter. Quota 57/3+1 = 20; Andrea is elected on 40 first preferences, her surplus of 20
# goes 12 to Carter and 8 to Brad (Gregory: 20/40 of each ballot); Brad, lowest, is excluded and
# his 8 go to Carter, who reaches 20 and fills the second seat.
WIKIPEDIA = {(A, B, C, D): 16, (A, C, B, D): 24, (D, A, B, C): 17}


def test_wikipedia_hand_count_elects_andrea_and_carter_round_by_round() -> None:
    spec = stv_election()
    result = election_result(spec, tally(spec, ballots(WIKIPEDIA)))
    society = result["segments"][0]
    assert [c["id"] for c in society["elected"]] == [A, C]
    seats = society["counts"][0]
    assert seats["for"] == "seats" and seats["quota"] == 20
    assert [(r["elected"], r["eliminated"]) for r in seats["rounds"]] == [([A], []), ([], [B]), ([C], [])]
    assert seats["rounds"][1]["totals"] == {D: 17, C: 12, B: 8}
    assert seats["rounds"][2]["totals"] == {C: 20, D: 17}
    # First suplente: with Andrea and Carter struck out, Delilah holds 17 ballots and Brad 40.
    assert [c["id"] for c in society["alternates"]] == [B]
    assert society["counts"][1]["for"] == "alternate" and society["counts"][1]["place"] == 1
    # The votes shown are first preferences within the segment.
    assert {c["id"]: c["votes"] for c in society["elected"]} == {A: 40, C: 0}
    assert society["status"] == "decided" and society["tie_for"] is None
    # Nobody ranked a government candidate: its seat stays vacant, no tie.
    assert result["segments"][1]["elected"] == [] and result["segments"][1]["vacant_seats"] == 1


def test_wikipedia_food_election_within_a_segment() -> None:
    # Wikipedia, "Single transferable vote", worked example (20 voters, 3 seats, quota 6): the
    # same count whether it is a ranking poll or one segment of an election.
    votes = {("orange",): 4, ("pear", "orange"): 2, ("choc", "straw"): 8, ("choc", "bonbon"): 4,
             ("straw",): 1, ("bonbon",): 1}
    food = ["orange", "pear", "choc", "straw", "bonbon"]
    counted = count_segment("food", food, 3, 0, votes)
    assert counted.elected == ("choc", "orange", "straw") and counted.decided
    assert counted.counts[0][1] == count("stv", food, votes, 3)


def test_ballots_rank_within_each_segment_and_keep_their_order() -> None:
    spec = stv_election()
    ballot = validate_ballot(spec, {"choices": ["g2", C, "g1", A]})
    assert ballot.choices == (C, A, "g2", "g1")  # grouped by segment, each in the voter's order
    with pytest.raises(BallotInvalid) as twice:
        validate_ballot(spec, {"choices": [A, A]})
    assert twice.value.code == "duplicate_choice"
    assert validate_ballot(spec, {"choices": []}).choices == ()  # blank in every segment
    assert spec.sections[0].max_picks == 4  # a voter may rank every candidate
    with pytest.raises(InvalidCommand) as limited:
        PollSpec.from_dict({**spec.to_dict(), "sections": [{**spec.to_dict()["sections"][0], "max_picks": 2},
                                                            spec.to_dict()["sections"][1]]})
    assert limited.value.details["rule"] == "approval_max"
    assert PollSpec.from_dict(spec.to_dict()) == spec


def test_a_tie_for_a_seat_is_reported_and_no_suplente_is_counted() -> None:
    spec = stv_election(seats=1)
    running = tally(spec, ballots({(A,): 2, (B,): 2, (C,): 1}))
    society = election_result(spec, running)["segments"][0]
    # Carter is eliminated, then Andrea and Brad stand 2-2 for the one seat.
    assert society["status"] == "tie" and society["tie_for"] == "seats"
    assert sorted(c["id"] for c in society["tied"]) == [A, B] and society["alternates"] == []
    assert society["counts"][0]["rounds"][-1]["tied"] == [A, B]
    (first, _gov) = outcome(spec, running)
    assert first.tied == (A, B) and first.open_places == 1


def test_a_tie_for_a_suplente_place_is_reported_after_the_seats() -> None:
    spec = stv_election(seats=1, alternates=2)
    society = election_result(spec, tally(spec, ballots({(A,): 5, (B,): 2, (C,): 2})))["segments"][0]
    assert [c["id"] for c in society["elected"]] == [A]
    assert society["tie_for"] == "alternate" and sorted(c["id"] for c in society["tied"]) == [B, C]
    assert society["alternates"] == [] and society["open_places"] == 1


def test_changing_a_vote_moves_its_ranking() -> None:
    spec = stv_election()
    running = tally(spec, ballots(WIKIPEDIA))
    running.remove(Ballot(choices=(D, A, B, C)))
    running.add(Ballot(choices=(C, D)))
    assert running.rankings()[(D, A, B, C)] == 16 and running.rankings()[(C, D)] == 1
    firsts = running.to_dict()["sections"]["sociedade"]["first"]
    assert firsts == {A: 40, B: 0, C: 1, D: 16}
    with pytest.raises(ValueError):
        running.remove(Ballot(choices=(B, A)))


def profiles(candidates: list[str]) -> st.SearchStrategy[dict[tuple[str, ...], int]]:
    one = st.permutations(candidates).flatmap(lambda order: st.integers(1, len(order)).map(lambda n: tuple(order[:n])))
    return st.dictionaries(one, st.integers(1, 9), min_size=1, max_size=12)


@settings(max_examples=120, deadline=None)
@given(society=profiles([A, B, C, D]), government=profiles(GOV), seats=st.integers(1, 3))
def test_each_segment_elects_what_votelib_elects(society: dict[tuple[str, ...], int],
                                                  government: dict[tuple[str, ...], int], seats: int) -> None:
    # Whole ballots: a society ranking joined to a government ranking, segment order shuffled.
    whole: Counter[tuple[str, ...]] = Counter()
    for (s, n), (g, m) in zip(society.items(), government.items(), strict=False):
        whole[(*g, *s)] += min(n, m)
    assume(whole)
    spec = stv_election(seats=seats, alternates=1)
    running = tally(spec, [validate_ballot(spec, {"choices": list(r)}) for r, n in whole.items() for _ in range(n)])
    counts = segment_counts(spec, running)
    for section, counted in zip(spec.sections, counts, strict=True):
        votes = segment_rankings(section.option_ids, whole)
        assume(len({c for r in votes for c in r}) > section.seats)
        selector = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop", transferer="Gregory")
        try:
            theirs = selector.evaluate(dict(votes), section.seats)
        except NotImplementedError:
            assert counted.tied and counted.tie_for == "seats"
            continue
        except votelib.evaluate.core.VotingSystemError:
            continue
        assert set(counted.elected) == set(theirs) and counted.tie_for != "seats"
        # The first suplente is the instant-runoff winner once the titulares are struck out.
        rest: Counter[tuple[str, ...]] = Counter()
        for r, n in votes.items():
            kept = tuple(c for c in r if c not in theirs)
            if kept:
                rest[kept] += n
        if not rest:
            assert counted.alternates == ()
            continue
        irv = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop", transferer="Gregory")
        try:
            (suplente,) = irv.evaluate(dict(rest), 1)
        except NotImplementedError:
            assert counted.tie_for == "alternate"
            continue
        except (votelib.evaluate.core.VotingSystemError, ValueError):
            continue
        assert counted.alternates == (suplente,)
