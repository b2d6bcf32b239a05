"""The context lexicons of the threat and dehumanisation rules: format, and what they must hold."""

from __future__ import annotations

from importlib import resources

import pytest

from moderation import Moderator, Policy, Verdict
from moderation.lexicon import ANCHORS, TARGETS, load_lexicon, parse_lexicon
from moderation.matcher import term_atoms
from moderation.normalise import fast_normalise

LANGUAGES = ("pt", "pl", "en", "es")


@pytest.mark.parametrize("language", LANGUAGES)
def test_lexicon_format(language: str) -> None:
    text = resources.files("moderation").joinpath("lexicons", f"{language}.txt").read_text(encoding="utf-8")
    assert text.startswith("#"), "each lexicon starts with a header comment"
    lexicon = load_lexicon(language)
    slots = {slot for slot, _ in lexicon.terms}
    assert TARGETS | {"harm", "die", "command", "ambush", "place", "animal", "aim", "race", "sports"} <= slots
    assert {"threat", "dehumanisation"} == {pattern.rule for pattern in lexicon.patterns}
    used = {slot for pattern in lexicon.patterns for element in pattern.elements for slot in element.slots}
    used |= {slot for slots_ in (*lexicon.needs.values(), *lexicon.unless.values()) for slot in slots_} | {"sports"}
    assert slots <= used, f"slots no pattern uses: {sorted(slots - used)}"
    assert used <= slots, f"slots without terms: {sorted(used - slots)}"
    keys = [(slot, fast_normalise(term)) for slot, term in lexicon.terms]
    assert len(keys) == len(set(keys)), "no duplicate terms within a slot"
    assert all(term_atoms(term)[0] for _, term in lexicon.terms)


@pytest.mark.parametrize("word", ["mentem", "skandal", "renunciar", "resign", "dimitir", "cassado", "preso", "jailed"])
def test_criticism_is_no_anchor(word: str) -> None:
    folded = fast_normalise(word)
    for language in LANGUAGES:
        anchors = [term for slot, term in load_lexicon(language).terms if slot in ANCHORS]
        assert all(fast_normalise(term.rstrip("*")) != folded for term in anchors)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("harm matar", "expected"),
        ("weapon\tfaca", "expected"),
        ("harm\t*", "empty term"),
        ("pattern\tthreat\tintent harm", "unknown form"),
        ("pattern\tfuture\tintent . knife", "unknown slot"),
        ("pattern\tfuture\tintent . you", "needs an anchor"),
        ("pattern\tfuture\t. intent harm", "between two slots"),
        ("pattern\tfuture\tintent harm .", "starts and ends with a slot"),
        ("needs\tfuture\tweather", "needs <form> <slot>"),
    ],
)
def test_parse_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_lexicon("# header\n" + line + "\n", "pt", "test.txt")
    assert "test.txt:2" in str(info.value)


def test_language_without_lexicon_is_empty() -> None:
    assert load_lexicon("xx").patterns == ()


def test_grammar_follows_the_policy_languages() -> None:
    text = "zabiję tego radnego"
    assert Moderator(Policy(languages=("pl",))).check(text).verdict is Verdict.REVIEW
    assert Moderator(Policy(languages=("pt", "en"))).check(text).verdict is Verdict.ALLOW


def test_allowed_terms_suppress_a_finding() -> None:
    text = "vou matar o prefeito de rir"
    assert Moderator().check(text).verdict is Verdict.REVIEW
    assert Moderator(Policy(allowed_terms=("vou matar o prefeito de rir",))).check(text).verdict is Verdict.ALLOW


def test_an_anchor_phrase_never_hides_an_organiser_term() -> None:
    # "dar um tiro" is an anchor phrase; the organiser's blocked "tiro" still blocks.
    decision = Moderator(Policy(blocked_terms=("tiro",))).check("vou dar um tiro de largada")
    assert [(r.rule, r.detail) for r in decision.reasons] == [("custom_term", "tiro")]

