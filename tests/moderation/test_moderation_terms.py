"""Organiser terms, allowed terms, languages and the link allow-list."""

from __future__ import annotations

from moderation import Decision, Moderator, Policy, Reason, Verdict


def described(text: str, decision: Decision) -> list[tuple[str, str, str, str]]:
    return [(r.rule, r.verdict.value, r.detail, text[r.start : r.end]) for r in decision.reasons]


def test_custom_blocked_and_review_terms_are_normalised() -> None:
    moderator = Moderator(Policy(blocked_terms=("Golpista",), review_terms=("bolsonar*", "lula lá")))
    text = "G0LPISTA! bolsonarista e Lula-Lá"
    assert described(text, moderator.check(text)) == [
        ("custom_term", "block", "Golpista", "G0LPISTA"),
        ("custom_term", "review", "bolsonar*", "bolsonarista"),
        ("custom_term", "review", "lula lá", "Lula-Lá"),
    ]


def test_custom_terms_respect_word_boundaries() -> None:
    moderator = Moderator(Policy(blocked_terms=("gado",)))
    assert moderator.check("o delegado chegou").verdict is Verdict.ALLOW
    assert moderator.check("seu gado").verdict is Verdict.BLOCK


def test_custom_term_with_inner_wildcard() -> None:
    moderator = Moderator(Policy(blocked_terms=("p*lhaço",)))
    assert moderator.check("seu palhaço").verdict is Verdict.BLOCK


def test_custom_term_on_top_of_bundled_term_reports_both() -> None:
    moderator = Moderator(Policy(blocked_terms=("idiota",)))
    decision = moderator.check("idiota")
    assert decision.verdict is Verdict.BLOCK
    assert [(r.rule, r.verdict) for r in decision.reasons] == [
        ("wordlist", Verdict.REVIEW),
        ("custom_term", Verdict.BLOCK),
    ]


def test_allowed_terms_override_bundled_and_custom_terms() -> None:
    text = "o viado correu pelo pedal da serra"
    assert Moderator().check(text).verdict is Verdict.BLOCK
    moderator = Moderator(Policy(allowed_terms=("viado", "pedal")))
    assert moderator.check(text) == Decision(Verdict.ALLOW, ())
    # an allowed term does not suppress a longer hit around it
    assert Moderator(Policy(allowed_terms=("puta",))).check("filho da puta").verdict is Verdict.BLOCK
    custom = Moderator(Policy(blocked_terms=("pedal*",), allowed_terms=("pedalada",)))
    assert custom.check("uma pedalada").verdict is Verdict.ALLOW
    assert custom.check("pedaleiro").verdict is Verdict.BLOCK


def test_languages_select_bundled_lists() -> None:
    assert Moderator(Policy(languages=("pt",))).check("kurwa").verdict is Verdict.ALLOW
    assert Moderator(Policy(languages=("pl",))).check("kurwa").verdict is Verdict.BLOCK
    assert Moderator(Policy(languages=())).check("merda").verdict is Verdict.ALLOW


def test_link_modes() -> None:
    text = "veja exemplo.com.br/pauta"
    assert Moderator(Policy(links="allow")).check(text).verdict is Verdict.ALLOW
    assert Moderator(Policy(links="review")).check(text).verdict is Verdict.REVIEW
    decision = Moderator(Policy(links="block")).check(text)
    assert decision.reasons == (Reason("link", Verdict.BLOCK, "domain:exemplo.com.br", 5, 25),)


def test_allowed_domains_include_subdomains_only() -> None:
    moderator = Moderator(Policy(links="block", allowed_domains=("gov.br", "www.plenaria.org")))
    assert moderator.check("https://www.gov.br/mds e cadunico.gov.br/x").verdict is Verdict.ALLOW
    assert moderator.check("plenaria.org/sala e https://ao.vivo.plenaria.org").verdict is Verdict.ALLOW
    decision = moderator.check("http://fakegov.br/login")
    assert [r.detail for r in decision.reasons] == ["domain:fakegov.br"]


def test_email_is_not_a_link() -> None:
    decision = Moderator(Policy(links="block")).check("fale com ana@prefeitura.sp.gov.br")
    assert [(r.rule, r.detail) for r in decision.reasons] == [("personal_data", "email")]


def test_pesel_preferred_when_polish_comes_first() -> None:
    # 11 digits valid both as CPF and PESEL are named after the first language
    both = next(n for n in (f"{i:011d}" for i in range(44051401300, 44051409999)) if _valid_both(n))
    assert Moderator().check(both).reasons[0].detail == "cpf"
    assert Moderator(Policy(languages=("pl", "pt"))).check(both).reasons[0].detail == "pesel"


def _valid_both(number: str) -> bool:
    from moderation.personal_data import valid_cpf, valid_pesel

    return valid_cpf(number) and valid_pesel(number)


def test_verdict_order_and_serialisation() -> None:
    assert Verdict.ALLOW < Verdict.REVIEW < Verdict.BLOCK
    assert max(Verdict.REVIEW, Verdict.BLOCK, Verdict.ALLOW) is Verdict.BLOCK
    assert isinstance(Verdict.BLOCK, str)
    assert Verdict.BLOCK.value == "block" and Verdict("block") is Verdict.BLOCK
    decision = Decision.of([Reason("caps", Verdict.REVIEW, "uppercase")])
    assert decision.to_dict() == {
        "verdict": "review",
        "reasons": [{"rule": "caps", "verdict": "review", "detail": "uppercase", "start": 0, "end": 0}],
    }
    assert Decision.of([]).verdict is Verdict.ALLOW
