"""Poll specifications and ballot validation.

A `PollSpec` says what is asked and which ballots are acceptable; `validate_ballot`
turns the raw mapping a participant sends into a canonical `Ballot` or refuses it
with a `BallotInvalid` that names the section, limit or option at fault, so the
participant UI can show the exact reason.

Everything here is pure: no I/O, no clock, no framework.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, NoReturn, cast, get_args

from server.domain.decision import DecisionRule, rule_from
from server.domain.ranked import RANKED_METHODS, RankedMethod
from server.errors import BallotInvalid, InvalidCommand

PollKind = Literal["single", "multiple", "yes_no_abstain", "rating", "ranking", "open_text", "election"]
# plurality and approval pick candidates unordered; stv ranks them within each segment and
# counts each segment's seats by single transferable vote (server/domain/ranked_elections.py).
ElectionMethod = Literal["approval", "plurality", "stv"]

POLL_KINDS: frozenset[str] = frozenset(get_args(PollKind))
ELECTION_METHODS: frozenset[str] = frozenset(get_args(ElectionMethod))

MAX_ID_LENGTH = 64
MAX_LABEL_LENGTH = 300
MAX_QUESTION_LENGTH = 500
MAX_OPTIONS = 200
MAX_SECTIONS = 50
MAX_SCHULZE_OPTIONS = 40
RATING_BOUNDS = (0, 10)
TEXT_LENGTH_BOUNDS = (1, 500)

YES_NO_ABSTAIN_IDS = ("yes", "no", "abstain")
# English labels only as a fallback: clients localise yes/no/abstain by option id.
_YES_NO_ABSTAIN_OPTIONS_LABELS = ("Yes", "No", "Abstain")

# Kinds whose ballots pick option ids (as opposed to a number or a text).
OPTION_KINDS: frozenset[str] = frozenset({"single", "multiple", "yes_no_abstain", "ranking", "election"})

_OPTION_KEYS = frozenset({"id", "label", "group", "origin"})
_SECTION_KEYS = frozenset({"id", "title", "option_ids", "min_picks", "max_picks"})
_ELECTION_SECTION_KEYS = _SECTION_KEYS | {"seats", "alternates"}
_BASE_KEYS = frozenset({"kind", "question"})
# Which top-level keys apply to each kind. Keys that do not apply are refused rather
# than ignored, so an organizer never believes a setting is in force when it is not.
_SPEC_KEYS: dict[str, frozenset[str]] = {
    "single": _BASE_KEYS | {"options"},
    "yes_no_abstain": _BASE_KEYS | {"options", "rule"},
    "multiple": _BASE_KEYS | {"options", "sections", "min_picks", "max_picks"},
    "rating": _BASE_KEYS | {"scale_min", "scale_max"},
    "ranking": _BASE_KEYS | {"options", "method", "seats"},
    "open_text": _BASE_KEYS | {"max_text_length"},
    "election": _BASE_KEYS | {"options", "sections", "method"},
}


def _invalid_poll(message: str, field: str, rule: str = "invalid", **details: Any) -> NoReturn:
    """Refuse a spec: `field` is the path of the broken part ("sections[0].max_picks"), `rule`
    which rule it breaks, with the numbers the rule compares (pages translate `rule` and show them)."""
    raise InvalidCommand(message, code="invalid_poll", field=field, rule=rule, **details)


@dataclass(frozen=True, slots=True)
class Option:
    """One answer or candidate. `group` is the axis (eixo) label shown in the UI; `origin` where a
    proposal came from ("CRAS Nações, 13/06 — 2 contributions merged", server.domain.preconference),
    shown under it on the ballot and in the results, and present in the JSON only when set."""

    id: str
    label: str
    group: str = ""
    origin: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "label": self.label, "group": self.group}
        if self.origin:
            data["origin"] = self.origin
        return data


@dataclass(frozen=True, slots=True)
class Section:
    """A block of options with its own pick limits: a proposal scope or an election segment.

    `seats` and `alternates` only apply to elections (they must be 0 otherwise).
    """

    id: str
    title: str
    option_ids: tuple[str, ...]
    min_picks: int = 0
    max_picks: int = 1
    seats: int = 0  # elections: seats to fill in this segment
    alternates: int = 0  # elections: alternates (suplentes) listed after the elected

    def to_dict(self, *, election: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "option_ids": list(self.option_ids),
            "min_picks": self.min_picks,
            "max_picks": self.max_picks,
        }
        if election:
            data["seats"] = self.seats
            data["alternates"] = self.alternates
        return data


@dataclass(frozen=True, slots=True)
class PollSpec:
    """What a poll asks and which ballots it accepts.

    Construction checks every rule and raises `InvalidCommand(code="invalid_poll",
    field=...)` on the first broken one. Two normalisations happen on construction:
    a `yes_no_abstain` poll without options gets the options yes/no/abstain, and
    the sections of an `approval` or `stv` election get `max_picks` equal to their number of
    candidates (approval lets a voter approve every candidate of a segment, STV rank them all).

    The top-level `min_picks`/`max_picks` only apply to a `multiple` poll without
    sections; with sections each section carries its own limits.
    """

    kind: PollKind
    question: str
    options: tuple[Option, ...] = ()
    sections: tuple[Section, ...] = ()
    min_picks: int = 1
    max_picks: int = 1
    scale_min: int = 1
    scale_max: int = 5
    max_text_length: int = 80
    method: ElectionMethod = "plurality"
    # Ranking polls: how the rankings are counted, and the places an STV count fills.
    ranking_method: RankedMethod = "borda"
    seats: int = 1
    # A decision vote's quorum and majority (yes_no_abstain only): see server/domain/decision.py.
    rule: DecisionRule | None = None
    # Derived once: every ballot of a burst is validated against them.
    _option_ids: tuple[str, ...] = field(init=False, repr=False, compare=False, default=())
    _section_of: Mapping[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # object.__setattr__ because the dataclass is frozen; these are the only two
        # normalisations and they happen before the rules are checked.
        if self.kind == "yes_no_abstain" and not self.options:
            defaults = zip(YES_NO_ABSTAIN_IDS, _YES_NO_ABSTAIN_OPTIONS_LABELS, strict=True)
            object.__setattr__(self, "options", tuple(Option(i, label) for i, label in defaults))
        if self.kind == "election" and self.method in ("approval", "stv"):
            widened = tuple(replace(s, max_picks=len(s.option_ids)) for s in self.sections)
            object.__setattr__(self, "sections", widened)
        object.__setattr__(self, "_option_ids", tuple(o.id for o in self.options))
        object.__setattr__(self, "_section_of",
                           MappingProxyType({oid: s.id for s in self.sections for oid in s.option_ids}))
        _check_spec(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PollSpec:
        """Build a spec from untrusted JSON, refusing unknown keys and wrong types."""
        return _parse_spec(data)

    def to_dict(self) -> dict[str, Any]:
        """JSON form holding only the keys that apply to the kind; `from_dict` reads it back."""
        data: dict[str, Any] = {"kind": self.kind, "question": self.question}
        keys = _SPEC_KEYS[self.kind]
        if "options" in keys:
            data["options"] = [o.to_dict() for o in self.options]
        if "sections" in keys and self.sections:
            election = self.kind == "election"
            data["sections"] = [s.to_dict(election=election) for s in self.sections]
        if self.kind == "multiple" and not self.sections:
            data["min_picks"] = self.min_picks
            data["max_picks"] = self.max_picks
        if self.kind == "rating":
            data["scale_min"] = self.scale_min
            data["scale_max"] = self.scale_max
        if self.kind == "open_text":
            data["max_text_length"] = self.max_text_length
        if self.kind == "election":
            data["method"] = self.method
        if self.kind == "ranking":
            data["method"] = self.ranking_method
            data["seats"] = self.seats
        if self.rule is not None:
            data["rule"] = self.rule.public()
        return data

    def option_ids(self) -> tuple[str, ...]:
        return self._option_ids

    def section_of(self) -> Mapping[str, str]:
        """Map option id -> id of the section holding it (options outside sections absent)."""
        return self._section_of


# --- spec rules -------------------------------------------------------------------------


def _check_spec(spec: PollSpec) -> None:
    if spec.kind not in POLL_KINDS:
        _invalid_poll(f"Unknown poll kind {spec.kind!r}.", "kind", "unknown_kind")
    _check_text(spec.question, "question", MAX_QUESTION_LENGTH)
    _check_options(spec)
    _check_sections(spec)
    if spec.kind == "multiple" and not spec.sections:
        _check_limits(spec.min_picks, spec.max_picks, len(spec.options), "")
    if spec.kind == "rating":
        _check_scale(spec.scale_min, spec.scale_max)
    if spec.kind == "open_text":
        low, high = TEXT_LENGTH_BOUNDS
        if not low <= spec.max_text_length <= high:
            _invalid_poll(f"max_text_length must be between {low} and {high}.", "max_text_length", "range", min=low,
                          max=high)
    if spec.method not in ELECTION_METHODS:
        _invalid_poll(f"Unknown election method {spec.method!r}.", "method", "unknown_method")
    _check_ranking_count(spec)


def _check_ranking_count(spec: PollSpec) -> None:
    if spec.ranking_method not in RANKED_METHODS:
        _invalid_poll(f"Unknown ranking method {spec.ranking_method!r}.", "method", "unknown_method")
    if spec.kind != "ranking":
        return
    if spec.ranking_method == "schulze" and len(spec.options) > MAX_SCHULZE_OPTIONS:
        # Its strongest paths cost options³ steps, counted at the close on the event loop.
        _invalid_poll(f"A Schulze count takes at most {MAX_SCHULZE_OPTIONS} options.", "options", "method_options",
                      limit=MAX_SCHULZE_OPTIONS)
    if spec.ranking_method != "stv":
        if spec.seats != 1:
            # IRV, Schulze and Borda here pick one winner; several seats are an STV count.
            _invalid_poll("Only an STV count fills several seats.", "seats", "seats_need_stv")
        return
    places = max(len(spec.options) - 1, 1)
    if not 1 <= spec.seats <= places:
        _invalid_poll(f"An STV count fills 1 to {places} seats.", "seats", "range", min=1, max=places)


def _check_text(value: str, field: str, max_length: int) -> None:
    if not value.strip():
        _invalid_poll(f"{field} must not be empty.", field, "required")
    if len(value) > max_length:
        _invalid_poll(f"{field} must be at most {max_length} characters.", field, "too_long", limit=max_length)


def _check_id(value: str, field: str) -> None:
    if not value or value != value.strip():
        _invalid_poll(f"{field} must be non-empty, without surrounding spaces.", field, "required")
    if len(value) > MAX_ID_LENGTH:
        _invalid_poll(f"{field} must be at most {MAX_ID_LENGTH} characters.", field, "too_long", limit=MAX_ID_LENGTH)


def _check_options(spec: PollSpec) -> None:
    if spec.kind not in OPTION_KINDS:
        if spec.options:
            _invalid_poll(f"A {spec.kind} poll takes no options.", "options", "not_for_kind")
        return
    minimum = 2 if spec.kind in ("single", "ranking") else 1
    if not minimum <= len(spec.options) <= MAX_OPTIONS:
        _invalid_poll(f"A {spec.kind} poll needs {minimum} to {MAX_OPTIONS} options.", "options", "options_count",
                      min=minimum, max=MAX_OPTIONS, got=len(spec.options))
    seen: set[str] = set()
    for index, option in enumerate(spec.options):
        field = f"options[{index}]"
        _check_id(option.id, f"{field}.id")
        if option.id in seen:
            _invalid_poll(f"Option id {option.id!r} is used twice.", f"{field}.id", "duplicate")
        seen.add(option.id)
        _check_text(option.label, f"{field}.label", MAX_LABEL_LENGTH)
        for key, value in (("group", option.group), ("origin", option.origin)):
            if len(value) > MAX_LABEL_LENGTH:
                _invalid_poll(f"{field}.{key} must be at most {MAX_LABEL_LENGTH} characters.", f"{field}.{key}",
                              "too_long", limit=MAX_LABEL_LENGTH)
    if spec.kind == "yes_no_abstain" and sorted(seen) != sorted(YES_NO_ABSTAIN_IDS):
        _invalid_poll("A yes_no_abstain poll has exactly the options yes, no and abstain.", "options", "yes_no_abstain")


def _check_sections(spec: PollSpec) -> None:
    if spec.kind not in ("multiple", "election"):
        if spec.sections:
            _invalid_poll(f"A {spec.kind} poll takes no sections.", "sections", "not_for_kind")
        return
    if spec.kind == "election" and not spec.sections:
        _invalid_poll("An election needs one section per segment.", "sections", "election_sections")
    if len(spec.sections) > MAX_SECTIONS:
        _invalid_poll(f"A poll has at most {MAX_SECTIONS} sections.", "sections", "too_many", limit=MAX_SECTIONS)
    known = set(spec.option_ids())
    placed: dict[str, str] = {}
    section_ids: set[str] = set()
    for index, section in enumerate(spec.sections):
        field = f"sections[{index}]"
        _check_id(section.id, f"{field}.id")
        if section.id in section_ids:
            _invalid_poll(f"Section id {section.id!r} is used twice.", f"{field}.id", "duplicate")
        section_ids.add(section.id)
        _check_text(section.title, f"{field}.title", MAX_LABEL_LENGTH)
        _check_section_options(section, field, known, placed)
        _check_seats(spec, section, field)
        _check_limits(section.min_picks, section.max_picks, len(section.option_ids), field)
    if spec.kind == "election":
        for oid in spec.option_ids():
            if oid not in placed:
                _invalid_poll(f"Candidate {oid!r} is in no segment.", "sections", "candidate_unplaced", option=oid)


def _check_section_options(section: Section, field: str, known: set[str], placed: dict[str, str]) -> None:
    if not section.option_ids:
        _invalid_poll(f"Section {section.id!r} has no options.", f"{field}.option_ids", "section_empty")
    for oid in section.option_ids:
        if oid not in known:
            _invalid_poll(f"Section {section.id!r} names unknown option {oid!r}.", f"{field}.option_ids",
                          "unknown_option", option=oid)
        if oid in placed:
            _invalid_poll(
                f"Option {oid!r} is in section {placed[oid]!r} already; an option belongs to one section.",
                f"{field}.option_ids", "option_twice", option=oid,
            )
        placed[oid] = section.id


def _check_limits(min_picks: int, max_picks: int, available: int, field: str) -> None:
    prefix = f"{field}." if field else ""
    if min_picks < 0:
        _invalid_poll("min_picks must not be negative.", f"{prefix}min_picks", "min_negative")
    if max_picks < 1:
        _invalid_poll("max_picks must be at least 1.", f"{prefix}max_picks", "max_below_one")
    if min_picks > max_picks:
        _invalid_poll("min_picks must not exceed max_picks.", f"{prefix}min_picks", "min_over_max", min=min_picks,
                      max=max_picks)
    if max_picks > available:
        _invalid_poll(f"max_picks must not exceed the {available} options offered.", f"{prefix}max_picks",
                      "max_over_options", limit=available, got=max_picks)


def _check_seats(spec: PollSpec, section: Section, field: str) -> None:
    if spec.kind != "election":
        if section.seats or section.alternates:
            _invalid_poll("Only election sections have seats and alternates.", f"{field}.seats", "not_for_kind")
        return
    if section.seats < 1:
        _invalid_poll("An election segment needs at least 1 seat.", f"{field}.seats", "seats_required")
    if section.alternates < 0:
        _invalid_poll("alternates must not be negative.", f"{field}.alternates", "negative")


def _check_scale(scale_min: int, scale_max: int) -> None:
    low, high = RATING_BOUNDS
    if not low <= scale_min < scale_max <= high:
        _invalid_poll(f"The rating scale needs {low} <= scale_min < scale_max <= {high}.", "scale_min", "scale",
                      min=low, max=high)


# --- spec parsing (shape and types; rules are checked by PollSpec itself) ---------------


def _object(data: object, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        _invalid_poll(f"{field or 'The poll'} must be an object.", field, "type")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        where = f"{field}." if field else ""
        _invalid_poll(f"Unknown field {unknown[0]!r}.", f"{where}{unknown[0]}", "unknown_field")
    return cast(Mapping[str, Any], data)


def _str(data: Mapping[str, Any], key: str, field: str, default: str | None = None) -> str:
    path = f"{field}.{key}" if field else key
    if key not in data:
        if default is None:
            _invalid_poll(f"{path} is required.", path, "required")
        return default
    value = data[key]
    if not isinstance(value, str):
        _invalid_poll(f"{path} must be a string.", path, "type")
    return value


def _int(data: Mapping[str, Any], key: str, field: str, default: int) -> int:
    path = f"{field}.{key}" if field else key
    value = data.get(key, default)
    # bool is an int subclass; True as a pick limit is a client bug, not a 1.
    if not isinstance(value, int) or isinstance(value, bool):
        _invalid_poll(f"{path} must be an integer.", path, "type")
    return value


def _list(data: Mapping[str, Any], key: str, field: str) -> list[Any]:
    path = f"{field}.{key}" if field else key
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        _invalid_poll(f"{path} must be a list.", path, "type")
    # Bound the work before looking at the items: the list comes from the network.
    if len(value) > MAX_OPTIONS:
        _invalid_poll(f"{path} has more than {MAX_OPTIONS} items.", path, "too_many", limit=MAX_OPTIONS)
    return list(value)


def _parse_option(data: object, field: str) -> Option:
    raw = _object(data, field, _OPTION_KEYS)
    return Option(id=_str(raw, "id", field), label=_str(raw, "label", field), group=_str(raw, "group", field, ""),
                  origin=_str(raw, "origin", field, ""))


def _parse_section(data: object, field: str, kind: str, method: str) -> Section:
    election = kind == "election"
    raw = _object(data, field, _ELECTION_SECTION_KEYS if election else _SECTION_KEYS)
    option_ids = []
    for index, oid in enumerate(_list(raw, "option_ids", field)):
        if not isinstance(oid, str):
            _invalid_poll("Option ids must be strings.", f"{field}.option_ids[{index}]", "type")
        option_ids.append(oid)
    seats = _int(raw, "seats", field, 0)
    # Plurality: a voter may by default pick as many candidates as there are seats.
    default_max = min(seats, len(option_ids)) if election else 1
    if election and method in ("approval", "stv"):
        default_max = len(option_ids)
        if "max_picks" in raw and raw["max_picks"] != default_max:
            _invalid_poll("Approval and ranked voting allow every candidate; omit max_picks.", f"{field}.max_picks",
                          "approval_max")
    return Section(
        id=_str(raw, "id", field),
        title=_str(raw, "title", field),
        option_ids=tuple(option_ids),
        min_picks=_int(raw, "min_picks", field, 0),
        max_picks=_int(raw, "max_picks", field, default_max),
        seats=seats,
        alternates=_int(raw, "alternates", field, 0),
    )


def _parse_spec(data: Mapping[str, Any]) -> PollSpec:
    if not isinstance(data, Mapping):
        _invalid_poll("The poll must be an object.", "", "type")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in POLL_KINDS:
        _invalid_poll(f"kind must be one of {', '.join(sorted(POLL_KINDS))}.", "kind", "unknown_kind")
    raw = _object(data, "", _SPEC_KEYS[kind])
    ranking = kind == "ranking"
    method = _str(raw, "method", "", "borda" if ranking else "plurality")
    if method not in (RANKED_METHODS if ranking else ELECTION_METHODS):
        choices = "borda, irv, stv or schulze" if ranking else "approval, plurality or stv"
        _invalid_poll(f"method must be {choices}.", "method", "unknown_method")
    if kind == "multiple" and raw.get("sections"):
        for key in ("min_picks", "max_picks"):
            if key in raw:
                _invalid_poll(f"With sections, {key} is set per section.", key, "per_section")
    options = tuple(_parse_option(o, f"options[{i}]") for i, o in enumerate(_list(raw, "options", "")))
    sections = tuple(
        _parse_section(s, f"sections[{i}]", kind, method) for i, s in enumerate(_list(raw, "sections", ""))
    )
    return PollSpec(
        kind=cast(PollKind, kind),
        question=_str(raw, "question", ""),
        options=options,
        sections=sections,
        min_picks=_int(raw, "min_picks", "", 1),
        max_picks=_int(raw, "max_picks", "", 1),
        scale_min=_int(raw, "scale_min", "", 1),
        scale_max=_int(raw, "scale_max", "", 5),
        max_text_length=_int(raw, "max_text_length", "", 80),
        method=cast(ElectionMethod, "plurality" if ranking else method),
        ranking_method=cast(RankedMethod, method if ranking else "borda"),
        seats=_int(raw, "seats", "", 1),
        rule=_parse_rule(raw),
    )


def _parse_rule(raw: Mapping[str, Any]) -> DecisionRule | None:
    rule = raw.get("rule")
    if rule is None:
        return None
    if not isinstance(rule, Mapping):
        _invalid_poll("rule must be an object.", "rule", "type")
    return rule_from(dict(rule))


# --- ballots -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ballot:
    """A canonical, validated ballot.

    `choices` holds one id for single/yes_no_abstain, sorted unique ids for
    multiple/election, ids in rank order for ranking and for an stv election (there grouped
    by segment in segment order, each segment's candidates in the voter's order); `rating` is set only for
    rating polls and `text` (whitespace-normalised) only for open_text polls.
    """

    choices: tuple[str, ...] = ()
    rating: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Stored form: always `choices`; `rating` and `text` only when set."""
        data: dict[str, Any] = {"choices": list(self.choices)}
        if self.rating is not None:
            data["rating"] = self.rating
        if self.text is not None:
            data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ballot:
        """Read the stored form back; raises `BallotInvalid` if it is malformed."""
        raw = _ballot_object(data, frozenset({"choices", "rating", "text"}), frozenset())
        choices = raw.get("choices", [])
        if not isinstance(choices, list | tuple) or not all(isinstance(c, str) for c in choices):
            raise BallotInvalid("choices must be a list of option ids.", field="choices")
        rating = raw.get("rating")
        if rating is not None and not _is_int(rating):
            raise BallotInvalid("rating must be an integer.", field="rating")
        text = raw.get("text")
        if text is not None and not isinstance(text, str):
            raise BallotInvalid("text must be a string.", field="text")
        return cls(choices=tuple(choices), rating=rating, text=text)

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> Ballot:
        """A ballot as the store holds it: written by `to_dict` after `validate_ballot`, so read
        back without checking again (a recount reads every ballot of the poll)."""
        return cls(tuple(data["choices"]), data.get("rating"), data.get("text"))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ballot_object(raw: object, allowed: frozenset[str], required: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise BallotInvalid("A ballot must be an object.")
    for key in raw:
        if key not in allowed:
            raise BallotInvalid(f"Unknown ballot field {str(key)!r}.", field=str(key))
    for key in sorted(required):
        if key not in raw:
            raise BallotInvalid(f"The ballot needs {key!r}.", field=key)
    return cast(Mapping[str, Any], raw)


def validate_ballot(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    """Check a participant's raw ballot against `spec` and return its canonical form.

    Raises `BallotInvalid` with a specific code: `ballot_invalid` (shape, unknown
    keys, wrong types), `unknown_option` (option=id), `duplicate_choice` (option=id),
    `too_many_picks`/`too_few_picks` (section=id or "" for an unsectioned poll,
    limit=n, got=n), `out_of_range` (min, max, got), `text_empty`,
    `text_too_long` (limit, got). Checks run in that order, and a list of
    choices is checked item by item, so the first fault found is reported.
    """
    if spec.kind in ("single", "yes_no_abstain"):
        return _validate_single(spec, raw)
    if spec.kind == "election" and spec.method == "stv":
        return _validate_ranked_election(spec, raw)
    if spec.kind in ("multiple", "election"):
        return _validate_multiple(spec, raw)
    if spec.kind == "ranking":
        return _validate_ranking(spec, raw)
    if spec.kind == "rating":
        return _validate_rating(spec, raw)
    return _validate_text(spec, raw)


def _validate_single(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    data = _ballot_object(raw, frozenset({"choice"}), frozenset({"choice"}))
    choice = data["choice"]
    if not isinstance(choice, str):
        raise BallotInvalid("choice must be an option id.", field="choice")
    if choice not in spec.option_ids():
        raise BallotInvalid(f"{choice!r} is not an option of this poll.", code="unknown_option", option=choice)
    return Ballot(choices=(choice,))


def _read_choices(raw: Mapping[str, Any], key: str, allowed: Iterable[str]) -> list[str]:
    """Read a list of distinct allowed option ids, reporting the first bad item."""
    data = _ballot_object(raw, frozenset({key}), frozenset({key}))
    items = data[key]
    if not isinstance(items, list | tuple):
        raise BallotInvalid(f"{key} must be a list of option ids.", field=key)
    known = set(allowed)
    seen: set[str] = set()
    for item in items:
        # Stops at the first fault, so an oversized list costs at most len(known) + 1 steps.
        if not isinstance(item, str):
            raise BallotInvalid(f"{key} must be a list of option ids.", field=key)
        if item not in known:
            raise BallotInvalid(f"{item!r} is not on this ballot.", code="unknown_option", option=item)
        if item in seen:
            raise BallotInvalid(f"{item!r} is chosen twice.", code="duplicate_choice", option=item)
        seen.add(item)
    return list(items)


def _check_count(section: str, got: int, min_picks: int, max_picks: int) -> None:
    where = f" in section {section!r}" if section else ""
    if got > max_picks:
        raise BallotInvalid(
            f"At most {max_picks} picks allowed{where}; got {got}.",
            code="too_many_picks",
            section=section,
            limit=max_picks,
            got=got,
        )
    if got < min_picks:
        raise BallotInvalid(
            f"At least {min_picks} picks needed{where}; got {got}.",
            code="too_few_picks",
            section=section,
            limit=min_picks,
            got=got,
        )


def _validate_multiple(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    if not spec.sections:
        choices = _read_choices(raw, "choices", spec.option_ids())
        _check_count("", len(choices), spec.min_picks, spec.max_picks)
        return Ballot(choices=tuple(sorted(choices)))
    # With sections, an option outside every section cannot be voted for.
    section_of = spec.section_of()
    choices = _read_choices(raw, "choices", section_of)
    picked = [section_of[c] for c in choices]
    for section in spec.sections:
        _check_count(section.id, picked.count(section.id), section.min_picks, section.max_picks)
    return Ballot(choices=tuple(sorted(choices)))


def _validate_ranked_election(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    # `choices` in preference order; only the order within a segment means anything, so the
    # canonical form groups them by segment (stable), and the same ranking is the same ballot.
    section_of = spec.section_of()
    choices = _read_choices(raw, "choices", section_of)
    picked = [section_of[c] for c in choices]
    for section in spec.sections:
        _check_count(section.id, picked.count(section.id), section.min_picks, section.max_picks)
    place = {s.id: index for index, s in enumerate(spec.sections)}
    return Ballot(choices=tuple(sorted(choices, key=lambda c: place[section_of[c]])))


def _validate_ranking(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    ranking = _read_choices(raw, "ranking", spec.option_ids())
    # A partial ranking is fine, an empty one is not a vote.
    _check_count("", len(ranking), 1, len(spec.options))
    return Ballot(choices=tuple(ranking))


def _validate_rating(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    data = _ballot_object(raw, frozenset({"rating"}), frozenset({"rating"}))
    rating = data["rating"]
    if not _is_int(rating):
        raise BallotInvalid("rating must be an integer.", field="rating")
    if not spec.scale_min <= rating <= spec.scale_max:
        raise BallotInvalid(
            f"The rating must be between {spec.scale_min} and {spec.scale_max}.",
            code="out_of_range",
            min=spec.scale_min,
            max=spec.scale_max,
            got=rating,
        )
    return Ballot(rating=rating)


def normalize_text(text: str) -> str:
    """NFC-normalise and collapse runs of whitespace (newlines included) to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _validate_text(spec: PollSpec, raw: Mapping[str, Any]) -> Ballot:
    data = _ballot_object(raw, frozenset({"text"}), frozenset({"text"}))
    text = data["text"]
    if not isinstance(text, str):
        raise BallotInvalid("text must be a string.", field="text")
    clean = normalize_text(text)
    if not clean:
        raise BallotInvalid("The answer is empty.", code="text_empty")
    if len(clean) > spec.max_text_length:
        raise BallotInvalid(
            f"The answer must be at most {spec.max_text_length} characters.",
            code="text_too_long",
            limit=spec.max_text_length,
            got=len(clean),
        )
    return Ballot(text=clean)


def ranks_choices(spec: Mapping[str, Any]) -> bool:
    """Whether a stored spec's ballots list their choices in preference order (a ranking poll, an
    stv election): exports then give each choice its rank."""
    return spec.get("kind") == "ranking" or (spec.get("kind") == "election" and spec.get("method") == "stv")


def remaining_picks(spec: PollSpec, choices: Iterable[str]) -> dict[str, int]:
    """How many more picks each section allows given the current `choices`.

    Keys are section ids, or "" for a poll without sections (single,
    yes_no_abstain, multiple, ranking). Rating and open_text polls give {}.
    Unknown ids and options outside sections are ignored; values never go below 0.
    """
    chosen = set(choices)
    if spec.kind not in OPTION_KINDS:
        return {}
    if spec.sections:
        return {s.id: max(0, s.max_picks - sum(1 for oid in s.option_ids if oid in chosen)) for s in spec.sections}
    limit = {"multiple": spec.max_picks, "ranking": len(spec.options)}.get(spec.kind, 1)
    return {"": max(0, limit - len(chosen & set(spec.option_ids())))}
