"""Text normalisation that defeats common evasion while remembering where
every character came from.

The pipeline, in order:

1. *fold* - per character: drop zero-width/format characters and combining
   marks, NFKC (full-width and styled letters become plain ones), casefold,
   strip diacritics (``ą`` -> ``a``, ``ç`` -> ``c``), map letters that have no
   decomposition (``ł`` -> ``l``, ``ø`` -> ``o``...) and a few Cyrillic/Greek
   look-alikes (``а`` -> ``a``).
2. *leet* - in every token (run of letters, digits and ``_ @ $ | !``) where
   such a character touches a letter, ``0 1 3 4 5 7 8 @ $`` become
   ``o i e a s t b a s``; ``!`` and ``|`` become ``i`` only when they sit
   between two letters. So "p0rr4" is "porra", a trailing "!" stays
   punctuation and "2024" stays a number.
3. *join* - runs of single letters are glued: three or more separated by
   whitespace ("m e r d a") or by ``. * - _`` ("m.e.r.d.a", "m*e*r*d*a"), or
   two or more inside one token ("f.d.p"). ``*`` counts as a separator only in
   runs of three or more, so "f**k" keeps its asterisks as wildcards. Only
   *single* letters are joined, so "para cuidar" never turns into "...acu...".
4. *collapse* - a letter repeated three or more times is cut to two
   ("merdaaaa" -> "merdaa"). Two are kept on purpose: the matcher lets every
   letter of a listed term repeat, so "merdaa" still reads as "merda", while
   legitimate doubles stay distinguishable ("porra" is not the Polish "pora",
   "ass" is not "as").

A lone ``*`` between letters ("p*ta") is kept: the matcher treats it as a
wildcard for one letter of a listed term.

`normalise` returns a `Normalised` with the folded text and, for each of its
characters, the index of the original character it came from, so matches
found in normalised space can be highlighted in the original message.
`fast_normalise` produces the identical string without the bookkeeping; the
moderator uses it on the hot path and only pays for offsets when something
matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# Letters with no Unicode decomposition to a base letter, plus look-alikes from
# other scripts that are used to dodge filters ("kurwа" with a Cyrillic а).
_SPECIAL: dict[str, str] = {
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ø": "o",
    "ŧ": "t",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "þ": "th",
    "ŀ": "l",
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ɡ": "g",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
}

# Categories removed outright: combining marks (accents after NFD) and
# format characters (zero-width space/joiners, soft hyphen, bidi marks).
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def _fold_char(char: str) -> str:
    """The folded form of one character ('' when it should disappear)."""
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    out: list[str] = []
    for piece in decomposed:
        if unicodedata.category(piece) in _DROPPED_CATEGORIES:
            continue
        out.append(_SPECIAL.get(piece, piece))
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A `str.translate` table that computes and memoises entries on demand.

    `str.translate` looks code points up with `__getitem__`, so `__missing__`
    lets us fold any character without precomputing all of Unicode. The table
    only ever grows to the set of distinct characters seen, which for chat
    text is small.
    """

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()

_LETTER = r"[^\W\d_]"
_LEET_DIGITS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_LEET_INNER = {"!": "i", "|": "i"}
# A leet character touching a letter: digits, "@" and "$" on either side,
# "!" and "|" only between two letters ("merda!" keeps its exclamation mark).
# Starting with a character class lets the engine skip ahead in C.
_LEET_HINT = re.compile(
    r"[0134578@$!|](?:"
    r"(?<=[0134578@$])(?:(?<=" + _LETTER + r".)|(?=" + _LETTER + r"))"
    r"|(?<=" + _LETTER + r".)(?=" + _LETTER + r"))"
)
_TOKEN_SYMBOLS = frozenset("_@$|!")
# Single letters glued by separators, in three shapes: 3+ letters separated
# by whitespace only ("m e r d a"), 3+ letters separated by punctuation
# . * - _ with optional spaces ("m.e.r.d.a", "m - e - r"), or 2+ letters
# joined by . - _ inside one token ("f.d.p", "c.u"). "*" between just two
# letters, as in "f**k", stays a wildcard. A run never mixes the first two
# shapes, so the article in "é m.e.r.d.a" is not glued onto the word.
# The match deliberately starts at the first *separator* (the first letter is
# checked by the lookbehind and added back by the caller): a pattern that
# begins with a character class lets the regex engine skip ahead in C to the
# next candidate, roughly halving the cost on ordinary text.
_SINGLE = _LETTER + r"(?!" + _LETTER + r")"
_PUNCT_SEP = r"\s*[.*_-][\s.*_-]*"
_JOIN = re.compile(
    r"[\s.*_-](?<=(?<![\w*])" + _LETTER + r".)(?:"
    r"(?:(?<=[.*_-])[\s.*_-]*|(?<=\s)" + _PUNCT_SEP + r")" + _SINGLE + r"(?:" + _PUNCT_SEP + _SINGLE + r")+"
    r"|(?<=\s)\s*" + _SINGLE + r"(?:\s+" + _SINGLE + r")+"
    r"|(?<=[._-])[._-]*" + _SINGLE + r"(?:[._-]+" + _SINGLE + r")*"
    r")"
)
# Any character repeated 3+ times; only letter runs are collapsed. Matching
# any character is several times faster than a letter class with a
# back-reference ("\1\1+" is also twice as fast as "\1{2,}"), and non-letter
# runs ("!!!") are rare enough to skip in Python.
_COLLAPSE = re.compile(r"(.)\1\1+", re.DOTALL)

