"""Pre-conferences: meetings whose contributions the organizer consolidates into proposals.

A pre-conference meeting is its own event (own join code, the same participant, moderator and
projector screens) linked to the conference it prepares. Its participants submit
contributions, each with an eixo of the conference and a level (municipal, state, federal).
The organizer's team consolidates them: several contributions merge into one final proposal
whose wording may be edited (the contributions' own wording is kept as `original`), with its
eixo and level; every final proposal knows where it came from (`origins`, `origin_label`).
The consolidated list becomes the options of the conference's sectioned ballot (`ballot_spec`).

Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from server.errors import InvalidCommand

Level = Literal["municipal", "state", "federal"]
LEVELS: tuple[Level, ...] = get_args(Level)
MAX_EIXOS = 20
MAX_EIXO_LENGTH = 120
MAX_TEXT_LENGTH = 300  # a ballot option's label (server.domain.polls): a proposal is voted as written
MAX_PLACE_LENGTH = 120
MAX_AREA_LENGTH = 80
MAX_ORIGIN_LENGTH = 300  # what a poll option's origin line holds (server.domain.polls)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

# The origin line's words per language; `ballot_spec` writes it in the conference's language.
_MERGED = {
    "pt-BR": ("contribuição", "contribuições reunidas"),
    "es": ("contribución", "contribuciones reunidas"),
    "en": ("contribution", "contributions merged"),
    "pl": ("wkład", "wkłady połączone"),
}
LEVEL_TITLES = {
    "pt-BR": {"municipal": "Municipal", "state": "Estadual", "federal": "Federal"},
    "es": {"municipal": "Municipal", "state": "Estatal", "federal": "Federal"},
    "en": {"municipal": "Municipal", "state": "State", "federal": "Federal"},
    "pl": {"municipal": "Gminny", "state": "Wojewódzki", "federal": "Krajowy"},
}
BALLOT_QUESTION = {
    "pt-BR": "Propostas das pré-conferências",
    "es": "Propuestas de las preconferencias",
    "en": "Proposals from the pre-conferences",
    "pl": "Wnioski z prekonferencji",
}


@dataclass(frozen=True, slots=True)
class Meeting:
    """A pre-conference meeting: its own event (`event_id`, `code`) preparing `parent_id`."""

    id: int
    parent_id: int
    event_id: int
    code: str
    place: str
    date: str  # YYYY-MM-DD
    area: str = ""  # the neighbourhood or segment it gathers

    def label(self, lang: str) -> str:
        """'CRAS Nações, 13/06' (Polish writes the day and month 13.06)."""
        _, month, day = self.date.split("-")
        return f"{self.place}, {day}.{month}" if lang == "pl" else f"{self.place}, {day}/{month}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "event_id": self.event_id, "code": self.code, "place": self.place,
                "date": self.date, "area": self.area}


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one participant of a meeting proposed; `proposal_id` once consolidated into one."""

    id: int
    meeting_id: int
    author: str  # the participant's public id
    text: str
    eixo: str
    level: Level
    at: float
    proposal_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "meeting": self.meeting_id, "author": self.author, "text": self.text,
                "eixo": self.eixo, "level": self.level, "at": self.at, "proposal": self.proposal_id}


@dataclass(frozen=True, slots=True)
class Draft:
    """A final proposal's wording, classification and the contributions it consolidates."""

    text: str
    original: str  # the contributions' own words, one per line, never edited
    eixo: str
    level: Level
    contribution_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    text: str
    original: str
    eixo: str
    level: Level
    position: int


@dataclass(frozen=True, slots=True)
class Origin:
    """One meeting a proposal came from: how many of its contributions, from how many people."""

    meeting: Meeting
    contributions: int
    supporters: int

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"meeting": self.meeting.id, "place": self.meeting.place, "date": self.meeting.date,
                "area": self.meeting.area, "label": self.meeting.label(lang),
                "contributions": self.contributions, "supporters": self.supporters}


# --- checking what the organizer and participants send -------------------------------------


def check_eixos(raw: object) -> tuple[str, ...]:
    """The conference's eixos, trimmed, distinct and bounded; raises InvalidCommand."""
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise InvalidCommand("eixos must be a list of texts", code="invalid_field", field="eixos")
    eixos = tuple(dict.fromkeys(e.strip() for e in raw if e.strip()))
    if len(eixos) > MAX_EIXOS:
        raise InvalidCommand(f"at most {MAX_EIXOS} eixos", code="invalid_field", field="eixos", limit=MAX_EIXOS)
    if any(len(e) > MAX_EIXO_LENGTH for e in eixos):
        raise InvalidCommand(f"an eixo has at most {MAX_EIXO_LENGTH} characters", code="invalid_field",
                             field="eixos", limit=MAX_EIXO_LENGTH)
    return eixos


def check_date(value: object) -> str:
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None or not (1 <= int(match[2]) <= 12 and 1 <= int(match[3]) <= 31):
        raise InvalidCommand("date must be YYYY-MM-DD", code="invalid_field", field="date")
    return str(value)


