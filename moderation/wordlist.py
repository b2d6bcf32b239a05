"""Loading and parsing the bundled word lists.

Each language has ``wordlists/<lang>.txt`` shipped as package data. A line is
``<severity>\t<category>\t<term>``: severity is ``block`` or ``review``,
category one of `CATEGORIES`, and a term is one word or a phrase. A trailing
``*`` makes the term a prefix family (``pierdol*`` matches "pierdolony");
an inner ``*`` stands for exactly one letter. Blank lines and lines starting
with ``#`` are ignored. The files are read with `importlib.resources`, which
is the only I/O this package performs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from .verdict import Verdict

CATEGORIES = frozenset({"insult", "slur", "profanity", "threat", "sexual", "spam"})
SEVERITIES = {"block": Verdict.BLOCK, "review": Verdict.REVIEW}


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed term: what to match and what it means."""

    term: str  # as written in the list, e.g. "pierdol*"
    severity: Verdict  # REVIEW or BLOCK
    category: str  # e.g. "insult"; for organiser terms the term itself
    language: str  # "pt", "pl", ... or "" for organiser terms
    rule: str = "wordlist"

    @property
    def detail(self) -> str:
        """The Reason detail: "category:lang" for bundled entries."""
        return f"{self.category}:{self.language}" if self.language else self.category


def parse_wordlist(text: str, language: str, source: str = "<wordlist>") -> tuple[Entry, ...]:
    """Parse the contents of a word-list file.

    Raises ValueError naming `source` and the line number for any malformed
    line, unknown severity or unknown category.
    """
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = raw.rstrip("\r\n").split("\t")
        if len(fields) != 3:
            raise ValueError(f"{source}:{number}: expected '<severity>\\t<category>\\t<term>', got {raw!r}")
        severity, category, term = (field.strip() for field in fields)
        if severity not in SEVERITIES:
            raise ValueError(f"{source}:{number}: severity must be block or review, got {severity!r}")
        if category not in CATEGORIES:
            raise ValueError(f"{source}:{number}: unknown category {category!r}")
        if not term.strip("* "):
            raise ValueError(f"{source}:{number}: empty term")
        entries.append(Entry(term, SEVERITIES[severity], category, language))
    return tuple(entries)


@functools.cache
def available_languages() -> tuple[str, ...]:
    """Languages with a bundled list, sorted."""
    folder = resources.files(__package__ or "moderation").joinpath("wordlists")
    return tuple(sorted(item.name[:-4] for item in folder.iterdir() if item.name.endswith(".txt")))


@functools.cache
def load_wordlist(language: str) -> tuple[Entry, ...]:
    """The parsed bundled list for `language` (memoised; the files never change).

    Raises ValueError for a language without a bundled list.
    """
    if language not in available_languages():
        raise ValueError(f"no bundled word list for language {language!r}")
    resource = resources.files(__package__ or "moderation").joinpath("wordlists", f"{language}.txt")
    return parse_wordlist(resource.read_text(encoding="utf-8"), language, f"wordlists/{language}.txt")
