"""Server-side plural categories agree with the browser's Intl.PluralRules (CLDR)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from server.domain.plurals import category, form

LANGS = ("pt-BR", "pl", "en", "es")
NUMBERS = [*range(0, 230), 1000, 1001, 1_000_000, 2_000_000, 1_000_001]


def test_polish_votes_take_three_forms() -> None:
    votes = {"one": "głos", "few": "głosy", "many": "głosów", "other": "głosu"}
    said = {n: f"{n} {form('pl', n, votes)}" for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 102, 112)}
    assert said == {0: "0 głosów", 1: "1 głos", 2: "2 głosy", 4: "4 głosy", 5: "5 głosów", 11: "11 głosów",
                    12: "12 głosów", 14: "14 głosów", 21: "21 głosów", 22: "22 głosy", 25: "25 głosów",
                    102: "102 głosy", 112: "112 głosów"}


def test_one_vote_is_singular_and_zero_can_have_its_own_word() -> None:
    votes = {"one": "voto", "other": "votos", "zero": "votos"}
    assert [form("pt-BR", n, votes) for n in (0, 1, 2)] == ["votos", "voto", "votos"]
    assert [form("en", n, {"one": "vote", "other": "votes"}) for n in (0, 1, 2)] == ["votes", "vote", "votes"]
    assert form("es", 1, {"one": "voto", "other": "votos"}) == "voto"


def test_categories_match_the_browsers_intl_plural_rules() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: nothing to compare with")
    script = (f"const langs = {json.dumps(LANGS)}, ns = {json.dumps(NUMBERS)};"
              "console.log(JSON.stringify(Object.fromEntries(langs.map((l) => "
              "[l, ns.map((n) => new Intl.PluralRules(l).select(n))]))))")
    browser = json.loads(subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout)
    for lang in LANGS:
        assert [category(lang, n) for n in NUMBERS] == browser[lang], lang
