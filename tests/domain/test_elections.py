"""Delegate elections per segment, with parity between government and civil society."""

from __future__ import annotations

from typing import Any

import pytest

from server.domain.elections import election_result, parity_ok
from server.domain.polls import PollSpec, validate_ballot
from server.domain.tally import RunningTally, outcome, tally
from server.errors import InvalidCommand

GOVERNO = [f"g{i}" for i in range(1, 9)]
SOCIEDADE = [f"c{i}" for i in range(1, 9)]


def election(governo_seats: int = 4, method: str = "plurality") -> PollSpec:
    return PollSpec.from_dict(
        {
            "kind": "election",
            "question": "Eleição de delegados",
            "method": method,
            "options": [{"id": oid, "label": f"Nome {oid}"} for oid in GOVERNO + SOCIEDADE],
            "sections": [
                {"id": "governo", "title": "Governo", "option_ids": GOVERNO, "seats": governo_seats, "alternates": 2},
                {
                    "id": "sociedade_civil",
                    "title": "Sociedade civil",
                    "option_ids": SOCIEDADE,
                    "seats": 4,
                    "alternates": 2,
                },
            ],
        }
    )


def cast(spec: PollSpec, votes: dict[str, int]) -> RunningTally:
    """One single-pick ballot per vote, so each candidate gets exactly its number of votes."""
    ballots = [validate_ballot(spec, {"choices": [oid]}) for oid, n in votes.items() for _ in range(n)]
    return tally(spec, ballots)


def segment(result: dict[str, Any], segment_id: str) -> dict[str, Any]:
    return next(s for s in result["segments"] if s["segment"] == segment_id)


def ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


CLEAR = {"g1": 9, "g2": 8, "g3": 7, "g4": 6, "g5": 5, "g6": 4, "g7": 3}


def test_decided_segment_lists_elected_then_alternates() -> None:
    spec = election()
    result = election_result(spec, cast(spec, CLEAR | {"c1": 1}))
    governo = segment(result, "governo")
    assert ids(governo["elected"]) == ["g1", "g2", "g3", "g4"]
    assert governo["elected"][0] == {"id": "g1", "name": "Nome g1", "votes": 9}
    assert ids(governo["alternates"]) == ["g5", "g6"]
    assert (governo["tied"], governo["open_places"], governo["status"]) == ([], 0, "decided")
    civil = segment(result, "sociedade_civil")
    assert ids(civil["elected"]) == ["c1"]
    assert (civil["vacant_seats"], civil["status"]) == (3, "decided")
    assert result["ballots"] == sum(CLEAR.values()) + 1
    assert result["method"] == "plurality"


def test_tie_at_the_fourth_seat_is_reported_not_broken() -> None:
    spec = election()
    votes = {"g1": 9, "g2": 8, "g3": 7, "g4": 5, "g5": 5, "g6": 5, "g7": 1}
    governo = segment(election_result(spec, cast(spec, votes)), "governo")
    assert ids(governo["elected"]) == ["g1", "g2", "g3"]
    assert ids(governo["tied"]) == ["g4", "g5", "g6"]
    assert governo["open_places"] == 1
    assert governo["status"] == "tie"
    assert governo["vacant_seats"] == 0
    # The losers of the seat tie are the first alternates, so none are listed yet.
    assert governo["alternates"] == []


def test_tie_among_alternates_is_reported() -> None:
    spec = election()
    votes = {"c1": 9, "c2": 8, "c3": 7, "c4": 6, "c5": 4, "c6": 3, "c7": 3, "c8": 1}
    civil = segment(election_result(spec, cast(spec, votes)), "sociedade_civil")
    assert ids(civil["elected"]) == ["c1", "c2", "c3", "c4"]
    assert ids(civil["alternates"]) == ["c5"]
    assert ids(civil["tied"]) == ["c6", "c7"]
    assert (civil["open_places"], civil["status"], civil["vacant_seats"]) == (1, "tie", 0)


def test_tie_exactly_filling_the_places_is_no_tie() -> None:
    spec = election()
    votes = {"c1": 5, "c2": 5, "c3": 5, "c4": 5, "c5": 2, "c6": 2, "c7": 1}
    civil = outcome(spec, cast(spec, votes))[1]
    assert civil.selected == ("c1", "c2", "c3", "c4")
    assert civil.alternates == ("c5", "c6")
    assert civil.tied == ()


def test_organizer_tiebreak_resolves_the_tie_explicitly() -> None:
    spec = election()
    votes = {"g1": 9, "g2": 8, "g3": 7, "g4": 5, "g5": 5, "g6": 5, "g7": 1}
    # e.g. the regulation gives the seat to the oldest candidate: g6, then g4, then g5.
    result = election_result(spec, cast(spec, votes), tiebreak=["g6", "g4", "g5"])
    governo = segment(result, "governo")
    assert ids(governo["elected"]) == ["g1", "g2", "g3", "g6"]
    assert ids(governo["alternates"]) == ["g4", "g5"]
    assert governo["status"] == "decided"


def test_parity_block_compares_segments() -> None:
    spec = election()
    votes = CLEAR | {"c1": 3, "c2": 2}
    parity = election_result(spec, cast(spec, votes))["parity"]
    assert parity == {
        "seats": {"governo": 4, "sociedade_civil": 4},
        "elected": {"governo": 4, "sociedade_civil": 2},
        "equal_seats": True,
        "equal_elected": False,
    }


def test_parity_ok() -> None:
    assert parity_ok(election(), ("governo", "sociedade_civil"))
    assert not parity_ok(election(governo_seats=3), ("governo", "sociedade_civil"))
    with pytest.raises(InvalidCommand):
        parity_ok(election(), ("governo", "usuarios"))
    with pytest.raises(InvalidCommand):
        parity_ok(PollSpec.from_dict({"kind": "yes_no_abstain", "question": "?"}), ("a", "b"))


def test_election_result_refuses_other_kinds() -> None:
    spec = PollSpec.from_dict({"kind": "yes_no_abstain", "question": "?"})
    with pytest.raises(InvalidCommand):
        election_result(spec, RunningTally(spec))


def test_approval_ballot_counts_every_approved_candidate() -> None:
    spec = election(method="approval")
    ballot = validate_ballot(spec, {"choices": GOVERNO[:6] + SOCIEDADE})
    result = election_result(spec, tally(spec, [ballot, validate_ballot(spec, {"choices": ["g1"]})]))
    governo = segment(result, "governo")
    assert ids(governo["elected"]) == ["g1"]
    assert ids(governo["tied"]) == ["g2", "g3", "g4", "g5", "g6"]
    assert governo["open_places"] == 3
    civil = segment(result, "sociedade_civil")
    assert civil["status"] == "tie" and civil["open_places"] == 4 and len(civil["tied"]) == 8
