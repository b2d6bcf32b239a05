"""The bundled word lists: format, size, and what must never be listed."""

from __future__ import annotations

from importlib import resources

import pytest

from moderation.matcher import term_atoms
from moderation.normalise import fast_normalise
from moderation.wordlist import CATEGORIES, available_languages, load_wordlist, parse_wordlist

LANGUAGES = ("pt", "pl", "en", "es")


def test_all_languages_are_bundled() -> None:
    assert set(LANGUAGES) <= set(available_languages())


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_format_and_size(language: str) -> None:
    text = resources.files("moderation").joinpath("wordlists", f"{language}.txt").read_text(encoding="utf-8")
    assert text.startswith("#"), "each list starts with a header comment"
    entries = load_wordlist(language)
    assert 40 <= len(entries) <= 160
    assert {entry.category for entry in entries} <= CATEGORIES
    assert all(term_atoms(entry.term)[0] for entry in entries), "every term has something to match"
    keys = [(fast_normalise(e.term), e.term.endswith("*")) for e in entries]
    assert len(keys) == len(set(keys)), "no duplicate terms within a list"


@pytest.mark.parametrize(
    "word",
    [
        "vergonha",
        "skandal",
        "hańba",
        "incompetente",
        "mentiroso",
        "fracasso",
        "corrupção",
        "corrupto",
        "kłamie",
        "okradł",
        "disgrace",
        "failed",
        "vergüenza",
        "desgraça",
        "lixo",
        "ladrão",
    ],
)
def test_criticism_is_not_listed(word: str) -> None:
    folded = fast_normalise(word)
    for language in LANGUAGES:
        assert all(fast_normalise(e.term.rstrip("*")) != folded for e in load_wordlist(language))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("block insult merda", "expected"),
        ("never\tinsult\tmerda", "severity must be block or review"),
        ("block\trude\tmerda", "unknown category"),
        ("block\tinsult\t*", "empty term"),
    ],
)
def test_parse_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_wordlist("# header\n" + line + "\n", "pt", "test.txt")
    assert "test.txt:2" in str(info.value)


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="no bundled word list"):
        load_wordlist("xx")
