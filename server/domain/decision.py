"""Decision rules: quorum and majority for a vote that adopts or rejects something.

Pure and sans-I/O. One function, `decide`, turns a rule, the counted votes and the
presence snapshot into an outcome (`approved`, `rejected`, `no_quorum`, `tie`) with
the arithmetic behind it; `explain` says it in an event's language. Every vote of
the plenária that decides (a yes/no poll, a destaque, a block approval, a moção)
goes through here, so the same rule always gives the same answer.

A rule is a *majority* over a *base*:

- `simple`: more yes than no (abstentions and blanks do not count against), whatever the base;
- `absolute`: more than half of the base;
- `two_thirds`: at least two thirds of the base;
- `fraction`: at least `numerator/denominator` of the base (any share the organizer sets).

The base is `valid` (yes + no), `cast` (every ballot, abstentions and blanks included),
`present` (voters present when the vote closed) or `entitled` (voters entitled when it closed).
The quorum is a share of the entitled voters that must be present to open the vote and
still present when it closes; below it the outcome is `no_quorum`, whatever the votes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Literal, get_args

from server.errors import InvalidCommand

Majority = Literal["simple", "absolute", "two_thirds", "fraction"]
Base = Literal["valid", "cast", "present", "entitled"]
Verdict = Literal["approved", "rejected", "no_quorum", "tie"]
MAJORITIES: tuple[Majority, ...] = get_args(Majority)
BASES: tuple[Base, ...] = get_args(Base)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
MAX_DENOMINATOR = 100


@dataclass(frozen=True, slots=True)
class DecisionRule:
    """How a vote decides. `numerator/denominator` is the share for `fraction` (ignored
    otherwise); `quorum_numerator/quorum_denominator` the share of the entitled who must be
    present (0/1: no quorum)."""

    majority: Majority = "simple"
    base: Base = "valid"
    numerator: int = 1
    denominator: int = 2
    quorum_numerator: int = 0
    quorum_denominator: int = 1

    @property
    def threshold(self) -> Fraction:
        """The share of the base needed (for `simple`, one half of the valid votes, exceeded)."""
        if self.majority == "two_thirds":
            return Fraction(2, 3)
        if self.majority == "fraction":
            return Fraction(self.numerator, self.denominator)
        return Fraction(1, 2)

    @property
    def strict(self) -> bool:
        """`simple` and `absolute` need more than the share; two thirds and fractions at least it."""
        return self.majority in ("simple", "absolute")

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    def public(self) -> dict[str, Any]:
        return asdict(self)


def rule_from(fields: dict[str, Any]) -> DecisionRule:
    """A rule from its public fields (the `rule` of a command or a stored row).

    Raises InvalidCommand (`invalid_rule`) for an unknown majority or base, a share outside
    (0, 1] for `fraction`, a quorum outside [0, 1], or a denominator above MAX_DENOMINATOR.
    """
    allowed = {"majority", "base", "numerator", "denominator", "quorum_numerator", "quorum_denominator"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidCommand(f"unknown rule fields: {sorted(unknown)}", code="invalid_rule")
    rule = DecisionRule(**fields)
    integers = (rule.numerator, rule.denominator, rule.quorum_numerator, rule.quorum_denominator)
    if rule.majority not in MAJORITIES or rule.base not in BASES:
        raise InvalidCommand("unknown majority or base", code="invalid_rule")
    if not all(type(n) is int for n in integers):
        raise InvalidCommand("a rule's shares are whole numbers", code="invalid_rule")
    if not (0 < rule.denominator <= MAX_DENOMINATOR and 0 < rule.quorum_denominator <= MAX_DENOMINATOR):
        raise InvalidCommand(f"a denominator is between 1 and {MAX_DENOMINATOR}", code="invalid_rule")
    if rule.majority == "fraction" and not 0 < rule.numerator <= rule.denominator:
        raise InvalidCommand("a majority share is above 0 and at most 1", code="invalid_rule")
    if not 0 <= rule.quorum_numerator <= rule.quorum_denominator:
        raise InvalidCommand("a quorum is a share between 0 and 1", code="invalid_rule")
    return rule


@dataclass(frozen=True, slots=True)
class Counts:
    """Ballots of one decision: `blank` are cast but neither yes, no nor abstain."""

    yes: int
    no: int
    abstain: int = 0
    blank: int = 0

    @property
    def valid(self) -> int:
        return self.yes + self.no

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain + self.blank


@dataclass(frozen=True, slots=True)
class Attendance:
    """Voters entitled and present at one moment (a snapshot kept with the result)."""

    entitled: int
    present: int

    def public(self) -> dict[str, int]:
        return {"entitled": self.entitled, "present": self.present}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Attendance taken at a moment (a vote's opening or closing)."""

    attendance: Attendance
    at: float

    def public(self) -> dict[str, float]:
        return {**self.attendance.public(), "at": self.at}


def quorum_needed(rule: DecisionRule, entitled: int) -> int:
    """How many must be present: the quorum share of the entitled, rounded up."""
    return math.ceil(rule.quorum * entitled)


def has_quorum(rule: DecisionRule, presence: Attendance) -> bool:
    return presence.present >= quorum_needed(rule, presence.entitled)


