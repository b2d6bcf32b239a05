"""Pre-conference rules: merging contributions, editing, origin lines and the ballot spec."""

from __future__ import annotations

import pytest

from server.domain import preconference as rules
from server.domain.polls import PollSpec, validate_ballot
from server.domain.preconference import Contribution, Meeting, Proposal
from server.errors import InvalidCommand

EIXOS = ("Financiamento", "Controle social")
NACOES = Meeting(1, 10, 11, "CRASNACOES", "CRAS Nações", "2025-06-13", "Nações")
BENEDITO = Meeting(2, 10, 12, "CRASSB", "CRAS São Benedito", "2025-06-16", "São Benedito")
MEETINGS = {m.id: m for m in (NACOES, BENEDITO)}


def contribution(cid: int, meeting: int, author: str, text: str, eixo: str = "Financiamento",
                 level: rules.Level = "municipal") -> Contribution:
    return Contribution(cid, meeting, author, text, eixo, level, 0.0)


def test_merging_keeps_every_wording_and_takes_the_shared_classification() -> None:
    merged = rules.merge([contribution(1, 1, "a", "Mais equipes no CRAS"),
                          contribution(2, 1, "b", "Ampliar a equipe do CRAS")], EIXOS,
                         text="Ampliar as equipes de referência dos CRAS")
    assert merged.text == "Ampliar as equipes de referência dos CRAS"
    assert merged.original == "Mais equipes no CRAS\nAmpliar a equipe do CRAS"
    assert (merged.eixo, merged.level, merged.contribution_ids) == ("Financiamento", "municipal", (1, 2))
    alone = rules.merge([contribution(3, 2, "c", "  Conselho   com paridade ")], EIXOS)
    assert alone.text == "  Conselho   com paridade " and alone.original == alone.text


def test_merging_contributions_of_different_levels_needs_a_choice() -> None:
    mixed = [contribution(1, 1, "a", "x"), contribution(2, 2, "b", "y", level="state")]
    with pytest.raises(InvalidCommand) as refused:
        rules.merge(mixed, EIXOS)
    assert refused.value.code == "level_required"
    assert rules.merge(mixed, EIXOS, level="state").level == "state"
    with pytest.raises(InvalidCommand) as wrong:
        rules.merge(mixed, EIXOS, level="state", eixo="Saúde")
    assert wrong.value.code == "invalid_eixo"
    with pytest.raises(InvalidCommand) as empty:
        rules.merge([], EIXOS)
    assert empty.value.code == "invalid_field"


def test_editing_changes_wording_and_classification_never_the_original() -> None:
    proposal = Proposal(5, "Texto", "Texto original", "Financiamento", "municipal", 1)
    edited = rules.edit(proposal, {"text": " Texto   novo ", "level": "federal"}, EIXOS)
    assert (edited.text, edited.original, edited.level, edited.eixo) == (
        "Texto novo", "Texto original", "federal", "Financiamento")
    for fields, code in (({"level": "regional"}, "invalid_level"), ({"eixo": "Outro"}, "invalid_eixo"),
                         ({"text": ""}, "invalid_field"), ({"text": "x" * 301}, "too_long"),
                         ({"author": "x"}, "invalid_field")):
        with pytest.raises(InvalidCommand) as refused:
            rules.edit(proposal, fields, EIXOS)
        assert refused.value.code == code, fields


def test_the_origin_line_names_each_meeting_and_how_many_were_merged() -> None:
    two = [contribution(1, 1, "a", "x"), contribution(2, 1, "b", "y")]
    found = rules.origins(two, MEETINGS)
    assert rules.origin_label(found, "en") == "CRAS Nações, 13/06 — 2 contributions merged"
    assert rules.origin_label(found, "pt-BR") == "CRAS Nações, 13/06 — 2 contribuições reunidas"
    assert rules.origin_label(found, "pl") == "CRAS Nações, 13.06 — 2 wkłady połączone"
    assert rules.supporters(found) == 2
    one = rules.origins([contribution(3, 2, "c", "z")], MEETINGS)
    assert rules.origin_label(one, "es") == "CRAS São Benedito, 16/06"
    # The same person twice at one meeting supports once; meetings in date order.
    three = rules.origins([contribution(4, 2, "c", "z"), contribution(5, 1, "a", "x"), contribution(6, 1, "a", "w")],
                          MEETINGS)
    assert [(o.meeting.id, o.contributions, o.supporters) for o in three] == [(1, 2, 1), (2, 1, 1)]
    assert rules.origin_label(three, "en") == "CRAS Nações, 13/06; CRAS São Benedito, 16/06 — 3 contributions merged"
    assert rules.origin_label([], "en") == ""
    # Erased authors (no public id left) cannot be told apart: each of their contributions counts.
    erased = rules.origins([contribution(7, 1, "", "x"), contribution(8, 1, "", "y")], MEETINGS)
    assert rules.supporters(erased) == 2


def test_the_ballot_has_a_section_per_level_and_the_origin_on_each_option() -> None:
    proposals = [Proposal(1, "Ampliar equipes", "o", "Financiamento", "municipal", 1),
                 Proposal(2, "Cofinanciamento estadual", "o", "Financiamento", "state", 2),
                 Proposal(3, "Conselho paritário", "o", "Controle social", "municipal", 3)]
    labels = {1: "CRAS Nações, 13/06 — 2 contribuições reunidas", 2: "CRAS São Benedito, 16/06"}
    raw = rules.ballot_spec(proposals, labels, {"municipal": 1}, "pt-BR")
    spec = PollSpec.from_dict(raw)
    assert spec.question == "Propostas das pré-conferências"
    assert [(s.id, s.title, s.option_ids, s.max_picks) for s in spec.sections] == [
        ("municipal", "Municipal", ("pc1", "pc3"), 1), ("state", "Estadual", ("pc2",), 1)]
    assert [o.origin for o in spec.options] == [labels[1], "", labels[2]]
    assert spec.to_dict()["options"][0] == {"id": "pc1", "label": "Ampliar equipes", "group": "Financiamento",
                                            "origin": labels[1]}
    assert "origin" not in spec.to_dict()["options"][1]
    assert validate_ballot(spec, {"choices": ["pc1", "pc2"]}) is not None
    with pytest.raises(InvalidCommand) as nothing:
        rules.ballot_spec([], {}, {}, "en")
    assert nothing.value.code == "nothing_to_vote"
    with pytest.raises(InvalidCommand) as bad:
        rules.ballot_spec(proposals, labels, {"state": 0}, "en")
    assert bad.value.code == "invalid_field"


def test_a_poll_option_origin_is_bounded_and_typed() -> None:
    base = {"kind": "single", "question": "q", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
    for origin, rule in (("x" * 301, "too_long"), (3, "type")):
        with pytest.raises(InvalidCommand) as refused:
            PollSpec.from_dict({**base, "options": [{"id": "a", "label": "A", "origin": origin},
                                                    {"id": "b", "label": "B"}]})
        assert refused.value.details["rule"] == rule


def test_meeting_dates_and_eixos_are_checked() -> None:
    assert rules.check_date("2025-06-13") == "2025-06-13"
    for bad in ("13/06/2025", "2025-13-01", 20250613, ""):
        with pytest.raises(InvalidCommand):
            rules.check_date(bad)
    assert rules.check_eixos([" Financiamento ", "", "Financiamento", "Gestão"]) == ("Financiamento", "Gestão")
    for bad_eixos in ("Financiamento", ["x" * 121], [str(i) for i in range(21)]):
        with pytest.raises(InvalidCommand):
            rules.check_eixos(bad_eixos)
