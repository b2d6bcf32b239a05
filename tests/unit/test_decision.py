"""Quorum and majority: the pure rule every deciding vote of the plenária goes through."""

from __future__ import annotations

import pytest

from server.domain.decision import (
    Attendance,
    Counts,
    DecisionRule,
    decide,
    explain,
    has_quorum,
    label,
    required_yes,
    rule_from,
)
from server.errors import InvalidCommand

ROOM = Attendance(entitled=40, present=30)


def verdict(rule: DecisionRule, yes: int, no: int, abstain: int = 0, blank: int = 0,
            closed: Attendance = ROOM) -> str:
    return decide(rule, Counts(yes, no, abstain, blank), ROOM, closed).verdict


def test_simple_majority_compares_yes_and_no_only() -> None:
    rule = DecisionRule("simple")
    assert verdict(rule, 5, 4, abstain=20) == "approved"
    assert verdict(rule, 4, 5) == "rejected"
    assert verdict(rule, 6, 6) == "tie"
    assert verdict(rule, 0, 0, abstain=3) == "rejected"  # nobody for it: no tie of zeros


@pytest.mark.parametrize(("base", "needed", "outcome"), [
    ("valid", 11, "approved"), ("cast", 13, "rejected"), ("present", 16, "rejected"), ("entitled", 21, "rejected"),
])
def test_absolute_majority_is_more_than_half_of_the_base(base: str, needed: int, outcome: str) -> None:
    rule = rule_from({"majority": "absolute", "base": base})
    counts = Counts(yes=12, no=8, abstain=4)  # valid 20, cast 24; present 30, entitled 40
    assert required_yes(rule, counts, ROOM) == needed
    assert decide(rule, counts, ROOM, ROOM).verdict == outcome


def test_an_even_split_under_absolute_majority_is_a_tie() -> None:
    assert verdict(rule_from({"majority": "absolute"}), 10, 10) == "tie"


def test_two_thirds_is_at_least_two_thirds() -> None:
    rule = rule_from({"majority": "two_thirds", "base": "present"})  # 30 present: 20 needed
    assert verdict(rule, 20, 0) == "approved"
    assert verdict(rule, 19, 0) == "rejected"
    assert verdict(rule, 10, 10) == "rejected"  # an even split never reaches two thirds: not a tie


def test_any_fraction_with_rounding_up() -> None:
    rule = rule_from({"majority": "fraction", "numerator": 3, "denominator": 5, "base": "entitled"})
    assert required_yes(rule, Counts(0, 0), ROOM) == 24  # 3/5 of 40
    assert required_yes(rule, Counts(0, 0), Attendance(41, 41)) == 25  # 24.6 rounds up


def test_below_quorum_at_the_close_there_is_no_decision() -> None:
    rule = rule_from({"majority": "simple", "quorum_numerator": 1, "quorum_denominator": 2})
    assert has_quorum(rule, Attendance(40, 20)) and not has_quorum(rule, Attendance(41, 20))
    assert verdict(rule, 15, 0, closed=Attendance(40, 19)) == "no_quorum"
    result = decide(rule, Counts(15, 0), Attendance(40, 30), Attendance(40, 20))
    assert result.verdict == "approved"
    assert result.public()["opened"] == {"entitled": 40, "present": 30}
    assert result.public()["closed"] == {"entitled": 40, "present": 20}
    assert result.quorum_required == 20


@pytest.mark.parametrize("fields", [
    {"majority": "most"}, {"base": "room"}, {"majority": "fraction", "numerator": 0},
    {"majority": "fraction", "numerator": 3, "denominator": 2}, {"quorum_numerator": 2, "quorum_denominator": 1},
    {"denominator": 0}, {"quorum_denominator": 1000}, {"numerator": 1.5, "majority": "fraction"}, {"veto": True},
])
def test_bad_rules_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidCommand) as caught:
        rule_from(fields)
    assert caught.value.code == "invalid_rule"


def test_outcome_words_in_each_language() -> None:
    assert [label(v, "pt-BR") for v in ("approved", "rejected", "no_quorum", "tie")] == [
        "aprovada", "rejeitada", "sem quórum", "empate"]
    assert label("approved", "pl") == "przyjęta" and label("approved", "es") == "aprobada"
    assert label("tie", "pt") == "empate" and label("approved", "fr") == "adopted"
    result = decide(rule_from({"majority": "two_thirds"}), Counts(28, 10, 2), ROOM, ROOM)
    assert explain(result, "pt-BR") == ("aprovada: 28 sim, 10 não, 2 abstenções, 0 brancos; necessários 26 de 38 "
                                        "(votos válidos); presentes 30 de 40, quórum 0")
    assert explain(result, "pl").startswith("przyjęta: 28 za, 10 przeciw")