# (start, end, replacement, source indices of each replacement character)
_Edit = tuple[int, int, str, Sequence[int]]


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised text and its mapping back to the original.

    `offsets[i]` is the index in `original` of the character that produced
    `text[i]`; `len(offsets) == len(text)` always holds.
    """

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised slice ``text[start:end]`` to an original span.

        The result covers every original character that contributed, including
        trailing combining accents and zero-width characters, so highlighting
        ``original[a:b]`` shows the whole offending fragment. An empty slice
        maps to an empty span at the corresponding position.
        """
        if not self.offsets:
            return (0, 0)
        start = max(0, min(start, len(self.offsets)))
        end = max(start, min(end, len(self.offsets)))
        if start == end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return (pos, pos)
        first = self.offsets[start]
        # Everything up to the next kept character belongs to the fragment:
        # dropped accents and zero-width characters, and letters removed by
        # collapsing ("merdaaaa" highlights all four a's).
        following = self.offsets[end] if end < len(self.offsets) else len(self.original)
        return (first, max(following, self.offsets[end - 1] + 1))


def _apply(text: str, offsets: list[int] | None, edits: Iterable[_Edit]) -> tuple[str, list[int] | None]:
    """Apply non-overlapping, ordered edits; carry offsets along if tracked."""
    pieces: list[str] = []
    new_offsets: list[int] | None = [] if offsets is not None else None
    pos = 0
    changed = False
    for start, end, replacement, sources in edits:
        changed = True
        pieces.append(text[pos:start])
        pieces.append(replacement)
        if offsets is not None and new_offsets is not None:
            new_offsets.extend(offsets[pos:start])
            new_offsets.extend(offsets[i] for i in sources)
        pos = end
    if not changed:
        return text, offsets
    pieces.append(text[pos:])
    if offsets is not None and new_offsets is not None:
        new_offsets.extend(offsets[pos:])
    return "".join(pieces), new_offsets


def _is_token_char(char: str) -> bool:
    return char.isalnum() or char in _TOKEN_SYMBOLS


def _leet_edits(text: str) -> Iterator[_Edit]:
    done = 0
    for hint in _LEET_HINT.finditer(text):
        if hint.start() < done:
            continue  # already rewritten as part of an earlier token
        # Rare path (a leet character next to a letter): widen to the token.
        start = hint.start()
        while start > 0 and _is_token_char(text[start - 1]):
            start -= 1
        end = hint.end()
        while end < len(text) and _is_token_char(text[end]):
            end += 1
        done = end
        chars = [_LEET_DIGITS.get(c, c) for c in text[start:end]]
        for i, c in enumerate(chars):
            if c in _LEET_INNER and 0 < i < len(chars) - 1 and chars[i - 1].isalpha() and chars[i + 1].isalpha():
                chars[i] = _LEET_INNER[c]
        replacement = "".join(chars)
        if replacement != text[start:end]:
            yield (start, end, replacement, range(start, end))


def _join_edits(text: str) -> Iterator[_Edit]:
    for match in _JOIN.finditer(text):
        start = match.start() - 1  # the first letter precedes the match
        kept = [i for i in range(start, match.end()) if text[i].isalpha()]
        yield (start, match.end(), "".join(text[i] for i in kept), kept)


def _collapse_edits(text: str) -> Iterator[_Edit]:
    for match in _COLLAPSE.finditer(text):
        if match.group(1).isalpha():
            start = match.start()
            yield (start, match.end(), match.group()[:2], (start, start + 1))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(text: str, track: bool) -> tuple[str, list[int] | None]:
    if text.isascii():
        # casefold() == lower() on ASCII and nothing is dropped or expanded.
        return text.lower(), (list(range(len(text))) if track else None)
    table = _FOLD
    folded = text.translate(table)
    if not track:
        return folded, None
    # Precomposed letters (ą, ç, ł) fold to exactly one character, so the
    # offsets are the identity unless some character was dropped or expanded;
    # only non-ASCII characters can be, and only they are inspected.
    if all(len(table[ord(m.group())]) == 1 for m in _NON_ASCII.finditer(text)):
        return folded, list(range(len(text)))
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(table[ord(char)]))
    return folded, offsets


def _pipeline(text: str, track: bool) -> tuple[str, list[int] | None]:
    folded, offsets = _fold(text, track)
    folded, offsets = _apply(folded, offsets, _leet_edits(folded))
    folded, offsets = _apply(folded, offsets, _join_edits(folded))
    folded, offsets = _apply(folded, offsets, _collapse_edits(folded))
    return folded, offsets


def fast_normalise(text: str) -> str:
    """Exactly ``normalise(text).text``, without computing offsets."""
    return _pipeline(text, track=False)[0]


def normalise(text: str) -> Normalised:
    """Normalise `text` for matching and keep the map back to the original.

    See the module docstring for the steps. The result is deterministic, and
    ``result.text == fast_normalise(text)`` always holds.
    """
    folded, offsets = _pipeline(text, track=True)
    assert offsets is not None  # track=True always yields offsets
    return Normalised(folded, tuple(offsets), text)
