"""Property tests: check() never raises and spans stay inside the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import Context, Moderator, Policy, normalise
from moderation.normalise import fast_normalise

MODERATOR = Moderator(Policy(blocked_terms=("p*lhaço", "golpe*"), allowed_terms=("viado",), max_length=120))

# Pieces that exercise every normalisation step, mixed with arbitrary text.
PIECES = st.sampled_from(
    [
        "merda",
        "m e r d a",
        "m.e.r.d.a",
        "p*ta",
        "f**k",
        "k\u0430rwa",
        "\u200b",
        "e\u0301",
        "ﬁ",
        "0",
        "4",
        "$",
        "!",
        "|",
        "*",
        "-",
        "_",
        ".",
        " ",
        "aaaa",
        "529.982.247-25",
        "+48 123 456 789",
        "x.com/",
        "@",
        "ÇÃO",
        "Ł",
    ]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_check_never_raises_and_spans_are_in_bounds(text: str) -> None:
    context = Context(now=10.0, recent=[(9.0, text[:50]), (1.0, "olá")])
    decision = MODERATOR.check(text, context)
    assert decision.verdict == max((r.verdict for r in decision.reasons), default=decision.verdict)
    for reason in decision.reasons:
        assert 0 <= reason.start <= reason.end <= len(text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalise_offsets_are_consistent(text: str) -> None:
    result = normalise(text)
    assert result.text == fast_normalise(text)
    assert len(result.offsets) == len(result.text)
    assert all(0 <= offset < len(text) for offset in result.offsets)
    assert list(result.offsets) == sorted(result.offsets)
    for start in range(0, len(result.text), 7):
        a, b = result.span(start, start + 5)
        assert 0 <= a <= b <= len(text)
