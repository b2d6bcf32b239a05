"""Verdicts, reasons and decisions: the vocabulary every rule speaks.

A rule never decides alone. It reports zero or more `Reason`s, each saying what
that rule on its own asked for; the `Decision` is the strongest of them. The
ordering BLOCK > REVIEW > ALLOW is therefore part of the contract, and
`Verdict` (a `str` enum, so it serialises as "allow"/"review"/"block")
compares by severity rather than alphabetically (a plain `str` comparison
would put "allow" < "block" < "review").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

_RANK = {"allow": 0, "review": 1, "block": 2}


class Verdict(enum.StrEnum):
    """What should happen to a message; ordered ALLOW < REVIEW < BLOCK."""

    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        """0 for ALLOW, 1 for REVIEW, 2 for BLOCK."""
        return _RANK[self.value]

    # str already defines the rich comparisons; override them so that max() and
    # sorting follow severity. Comparisons with anything else are refused.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank >= other.rank

    # Defining comparison dunders does not disturb equality, but it would
    # reset __hash__ to None; keep the enum usable as a dict key.
    __hash__ = str.__hash__


@dataclass(frozen=True, slots=True)
class Reason:
    """Why one rule fired.

    `rule` names the rule (e.g. "wordlist", "link", "flood"), `verdict` is what
    that rule alone asked for, `detail` is a short machine-readable qualifier
    (e.g. "insult:pt", "cpf", "domain:example.com"). `start`/`end` are
    character offsets into the *original* message text (end exclusive), so a
    moderator UI can highlight `text[start:end]`; both are 0 when the rule is
    not about a span (flood, banned, ...).
    """

    rule: str
    verdict: Verdict
    detail: str
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping with the verdict as its string value."""
        return {
            "rule": self.rule,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "start": self.start,
            "end": self.end,
        }


def strongest(reasons: Iterable[Reason]) -> Verdict:
    """The most severe verdict among `reasons`, ALLOW when there are none."""
    best = Verdict.ALLOW
    for reason in reasons:
        if reason.verdict > best:
            best = reason.verdict
    return best


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of moderating one message.

    Invariant: `verdict` is the strongest verdict in `reasons` (ALLOW when
    `reasons` is empty). Use `Decision.of(reasons)` to build one that holds it.
    """

    verdict: Verdict
    reasons: tuple[Reason, ...] = ()

    @classmethod
    def of(cls, reasons: Iterable[Reason]) -> Decision:
        """A decision whose verdict is derived from `reasons`."""
        collected = tuple(reasons)
        return cls(strongest(collected), collected)

    def to_dict(self) -> dict[str, object]:
        """{"verdict": "...", "reasons": [reason.to_dict(), ...]}."""
        return {
            "verdict": self.verdict.value,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }
