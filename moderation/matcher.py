"""Compile many terms into one regular expression over normalised text.

Terms (bundled or organiser-supplied) are normalised exactly like messages,
split into *atoms* and merged into a trie, which is emitted as a single
regular expression with nested alternations. A message is then scanned once,
in C, whatever the number of terms: at each word start the engine follows at
most one trie branch per letter instead of trying every term.

Atom rules (they are what makes evasion and inflection work):

* the first letter of each word must be literal, so a bare "****" matches
  nothing;
* every letter may repeat (``merdaa`` is ``merda``); a doubled letter in a term
  needs at least two in the text, so "porra" does not match the Polish "pora";
* any later letter may be written as ``*`` in the message ("p*ta", "f**k");
* words of a phrase are separated by any run of non-word characters;
* a term must start and end at a word boundary (the Scunthorpe guard), unless
  it ends with ``*``, which accepts any continuation of the word.

Each term's end is marked by an empty named group, so ``match.lastgroup``
identifies the term that matched without a second lookup.

Two patterns are compiled: one for text without ``*`` (by far the common
case) in which every alternative starts with a literal, letting the regex
engine reject a branch on one character comparison; and one that also accepts
``*`` wildcards, used only when the text contains an asterisk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .normalise import fast_normalise
from .wordlist import Entry

_LETTER = r"[^\W\d_]"
# \b is far cheaper than a lookbehind; "(?<!\*)" keeps "s*cunt" from matching
# at the "c" when wildcards are in play.
_WORD_START = r"\b"
_WORD_START_WILD = r"\b(?<!\*)"
_EXACT_END = r"(?!" + _LETTER + r"|\*)"
_PREFIX_END = r"(?:" + _LETTER + r"|\*)*"
_SEPARATOR = r"[\W_]+"
_ONE_LETTER = r"(?:" + _LETTER + r"|\*)"
_PIECES = re.compile(r"(?P<run>(" + _LETTER + r")\2*)|(?P<star>\*)|(?P<sep>[\W_]+)|(?P<other>.)", re.DOTALL)


def term_atoms(term: str, wildcards: bool = True) -> tuple[tuple[str, ...], bool]:
    """The regex atoms of `term` and whether it is a prefix family.

    With `wildcards` false the atoms do not accept ``*`` for letters (for
    text known to contain none), and each starts with a literal.

    Returns ``((), False)`` for a term with nothing matchable in it.
    """
    stripped = term.strip()
    prefix = stripped.endswith("*")
    normalised = fast_normalise(stripped.rstrip("*").strip())
    # Separators at the edges mean nothing; inner '*' is kept as a wildcard.
    normalised = re.sub(r"^[^\w*]+|[^\w*]+$", "", normalised)
    atoms: list[str] = []
    word_start = True
    for piece in _PIECES.finditer(normalised):
        if piece.group("run") is not None:
            letter = re.escape(piece.group(2))
            count = len(piece.group("run"))
            if word_start or not wildcards:
                atoms.append(letter * count + letter + "*")
            elif count == 1:
                atoms.append(f"(?:{letter}+|\\*)")
            else:
                atoms.append(f"(?:{letter}{{{count},}}|\\*{{1,{count}}})")
            word_start = False
        elif piece.group("star") is not None:
            if word_start:
                continue  # a word may not start with a wildcard
            atoms.append(_ONE_LETTER if wildcards else _LETTER)
        elif piece.group("sep") is not None:
            atoms.append(_SEPARATOR)
            word_start = True
        else:
            atoms.append(re.escape(piece.group("other")))
            word_start = False
    return tuple(atoms), prefix


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    ends: list[tuple[str, str]] = field(default_factory=list)  # (group name, end guard)


def _emit(node: _Node) -> str:
    alternatives = [atom + _emit(child) for atom, child in sorted(node.children.items())]
    # Longer continuations are tried first so phrases beat their first word.
    alternatives.extend(f"(?P<{name}>){guard}" for name, guard in node.ends)
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


@dataclass(frozen=True, slots=True)
class Hit:
    """A match in normalised text and every entry that shares its pattern."""

    start: int
    end: int
    entries: tuple[Entry, ...]


def _compile(keys: Sequence[tuple[tuple[str, ...], bool]], start: str) -> re.Pattern[str] | None:
    root = _Node()
    for index, (atoms, prefix) in enumerate(keys):
        node = root
        for atom in atoms:
            node = node.children.setdefault(atom, _Node())
        node.ends.append((f"t{index}", _PREFIX_END if prefix else _EXACT_END))
    return re.compile(start + _emit(root)) if root.children else None


class TermMatcher:
    """All given entries compiled into one pattern; immutable once built.

    The pattern for text holding ``*`` is compiled on first use: few messages
    need it, and compiling is the costly part of building a matcher. With
    `wildcards` false it is never built and ``*`` in a message matches nothing.
    """

    __slots__ = ("_groups", "_plain", "_wild", "_wild_keys")

    def __init__(self, entries: Iterable[Entry], wildcards: bool = True) -> None:
        by_term: dict[tuple[tuple[str, ...], bool], list[Entry]] = {}
        for entry in entries:
            atoms, prefix = term_atoms(entry.term)
            if atoms:
                by_term.setdefault((atoms, prefix), []).append(entry)
        # Entries that normalise to the same pattern share one group name.
        self._groups = {f"t{index}": tuple(grouped) for index, grouped in enumerate(by_term.values())}
        plain_keys = [term_atoms(entries_[0].term, wildcards=False) for entries_ in by_term.values()]
        self._plain = _compile(plain_keys, _WORD_START)
        self._wild_keys = list(by_term) if wildcards else None
        self._wild: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return self._plain is not None

    def _wildcard_pattern(self) -> re.Pattern[str] | None:
        if self._wild is None and self._wild_keys is not None:
            # Two threads may both compile it: the same immutable pattern either way.
            self._wild = _compile(self._wild_keys, _WORD_START_WILD)
        return self._wild if self._wild_keys is not None else self._plain

    def find(self, normalised: str) -> Sequence[Hit]:
        """Non-overlapping hits in `normalised`, left to right."""
        pattern = self._wildcard_pattern() if "*" in normalised else self._plain
        if pattern is None:
            return ()
        groups = self._groups
        return [
            Hit(match.start(), match.end(), groups[match.lastgroup or ""]) for match in pattern.finditer(normalised)
        ]