@dataclass(frozen=True, slots=True)
class Decision:
    """An outcome with its arithmetic: `required` yes votes out of `base_value` (the base's
    size), `quorum_required` present out of `closed.entitled`."""

    verdict: Verdict
    rule: DecisionRule
    counts: Counts
    opened: Attendance
    closed: Attendance
    base_value: int
    required: int
    quorum_required: int

    def public(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "rule": self.rule.public(), "counts": asdict(self.counts),
            "valid": self.counts.valid, "cast": self.counts.cast,
            "opened": self.opened.public(), "closed": self.closed.public(),
            "base_value": self.base_value, "required": self.required, "quorum_required": self.quorum_required,
        }


def base_value(rule: DecisionRule, counts: Counts, presence: Attendance) -> int:
    """The size of the rule's base (a simple majority always compares the valid votes)."""
    if rule.majority == "simple":
        return counts.valid
    return {"valid": counts.valid, "cast": counts.cast, "present": presence.present,
            "entitled": presence.entitled}[rule.base]


def required_yes(rule: DecisionRule, counts: Counts, presence: Attendance) -> int:
    """The fewest yes votes that adopt: for `simple`, one more than the no votes (at least one)."""
    if rule.majority == "simple":
        return counts.no + 1
    share = rule.threshold * base_value(rule, counts, presence)
    needed = math.floor(share) + 1 if rule.strict else math.ceil(share)
    return max(needed, 1)


def decide(rule: DecisionRule, counts: Counts, opened: Attendance, closed: Attendance) -> Decision:
    """The outcome of a closed vote.

    `no_quorum` when fewer than the quorum were present at the close (the opening is checked
    with `has_quorum` before the vote opens); otherwise `approved` when yes reaches
    `required_yes`; `tie` when it does not and yes equals no (at least one each side) under a
    rule of one half (simple or absolute), where the chair's tie-break rule applies; else `rejected`.
    """
    required = required_yes(rule, counts, closed)
    quorum = quorum_needed(rule, closed.entitled)
    if closed.present < quorum:
        verdict: Verdict = "no_quorum"
    elif counts.yes >= required:
        verdict = "approved"
    elif counts.yes == counts.no > 0 and rule.threshold == Fraction(1, 2):
        verdict = "tie"
    else:
        verdict = "rejected"
    return Decision(verdict, rule, counts, opened, closed, base_value(rule, counts, closed), required, quorum)


# The outcome as each event language says it (these words go into exports and the overlay too).
VERDICT_LABELS: dict[str, dict[Verdict, str]] = {
    "pt-BR": {"approved": "aprovada", "rejected": "rejeitada", "no_quorum": "sem quórum", "tie": "empate"},
    "pl": {"approved": "przyjęta", "rejected": "odrzucona", "no_quorum": "brak kworum", "tie": "remis"},
    "en": {"approved": "adopted", "rejected": "rejected", "no_quorum": "no quorum", "tie": "tie"},
    "es": {"approved": "aprobada", "rejected": "rechazada", "no_quorum": "sin quórum", "tie": "empate"},
}
_ARITHMETIC: dict[str, str] = {
    "pt-BR": "{yes} sim, {no} não, {abstain} abstenções, {blank} brancos; necessários {required} de {base} "
             "({base_name}); presentes {present} de {entitled}, quórum {quorum}",
    "pl": "{yes} za, {no} przeciw, {abstain} wstrzymujących się, {blank} pustych; wymagane {required} z {base} "
          "({base_name}); obecnych {present} z {entitled}, kworum {quorum}",
    "en": "{yes} yes, {no} no, {abstain} abstentions, {blank} blank; {required} needed of {base} ({base_name}); "
          "{present} present of {entitled}, quorum {quorum}",
    "es": "{yes} sí, {no} no, {abstain} abstenciones, {blank} en blanco; se necesitan {required} de {base} "
          "({base_name}); presentes {present} de {entitled}, quórum {quorum}",
}
_BASE_NAMES: dict[str, dict[Base, str]] = {
    "pt-BR": {"valid": "votos válidos", "cast": "votos dados", "present": "presentes", "entitled": "aptos"},
    "pl": {"valid": "głosy ważne", "cast": "głosy oddane", "present": "obecni", "entitled": "uprawnieni"},
    "en": {"valid": "valid votes", "cast": "votes cast", "present": "present", "entitled": "entitled"},
    "es": {"valid": "votos válidos", "cast": "votos emitidos", "present": "presentes", "entitled": "habilitados"},
}


def language(lang: str) -> str:
    """The label language nearest to an event's (`pt` is pt-BR; anything unknown is English)."""
    if lang in VERDICT_LABELS:
        return lang
    short = lang.split("-")[0].lower()
    return {"pt": "pt-BR", "pl": "pl", "es": "es"}.get(short, "en")


def label(verdict: Verdict, lang: str) -> str:
    return VERDICT_LABELS[language(lang)][verdict]


def explain(decision: Decision, lang: str) -> str:
    """`<label>: <arithmetic>` in `lang`, e.g. `aprovada: 28 sim, 10 não, …`."""
    code = language(lang)
    counts = decision.counts
    base: Base = "valid" if decision.rule.majority == "simple" else decision.rule.base
    text = _ARITHMETIC[code].format(
        yes=counts.yes, no=counts.no, abstain=counts.abstain, blank=counts.blank, required=decision.required,
        base=decision.base_value, base_name=_BASE_NAMES[code][base],
        present=decision.closed.present, entitled=decision.closed.entitled, quorum=decision.quorum_required,
    )
    return f"{label(decision.verdict, code)}: {text}"
