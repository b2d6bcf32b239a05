"""Moderating open-text answers (word clouds): what the cloud may count, and what moderators see.

Pure rules. An answer is moderated as a whole, under its key (`wordcloud.answer_key`:
its words as the cloud reads them), so one decision holds for everyone who wrote the
same thing however they wrote it. The state of answers is kept apart from the
ballots: a decision names a poll and a key, never a voter, so the same rules hold
for open and secret polls and nothing here can link an answer to who gave it.

What an answer's status is (per key):

    published  every text under the key passed the event's rules; no human decided  -> counted
    held       a rule asked for review; no human decided                             -> not counted
    rejected   a rule blocks it (the event's terms changed after it was given)       -> not counted
    approved   a moderator showed it                                                 -> counted
    hidden     a moderator hid it (a held answer rejected, or a shown one hidden)     -> not counted

A new answer the rules block is refused before it is stored (the participant may write
another), so `rejected` only appears when an organizer adds a term afterwards. A hidden
word is dropped from every answer the cloud counts; the answers themselves stay.

The rules' verdict is a pure function of the text and the event's policy, so it is
computed again whenever the cloud is counted, never stored: a term the organizer
blocks during the vote leaves the cloud at the next count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from moderation import Decision, Verdict
from server.domain.wordcloud import answer_key, tokens
from server.errors import Conflict, InvalidCommand

Subject = Literal["answer", "word"]
Action = Literal["approve", "reject", "hide", "show"]
ACTIONS: tuple[Action, ...] = ("approve", "reject", "hide", "show")
PUBLISHED_LIMIT = 100
"""Moderators see every held, blocked or decided answer, and the most given published ones."""


@dataclass(frozen=True, slots=True)
class AnswerDecision:
    """A moderator's decision: show or hide an answer (by key) or a word of a poll."""

    subject: Subject
    key: str
    shown: bool
    by: str
    at: float


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One distinct answer of a poll as moderators see it: its text, how many gave it, never who."""

    poll_id: int
    key: str
    text: str  # the way of writing it the rules objected to most, else the most common one
    count: int
    verdict: Verdict  # the strongest verdict over every text under the key
    reasons: tuple[Mapping[str, Any], ...]  # the rules that fired on `text`, with spans into it
    decision: AnswerDecision | None = None

    @property
    def status(self) -> str:
        if self.decision is not None:
            return "approved" if self.decision.shown else "hidden"
        return {Verdict.ALLOW: "published", Verdict.REVIEW: "held", Verdict.BLOCK: "rejected"}[self.verdict]

    @property
    def shown(self) -> bool:
        return self.status in ("published", "approved")

    def staff(self, at: float) -> dict[str, Any]:
        """The moderator's item (kind "answer"); `at` orders the queue (the poll's opening)."""
        decision = self.decision
        return {
            "id": item_id(self.poll_id, self.key),
            "kind": "answer",
            "poll": self.poll_id,
            "key": self.key,
            "text": self.text,
            "count": self.count,
            "status": self.status,
            "author": None,
            "at": at,
            "verdict": self.verdict.value,
            "reasons": [dict(r) for r in self.reasons],
            "auto_blocked": decision is None and self.verdict is Verdict.BLOCK,
            "decided_by": decision.by if decision is not None else None,
            "decided_at": decision.at if decision is not None else None,
        }


def item_id(poll_id: int, key: str) -> str:
    """The id of an answer item: unique per poll and key, stable across counts."""
    return f"{poll_id}:{key}"


@dataclass(frozen=True, slots=True)
class Screened:
    """The outcome of screening a poll's answers."""

    texts: list[str]  # per ballot, in the given order: what the cloud may count ("" when not shown)
    items: list[AnswerItem]  # every distinct answer, most given first
    hidden_words: frozenset[str]


def screen(
    poll_id: int,
    texts: Sequence[str],
    decisions: Iterable[AnswerDecision],
    check: Callable[[str], Decision],
) -> Screened:
    """Screen the stored answers of one poll.

    `check` is the event's moderation of one text (memoised by the caller: many voters
    write the same thing). Returns per ballot the text the cloud may count (its words
    minus the hidden ones, or "" when the answer is not shown) and the distinct answers.
    """
    answers: dict[str, AnswerDecision] = {}
    hidden: set[str] = set()
    for decision in decisions:
        if decision.subject == "answer":
            answers[decision.key] = decision
        elif not decision.shown:
            hidden.add(decision.key)
    groups: dict[str, dict[str, int]] = {}
    keys = []
    for text in texts:
        key = answer_key(text)
        keys.append(key)
        spellings = groups.setdefault(key, {})
        spellings[text] = spellings.get(text, 0) + 1
    items: dict[str, AnswerItem] = {}
    for key, spellings in groups.items():
        checked = {text: check(text) for text in spellings}
        text = min(spellings, key=lambda t: (-checked[t].verdict.rank, -spellings[t], t))
        found = checked[text]
        items[key] = AnswerItem(
            poll_id, key, text, sum(spellings.values()), found.verdict,
            tuple(reason.to_dict() for reason in found.reasons), answers.get(key),
        )
    frozen = frozenset(hidden)
    counted = [_visible(text, frozen) if items[key].shown else "" for text, key in zip(texts, keys, strict=True)]
    ordered = sorted(items.values(), key=lambda item: (-item.count, item.key))
    return Screened(counted, ordered, frozen)


def _visible(text: str, hidden: frozenset[str]) -> str:
    if not hidden:
        return text
    return " ".join(sorted(tokens(text) - hidden))


def for_moderators(items: Sequence[AnswerItem]) -> list[AnswerItem]:
    """What the console lists: every held, blocked or decided answer and the most given published ones."""
    published = [item for item in items if item.status == "published"][:PUBLISHED_LIMIT]
    return [item for item in items if item.status != "published"] + published


def decide(subject: Subject, key: str, action: Action, current: AnswerDecision | None, by: str,
           now: float) -> AnswerDecision | None:
    """The decision after `action`, or None when nothing changes.

    `approve` and `reject` are the one human decision on an answer nobody decided yet
    (a second moderator gets `already_decided`); `hide` and `show` change any answer
    or word at any time. Words are only hidden or shown.
    """
    if not key:
        raise InvalidCommand("nothing to decide: the answer has no words", code="invalid_field", field="answer")
    if action in ("approve", "reject"):
        if subject == "word":
            raise InvalidCommand("words are hidden or shown", code="invalid_field", field="decision")
        if current is not None:
            raise Conflict(
                f"this answer was already decided by {current.by}", code="already_decided", by=current.by,
                status="approved" if current.shown else "hidden",
            )
        return AnswerDecision(subject, key, action == "approve", by, now)
    shown = action == "show"
    if (current is not None and current.shown == shown) or (current is None and subject == "word" and shown):
        return None
    return AnswerDecision(subject, key, shown, by, now)
