"""Poll specs and ballot validation: examples per kind, spec rejections, properties."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.polls import Ballot, Option, PollSpec, Section, remaining_picks, validate_ballot
from server.errors import BallotInvalid, InvalidCommand


def seed_spec_dict() -> dict[str, Any]:
    """The conference ballot: 10 municipal, 2 state, 2 federal proposals, grouped by eixo."""
    municipal = [f"m{i}" for i in range(1, 13)]
    state = ["s1", "s2", "s3"]
    federal = ["f1", "f2", "f3"]
    options = [
        {"id": oid, "label": f"Proposta {oid}", "group": f"Eixo {index % 4 + 1}"}
        for index, oid in enumerate(municipal + state + federal)
    ]
    return {
        "kind": "multiple",
        "question": "Escolha 10 propostas municipais, 2 estaduais e 2 federais",
        "options": options,
        "sections": [
            {
                "id": "municipal",
                "title": "Municipais",
                "option_ids": municipal,
                "min_picks": 0,
                "max_picks": 10,
            },
            {"id": "state", "title": "Estaduais", "option_ids": state, "max_picks": 2},
            {"id": "federal", "title": "Federais", "option_ids": federal, "max_picks": 2},
        ],
    }


SEED = PollSpec.from_dict(seed_spec_dict())


def refusal(spec: PollSpec, raw: Any) -> BallotInvalid:
    with pytest.raises(BallotInvalid) as caught:
        validate_ballot(spec, raw)
    return caught.value


def spec_refusal(data: Any) -> InvalidCommand:
    with pytest.raises(InvalidCommand) as caught:
        PollSpec.from_dict(data)
    assert caught.value.code == "invalid_poll"
    return caught.value


# --- the seed ballot --------------------------------------------------------------------


def test_seed_spec_reads_groups_and_sections() -> None:
    assert [s.id for s in SEED.sections] == ["municipal", "state", "federal"]
    assert SEED.sections[0].max_picks == 10
    assert SEED.sections[1].min_picks == 0
    assert {o.group for o in SEED.options} == {"Eixo 1", "Eixo 2", "Eixo 3", "Eixo 4"}


def test_eleven_municipal_picks_refused() -> None:
    error = refusal(SEED, {"choices": [f"m{i}" for i in range(1, 12)]})
    assert error.code == "too_many_picks"
    assert error.details == {"section": "municipal", "limit": 10, "got": 11}


def test_mixed_valid_ballot_accepted_and_canonical() -> None:
    ballot = validate_ballot(SEED, {"choices": ["f2", "m3", "s1", "m10", "s3", "m1"]})
    assert ballot == Ballot(choices=("f2", "m1", "m10", "m3", "s1", "s3"))


def test_three_state_picks_refused() -> None:
    error = refusal(SEED, {"choices": ["s1", "s2", "s3"]})
    assert (error.code, error.details) == ("too_many_picks", {"section": "state", "limit": 2, "got": 3})


def test_blank_seed_ballot_accepted_when_every_minimum_is_zero() -> None:
    assert validate_ballot(SEED, {"choices": []}) == Ballot()


def test_too_few_picks_reports_section_minimum() -> None:
    data = seed_spec_dict()
    data["sections"][0]["min_picks"] = 1
    error = refusal(PollSpec.from_dict(data), {"choices": ["s1"]})
    assert (error.code, error.details) == ("too_few_picks", {"section": "municipal", "limit": 1, "got": 0})


def test_option_outside_every_section_is_not_on_the_ballot() -> None:
    data = seed_spec_dict()
    data["options"].append({"id": "loose", "label": "Sem seção"})
    spec = PollSpec.from_dict(data)
    error = refusal(spec, {"choices": ["m1", "loose"]})
    assert (error.code, error.details) == ("unknown_option", {"option": "loose"})


@pytest.mark.parametrize(
    ("raw", "code", "details"),
    [
        ({"choices": ["m1", "nope"]}, "unknown_option", {"option": "nope"}),
        ({"choices": ["m1", "m1"]}, "duplicate_choice", {"option": "m1"}),
        ({"choices": "m1"}, "ballot_invalid", {"field": "choices"}),
        ({"choices": [1]}, "ballot_invalid", {"field": "choices"}),
        ({"choices": [], "extra": 1}, "ballot_invalid", {"field": "extra"}),
        ({}, "ballot_invalid", {"field": "choices"}),
        ({"choice": "m1"}, "ballot_invalid", {"field": "choice"}),
        (["m1"], "ballot_invalid", {}),
    ],
)
def test_seed_ballot_shape_refusals(raw: Any, code: str, details: dict[str, Any]) -> None:
    error = refusal(SEED, raw)
    assert (error.code, error.details) == (code, details)


def test_remaining_picks_per_section() -> None:
    assert remaining_picks(SEED, ["m1", "m2", "s1", "zzz"]) == {"municipal": 8, "state": 1, "federal": 2}
    over = remaining_picks(SEED, ["s1", "s2", "s3"])
    assert over["state"] == 0


# --- other kinds ------------------------------------------------------------------------


def single_spec() -> PollSpec:
    return PollSpec.from_dict(
        {
            "kind": "single",
            "question": "Qual eixo?",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        }
    )


def test_single_choice() -> None:
    spec = single_spec()
    assert validate_ballot(spec, {"choice": "b"}) == Ballot(choices=("b",))
    assert refusal(spec, {"choice": "c"}).code == "unknown_option"
    assert refusal(spec, {"choice": ["a"]}).code == "ballot_invalid"
    assert refusal(spec, {"choices": ["a"]}).code == "ballot_invalid"
    assert remaining_picks(spec, []) == {"": 1}
    assert remaining_picks(spec, ["a"]) == {"": 0}


def test_yes_no_abstain_creates_its_options() -> None:
    spec = PollSpec.from_dict({"kind": "yes_no_abstain", "question": "Aprova o regimento?"})
    assert spec.option_ids() == ("yes", "no", "abstain")
    assert validate_ballot(spec, {"choice": "abstain"}) == Ballot(choices=("abstain",))
    assert refusal(spec, {"choice": "maybe"}).code == "unknown_option"
    assert PollSpec.from_dict(spec.to_dict()) == spec


def test_yes_no_abstain_accepts_localised_labels_but_not_other_ids() -> None:
    labels = [
        {"id": "yes", "label": "Sim"},
        {"id": "no", "label": "Não"},
        {"id": "abstain", "label": "Abstenção"},
    ]
    spec = PollSpec.from_dict({"kind": "yes_no_abstain", "question": "?", "options": labels})
    assert spec.options[1].label == "Não"
    spec_refusal({"kind": "yes_no_abstain", "question": "?", "options": labels[:2]})


def test_multiple_without_sections() -> None:
    options = [{"id": x, "label": x.upper()} for x in "abcd"]
    spec = PollSpec.from_dict({"kind": "multiple", "question": "?", "options": options, "min_picks": 2, "max_picks": 3})
    assert validate_ballot(spec, {"choices": ["d", "a"]}).choices == ("a", "d")
    error = refusal(spec, {"choices": ["a"]})
    assert (error.code, error.details) == ("too_few_picks", {"section": "", "limit": 2, "got": 1})
    error = refusal(spec, {"choices": ["a", "b", "c", "d"]})
    assert (error.code, error.details) == ("too_many_picks", {"section": "", "limit": 3, "got": 4})
    assert remaining_picks(spec, ["a"]) == {"": 2}


def test_rating() -> None:
    spec = PollSpec.from_dict({"kind": "rating", "question": "Nota?", "scale_min": 0, "scale_max": 10})
    assert validate_ballot(spec, {"rating": 0}) == Ballot(rating=0)
    error = refusal(spec, {"rating": 11})
    assert (error.code, error.details) == ("out_of_range", {"min": 0, "max": 10, "got": 11})
    assert refusal(spec, {"rating": True}).code == "ballot_invalid"
    assert refusal(spec, {"rating": 2.5}).code == "ballot_invalid"
    assert remaining_picks(spec, []) == {}


def test_ranking_allows_partial_but_not_empty() -> None:
    options = [{"id": x, "label": x} for x in "abc"]
    spec = PollSpec.from_dict({"kind": "ranking", "question": "Ordene", "options": options})
    assert validate_ballot(spec, {"ranking": ["c", "a"]}) == Ballot(choices=("c", "a"))
    assert refusal(spec, {"ranking": []}).code == "too_few_picks"
    assert refusal(spec, {"ranking": ["a", "a"]}).code == "duplicate_choice"
    assert refusal(spec, {"ranking": ["x"]}).details == {"option": "x"}


def test_open_text_normalises_and_limits() -> None:
    spec = PollSpec.from_dict({"kind": "open_text", "question": "Uma palavra", "max_text_length": 20})
    assert validate_ballot(spec, {"text": "  Saúde \n  pública "}) == Ballot(text="Saúde pública")
    assert refusal(spec, {"text": " \t\n"}).code == "text_empty"
    error = refusal(spec, {"text": "x" * 21})
    assert (error.code, error.details) == ("text_too_long", {"limit": 20, "got": 21})
    assert refusal(spec, {"text": 5}).code == "ballot_invalid"


def election_dict(method: str = "plurality") -> dict[str, Any]:
    gov = [f"g{i}" for i in range(6)]
    civ = [f"c{i}" for i in range(7)]
    return {
        "kind": "election",
        "question": "Delegados",
        "method": method,
        "options": [{"id": oid, "label": f"Candidata {oid}"} for oid in gov + civ],
        "sections": [
            {"id": "governo", "title": "Governo", "option_ids": gov, "seats": 4, "alternates": 2},
            {
                "id": "sociedade_civil",
                "title": "Sociedade civil",
                "option_ids": civ,
                "seats": 4,
                "alternates": 2,
            },
        ],
    }


def test_plurality_election_defaults_picks_to_seats() -> None:
    spec = PollSpec.from_dict(election_dict())
    assert [s.max_picks for s in spec.sections] == [4, 4]
    assert validate_ballot(spec, {"choices": ["g1", "c2", "g0"]}).choices == ("c2", "g0", "g1")
    error = refusal(spec, {"choices": ["g0", "g1", "g2", "g3", "g4"]})
    assert (error.code, error.details) == ("too_many_picks", {"section": "governo", "limit": 4, "got": 5})


def test_approval_election_allows_every_candidate_of_a_segment() -> None:
    spec = PollSpec.from_dict(election_dict("approval"))
    every = [o.id for o in spec.options]
    assert validate_ballot(spec, {"choices": every}).choices == tuple(sorted(every))
    assert PollSpec.from_dict(spec.to_dict()) == spec
    data = election_dict("approval")
    data["sections"][0]["max_picks"] = 2
    assert spec_refusal(data).details["field"] == "sections[0].max_picks"


def test_ballot_stored_form_round_trips() -> None:
    for ballot in (Ballot(choices=("a", "b")), Ballot(rating=3), Ballot(text="oi"), Ballot()):
        assert Ballot.from_dict(ballot.to_dict()) == ballot
    for bad in ({"choices": "a"}, {"rating": "3"}, {"text": 1}, {"other": 1}, [1]):
        with pytest.raises(BallotInvalid):
            Ballot.from_dict(bad)  # type: ignore[arg-type]


# --- spec validation --------------------------------------------------------------------


def mutated(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(seed_spec_dict())
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (mutated(lambda d: d.update(colour="red")), "colour"),
        (mutated(lambda d: d.update(kind="poll")), "kind"),
        (mutated(lambda d: d.update(question="  ")), "question"),
        (mutated(lambda d: d.update(scale_min=0)), "scale_min"),
        (mutated(lambda d: d.update(max_picks=3)), "max_picks"),
        (mutated(lambda d: d["options"][0].update(extra=1)), "options[0].extra"),
        (mutated(lambda d: d["options"][1].update(id="m1")), "options[1].id"),
        (mutated(lambda d: d["options"][1].update(id="")), "options[1].id"),
        (mutated(lambda d: d["options"][1].update(id="x" * 65)), "options[1].id"),
        (mutated(lambda d: d["options"][1].update(label="x" * 301)), "options[1].label"),
        (mutated(lambda d: d["options"][1].update(label=7)), "options[1].label"),
        (mutated(lambda d: d["options"][1].pop("label")), "options[1].label"),
        (mutated(lambda d: d["sections"][1]["option_ids"].append("ghost")), "sections[1].option_ids"),
        (mutated(lambda d: d["sections"][1]["option_ids"].append("m1")), "sections[1].option_ids"),
        (mutated(lambda d: d["sections"][1].update(option_ids=[])), "sections[1].option_ids"),
        (mutated(lambda d: d["sections"][1].update(min_picks=3, max_picks=2)), "sections[1].min_picks"),
        (mutated(lambda d: d["sections"][1].update(max_picks=4)), "sections[1].max_picks"),
        (mutated(lambda d: d["sections"][1].update(max_picks=0)), "sections[1].max_picks"),
        (mutated(lambda d: d["sections"][1].update(max_picks=True)), "sections[1].max_picks"),
        (mutated(lambda d: d["sections"][1].update(seats=2)), "sections[1].seats"),
        (mutated(lambda d: d["sections"][2].update(id="state")), "sections[2].id"),
        (mutated(lambda d: d.update(options=[{"id": f"o{i}", "label": "x"} for i in range(201)])), "options"),
        ({"kind": "rating", "question": "?", "scale_min": 5, "scale_max": 5}, "scale_min"),
        ({"kind": "rating", "question": "?", "scale_min": 0, "scale_max": 11}, "scale_min"),
        ({"kind": "rating", "question": "?", "options": []}, "options"),
        ({"kind": "open_text", "question": "?", "max_text_length": 0}, "max_text_length"),
        ({"kind": "single", "question": "?", "options": [{"id": "a", "label": "A"}]}, "options"),
        ({"kind": "single", "question": "?", "options": {"a": "A"}}, "options"),
        ({"kind": "election", "question": "?", "options": [{"id": "a", "label": "A"}]}, "sections"),
        (mutated(lambda d: d.update(min_picks=0, max_picks=50, sections=[])), "max_picks"),
        ("not a mapping", ""),
    ],
)
def test_spec_rejections(data: Any, field: str) -> None:
    assert spec_refusal(data).details["field"] == field


def test_election_spec_rejections() -> None:
    no_seats = election_dict()
    no_seats["sections"][0]["seats"] = 0
    assert spec_refusal(no_seats).details["field"] == "sections[0].seats"
    homeless = election_dict()
    homeless["sections"][1]["option_ids"].pop()
    assert spec_refusal(homeless).details["field"] == "sections"
    bad_method = election_dict("borda")
    assert spec_refusal(bad_method).details["field"] == "method"


def test_direct_construction_checks_rules_too() -> None:
    with pytest.raises(InvalidCommand):
        PollSpec(kind="single", question="?", options=(Option("a", "A"), Option("a", "B")))
    with pytest.raises(InvalidCommand):
        PollSpec(
            kind="multiple",
            question="?",
            options=(Option("a", "A"),),
            sections=(Section("s", "S", ("a",), max_picks=2),),
        )


@pytest.mark.parametrize(
    "data",
    [
        seed_spec_dict(),
        election_dict(),
        election_dict("approval"),
        {"kind": "rating", "question": "Nota", "scale_min": 0, "scale_max": 10},
        {"kind": "open_text", "question": "Palavra", "max_text_length": 40},
        {
            "kind": "ranking",
            "question": "Ordem",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        },
        {"kind": "multiple", "question": "?", "options": [{"id": "a", "label": "A"}], "min_picks": 0},
    ],
)
def test_spec_round_trip(data: dict[str, Any]) -> None:
    spec = PollSpec.from_dict(data)
    assert PollSpec.from_dict(spec.to_dict()) == spec
    assert PollSpec.from_dict(spec.to_dict()).to_dict() == spec.to_dict()


# --- properties -------------------------------------------------------------------------


@st.composite
def sectioned_specs(draw: st.DrawFn) -> PollSpec:
    """A multiple poll with 1-3 sections and maybe some options outside every section."""
    n_options = draw(st.integers(1, 9))
    n_sections = draw(st.integers(1, 3))
    homes = draw(st.lists(st.integers(-1, n_sections - 1), min_size=n_options, max_size=n_options))
    options = [{"id": f"o{i}", "label": f"Option {i}", "group": f"Eixo {i % 4 + 1}"} for i in range(n_options)]
    sections = []
    for index in range(n_sections):
        members = [f"o{i}" for i, home in enumerate(homes) if home == index]
        if not members:
            continue
        max_picks = draw(st.integers(1, len(members)))
        min_picks = draw(st.integers(0, max_picks))
        section = {"id": f"s{index}", "title": f"S{index}", "option_ids": members}
        sections.append(section | {"min_picks": min_picks, "max_picks": max_picks})
    data: dict[str, Any] = {"kind": "multiple", "question": "?", "options": options}
    if sections:
        data["sections"] = sections
    else:
        data["max_picks"] = draw(st.integers(1, n_options))
        data["min_picks"] = draw(st.integers(0, data["max_picks"]))
    return PollSpec.from_dict(data)


def expected_refusal(spec: PollSpec, choices: list[str]) -> tuple[str, dict[str, Any]] | None:
    """Oracle: the first fault validate_ballot should report, or None if the ballot is fine."""
    votable = set(spec.section_of()) if spec.sections else set(spec.option_ids())
    seen: set[str] = set()
    for choice in choices:
        if choice not in votable:
            return ("unknown_option", {"option": choice})
        if choice in seen:
            return ("duplicate_choice", {"option": choice})
        seen.add(choice)
    limits = [(s.id, s.option_ids, s.min_picks, s.max_picks) for s in spec.sections] or [
        ("", spec.option_ids(), spec.min_picks, spec.max_picks)
    ]
    for section_id, members, low, high in limits:
        got = sum(1 for c in choices if c in members)
        if got > high:
            return ("too_many_picks", {"section": section_id, "limit": high, "got": got})
        if got < low:
            return ("too_few_picks", {"section": section_id, "limit": low, "got": got})
    return None


@settings(database=None)
@given(st.data())
def test_random_choices_accepted_or_refused_by_the_limits(data: st.DataObject) -> None:
    spec = data.draw(sectioned_specs())
    pool = [*spec.option_ids(), "unknown"]
    choices = data.draw(st.lists(st.sampled_from(pool), max_size=12))
    expected = expected_refusal(spec, choices)
    try:
        ballot = validate_ballot(spec, {"choices": choices})
    except BallotInvalid as error:
        assert expected == (error.code, error.details)
        return
    assert expected is None
    assert ballot.choices == tuple(sorted(set(choices)))
    section_of = spec.section_of()
    for section in spec.sections:
        got = sum(1 for c in ballot.choices if section_of.get(c) == section.id)
        assert section.min_picks <= got <= section.max_picks
        assert remaining_picks(spec, ballot.choices)[section.id] == section.max_picks - got
    assert all(c in section_of for c in ballot.choices) or not spec.sections


@settings(database=None)
@given(sectioned_specs())
def test_generated_specs_round_trip(spec: PollSpec) -> None:
    assert PollSpec.from_dict(spec.to_dict()) == spec


def test_a_spec_refusal_names_the_rule_and_its_numbers() -> None:
    options = [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    data = {"kind": "multiple", "question": "Escolha", "options": options, "min_picks": 0, "max_picks": 3}
    assert spec_refusal(data).details == {"field": "max_picks", "rule": "max_over_options", "limit": 2, "got": 3}
    data.update(min_picks=2, max_picks=1)
    assert spec_refusal(data).details == {"field": "min_picks", "rule": "min_over_max", "min": 2, "max": 1}
    assert spec_refusal({"kind": "single", "question": " "}).details["rule"] == "required"
