"""normalise(): the folded text and the offsets back into the original."""

from __future__ import annotations

import pytest

from moderation import Normalised, normalise
from moderation.normalise import fast_normalise


@pytest.mark.parametrize(
    ("original", "text"),
    [
        ("Assistência Social", "assistencia social"),
        ("Pomoc społeczna, ŁÓDŹ", "pomoc spoleczna, lodz"),
        ("ＭＥＲＤＡ", "merda"),  # full-width
        ("me\u200brda", "merda"),  # zero-width space
        ("e\u0301 isso", "e isso"),  # decomposed accent
        ("ﬁm", "fim"),  # ligature expands
        ("p0rr4!", "porra!"),
        ("4$$hole", "asshole"),
        ("sh!t and |dea", "shit and |dea"),  # "!"/"|" only between letters
        ("2024 e 10 propostas", "2024 e 10 propostas"),
        ("m e r d a", "merda"),
        ("m.e.r.d.a", "merda"),
        ("m*e*r*d*a", "merda"),
        ("f.d.p", "fdp"),
        ("f**k", "f**k"),  # two letters around '*': wildcard, not separator
        ("p*ta", "p*ta"),
        ("para cuidar", "para cuidar"),  # real words are never glued
        ("isso é m.e.r.d.a", "isso e merda"),
        ("merdaaaaaa", "merdaa"),
        ("porra", "porra"),  # legitimate doubles survive
        ("!!!!", "!!!!"),  # only letter runs collapse
        ("kurw\u0430", "kurwa"),  # Cyrillic а
        ("", ""),
    ],
)
def test_normalised_text(original: str, text: str) -> None:
    result = normalise(original)
    assert result.text == text
    assert fast_normalise(original) == text
    assert len(result.offsets) == len(result.text)
    assert result.original == original


def test_offsets_identity_for_plain_text() -> None:
    assert normalise("Olá, mundo").offsets == tuple(range(10))


def test_offsets_skip_removed_characters() -> None:
    result = normalise("m e r d a")
    assert result.offsets == (0, 2, 4, 6, 8)
    result = normalise("me\u200brda")
    assert result.offsets == (0, 1, 3, 4, 5)


def test_offsets_of_expansion_point_at_the_same_character() -> None:
    result = normalise("ﬁm")
    assert result.offsets == (0, 0, 1)


def test_span_covers_collapsed_letters_and_trailing_marks() -> None:
    original = "que merdaaaa!"
    result = normalise(original)
    start = result.text.index("merdaa")
    a, b = result.span(start, start + len("merdaa"))
    assert original[a:b] == "merdaaaa"

    original = "pute\u0301 x"
    result = normalise(original)
    a, b = result.span(0, 4)
    assert original[a:b] == "pute\u0301"


def test_span_of_joined_letters_covers_separators() -> None:
    original = "vai m.e.r.d.a!"
    result = normalise(original)
    start = result.text.index("merda")
    a, b = result.span(start, start + 5)
    assert original[a:b] == "m.e.r.d.a"


def test_span_is_clamped_and_handles_empty() -> None:
    result = normalise("abc")
    assert result.span(5, 9) == (3, 3)
    assert result.span(1, 1) == (1, 1)
    assert Normalised("", (), "").span(0, 3) == (0, 0)
