"""Matching the context lexicons' patterns (moderation/lexicon.py) in normalised text.

The slot terms of every enabled language are compiled into one `TermMatcher`,
so a message is scanned once for all of them. The matcher reports one term per
span, but a span often fills several slots in several languages ("gorilla" is
the English *gorilla* and, letters repeating, the Portuguese *gorila*), so each
hit is then read again against every term: folded, without separators and with
repeated letters collapsed, a hit reads as a term it equals (or, for a prefix
family, starts with). The hits, read as a sequence of slotted words, are
matched against each language's patterns with the word gaps the patterns
allow: a few dozen hits at most, in plain Python.

Two refinements keep hard negatives out:

* sports talk: a threat aimed only at a third-person pronoun ("vamos matar
  eles no segundo tempo", "we'll kill them in the final") does not fire when
  the message holds a sports term of the same language;
* overlaps: when two matches overlap, the first (then the longest) is kept,
  so a message gets one reason per threatening phrase.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .lexicon import ANCHORS, TARGETS, Element, Lexicon, Pattern
from .matcher import TermMatcher
from .normalise import fast_normalise
from .verdict import Verdict
from .wordlist import Entry

_WORD = re.compile(r"\w+")
_RUNS = re.compile(r"(\w)\1+")
_NOT_WORD = re.compile(r"\W+")
SLOT_RULE = "slot"
ANCHOR_RULE = "anchor"


@dataclass(frozen=True, slots=True)
class Finding:
    """A pattern that matched: the rule it reports, "form:lang", and its span in normalised text."""

    rule: str
    detail: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    first_word: int  # index of its first word among the message's words
    after_word: int  # index of the first word after it
    slots: frozenset[str]


def anchor_entries(lexicons: Iterable[Lexicon]) -> list[Entry]:
    """The anchor terms as entries for the moderator's term pattern (rule "anchor", never reported)."""
    return [
        Entry(term, Verdict.ALLOW, slot, lexicon.language, ANCHOR_RULE)
        for lexicon in lexicons
        for slot, term in lexicon.terms
        if slot in ANCHORS
    ]


class Grammar:
    """The patterns of some languages, compiled once; immutable and thread-safe."""

    __slots__ = ("_exact", "_lexicons", "_prefixes", "_slots")

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self._lexicons = tuple(lexicon for lexicon in lexicons if lexicon.patterns)
        entries = [
            Entry(term, Verdict.ALLOW, slot, lexicon.language, SLOT_RULE)
            for lexicon in self._lexicons
            for slot, term in lexicon.terms
        ]
        # Slots are read from plain words: "*" wildcards are for the word lists' evasions.
        self._slots = TermMatcher(entries, wildcards=False)
        self._exact: dict[str, list[Entry]] = {}
        self._prefixes: dict[str, list[tuple[str, Entry]]] = {}  # by the first three letters of the stem
        for entry in entries:
            stem = _folded(entry.term.rstrip("*"))
            if entry.term.endswith("*"):
                self._prefixes.setdefault(stem[:3], []).append((stem, entry))
            else:
                self._exact.setdefault(stem, []).append(entry)

    def _slots_of(self, text: str) -> list[Entry]:
        """Every slot term that reads all of `text` (one hit of the slot matcher, normalised already)."""
        folded = _RUNS.sub(r"\1", _NOT_WORD.sub("", text))
        found = list(self._exact.get(folded, ()))
        found.extend(entry for stem, entry in self._prefixes.get(folded[:3], ()) if folded.startswith(stem))
        return found

    def find(self, normalised: str) -> list[Finding]:
        """Every pattern match in `normalised`, left to right, never overlapping."""
        hits = self._slots.find(normalised)
        if not hits:
            return []
        words = [match.start() for match in _WORD.finditer(normalised)]
        by_language: dict[str, list[_Token]] = {}
        for hit in hits:
            slots: dict[str, set[str]] = {}
            for entry in self._slots_of(normalised[hit.start:hit.end]) or hit.entries:
                slots.setdefault(entry.language, set()).add(entry.category)
            first, after = bisect_left(words, hit.start), bisect_left(words, hit.end)
            for language, found in slots.items():
                token = _Token(hit.start, hit.end, first, after, frozenset(found))
                by_language.setdefault(language, []).append(token)
        found_all: list[tuple[int, int, Finding]] = []
        for lexicon in self._lexicons:
            tokens = by_language.get(lexicon.language)
            if not tokens or not any(token.slots & ANCHORS for token in tokens):
                continue
            present = frozenset().union(*(token.slots for token in tokens))
            sports = "sports" in present
            for pattern in lexicon.patterns:
                needs = lexicon.needs.get(pattern.form)
                if needs is not None and not needs & present:
                    continue
                if lexicon.unless.get(pattern.form, frozenset()) & present:
                    continue
                for used in _matches(pattern.elements, tokens):
                    if sports and _pronoun_only(pattern.elements, used):
                        continue
                    start, end = used[0].start, used[-1].end
                    detail = f"{pattern.form}:{lexicon.language}"
                    found_all.append((start, -end, Finding(pattern.rule, detail, start, end)))
                    break  # the first match of a pattern already holds the message
        found_all.sort(key=lambda item: (item[0], item[1]))
        kept: list[Finding] = []
        for _, _, finding in found_all:
            if all(finding.start >= other.end or finding.end <= other.start for other in kept):
                kept.append(finding)
        return kept


def _folded(text: str) -> str:
    """`text` normalised, separators dropped, repeated letters collapsed: "gorilla" and "gorila"
    are both "gorila", "i'll" and "i ll" both "il"."""
    return _RUNS.sub(r"\1", _NOT_WORD.sub("", fast_normalise(text)))


def _matches(elements: Sequence[Element], tokens: Sequence[_Token]) -> Iterator[list[_Token]]:
    """Token sequences that fill `elements` in order within their gaps, first by start."""
    first = elements[0].slots
    for index, token in enumerate(tokens):
        if token.slots & first:
            found = _extend(elements, tokens, 1, index, [token])
            if found is not None:
                yield found


def _extend(elements: Sequence[Element], tokens: Sequence[_Token], step: int, previous: int,
            used: list[_Token]) -> list[_Token] | None:
    if step == len(elements):
        return used
    element = elements[step]
    after = tokens[previous].after_word
    for index in range(previous + 1, len(tokens)):
        token = tokens[index]
        if token.first_word - after > element.gap:
            break  # tokens are in text order: later ones are further away
        if token.slots & element.slots:
            found = _extend(elements, tokens, step + 1, index, [*used, token])
            if found is not None:
                return found
    return None


def _pronoun_only(elements: Sequence[Element], used: Sequence[_Token]) -> bool:
    """True when the match has targets and every one of them is a third-person pronoun."""
    targets = [token.slots & element.slots & TARGETS for element, token in zip(elements, used, strict=True)
               if element.slots & TARGETS]
    return bool(targets) and all(slots <= {"them"} for slots in targets)


__all__ = ["ANCHOR_RULE", "Finding", "Grammar", "Pattern", "anchor_entries"]