def check_text(value: object, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required", code="invalid_field", field=field)
    text = " ".join(value.split())
    if len(text) > max_length:
        raise InvalidCommand(f"{field} has at most {max_length} characters", code="too_long", field=field,
                             limit=max_length)
    return text


def check_classification(eixo: object, level: object, eixos: Sequence[str]) -> tuple[str, Level]:
    """An eixo of the conference and one of LEVELS; raises `invalid_eixo` or `invalid_level`."""
    if not isinstance(eixo, str) or eixo not in eixos:
        raise InvalidCommand("choose one of the conference's eixos", code="invalid_eixo", field="eixo")
    if level not in LEVELS:
        raise InvalidCommand("level must be municipal, state or federal", code="invalid_level", field="level")
    return eixo, level


# --- consolidating ------------------------------------------------------------------------------


def merge(contributions: Sequence[Contribution], eixos: Sequence[str], *, text: str | None = None,
          eixo: str | None = None, level: str | None = None) -> Draft:
    """One final proposal from the given contributions (in the order given).

    Without `text` it takes the first contribution's words; without `eixo` or `level` the one
    every contribution shares, refused (`eixo_required`, `level_required`) when they differ.
    `original` keeps each contribution's own words, whatever the new wording."""
    if not contributions:
        raise InvalidCommand("select at least one contribution", code="invalid_field", field="contributions")
    wording = contributions[0].text if text is None else check_text(text, "text", MAX_TEXT_LENGTH)
    chosen_eixo = eixo if eixo is not None else _shared({c.eixo for c in contributions}, "eixo")
    chosen_level = level if level is not None else _shared({c.level for c in contributions}, "level")
    checked_eixo, checked_level = check_classification(chosen_eixo, chosen_level, eixos)
    original = "\n".join(dict.fromkeys(c.text for c in contributions))
    return Draft(wording, original, checked_eixo, checked_level, tuple(c.id for c in contributions))


def _shared(values: set[str], field: str) -> str:
    if len(values) != 1:
        raise InvalidCommand(f"the contributions differ in {field}: choose one",
                             code="eixo_required" if field == "eixo" else "level_required", field=field)
    return next(iter(values))


def edit(proposal: Proposal, fields: Mapping[str, Any], eixos: Sequence[str]) -> Proposal:
    """The proposal with a new wording, eixo or level (only the keys given; `original` stays)."""
    unknown = sorted(set(fields) - {"text", "eixo", "level"})
    if unknown:
        raise InvalidCommand(f"unknown field {unknown[0]}", code="invalid_field", field=unknown[0])
    text = check_text(fields["text"], "text", MAX_TEXT_LENGTH) if "text" in fields else proposal.text
    eixo, level = check_classification(fields.get("eixo", proposal.eixo), fields.get("level", proposal.level), eixos)
    return replace(proposal, text=text, eixo=eixo, level=level)


def origins(contributions: Iterable[Contribution], meetings: Mapping[int, Meeting]) -> list[Origin]:
    """The meetings the contributions came from, by meeting date then place, with their counts."""
    by_meeting: dict[int, list[Contribution]] = {}
    for contribution in contributions:
        by_meeting.setdefault(contribution.meeting_id, []).append(contribution)
    # An erased author (no public id left) counts once per contribution: nobody can tell them apart.
    found = [Origin(meetings[mid], len(items), len({c.author or f"#{c.id}" for c in items}))
             for mid, items in by_meeting.items() if mid in meetings]
    return sorted(found, key=lambda o: (o.meeting.date, o.meeting.place, o.meeting.id))


def origin_label(found: Sequence[Origin], lang: str) -> str:
    """'CRAS Nações, 13/06 — 2 contributions merged'; one contribution: the meeting alone."""
    if not found:
        return ""
    places = "; ".join(o.meeting.label(lang) for o in found)
    count = sum(o.contributions for o in found)
    if count > 1:
        places = f"{places} — {count} {_MERGED.get(lang, _MERGED['en'])[1]}"
    return _clip(places, MAX_ORIGIN_LENGTH)


def supporters(found: Sequence[Origin]) -> int:
    """How many people's contributions the proposal holds (each meeting's authors counted once)."""
    return sum(o.supporters for o in found)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the ballot -----------------------------------------------------------------------------------


def option_id(proposal_id: int) -> str:
    return f"pc{proposal_id}"


def ballot_spec(proposals: Sequence[Proposal], labels: Mapping[int, str], limits: Mapping[str, int],
                lang: str, question: str = "") -> dict[str, Any]:
    """A sectioned `multiple` poll spec: one section per level holding proposals, in LEVELS
    order, each option a proposal (label its wording, group its eixo, origin its origin line).

    `limits`: how many proposals a voter may choose per level (default: every proposal of it).
    Raises `nothing_to_vote` when no proposal exists."""
    if not proposals:
        raise InvalidCommand("consolidate at least one proposal first", code="nothing_to_vote", field="proposals")
    ordered = sorted(proposals, key=lambda p: (LEVELS.index(p.level), p.position, p.id))
    titles = LEVEL_TITLES.get(lang, LEVEL_TITLES["en"])
    sections = []
    for level in LEVELS:
        ids = [option_id(p.id) for p in ordered if p.level == level]
        if not ids:
            continue
        limit = limits.get(level, len(ids))
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise InvalidCommand("a level's limit is a whole number of at least 1", code="invalid_field",
                                 field=f"limits.{level}")
        sections.append({"id": level, "title": titles[level], "option_ids": ids, "min_picks": 0,
                         "max_picks": min(limit, len(ids))})
    options = [{"id": option_id(p.id), "label": p.text, "group": p.eixo,
                "origin": labels.get(p.id, "")} for p in ordered]
    return {"kind": "multiple", "question": question or BALLOT_QUESTION.get(lang, BALLOT_QUESTION["en"]),
            "options": options, "sections": sections}
