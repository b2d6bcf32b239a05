"""Certificates of participation: attendance in the room and online, and the certificate's words.

A delegate's attendance is the time they were present *while a session was live*: in the room
(the check-in log gives in-room intervals, the agenda gives live intervals, started_at..ended_at,
a session still live running until `now`; the door's minutes are their intersection) or online
(the pieces of connected time server/domain/presence.py keeps, already inside live windows).
Which of the two count is the organizer's choice (`SOURCES`); time both in the room and
connected counts once. A certificate goes to every delegate whose attended minutes reach the
organizer's threshold. `certificate` writes one as a block document (server/pdf.py lays it
out), in pt-BR or pl (the event's language; English and Spanish for the other events).

Pure: no I/O, no clock (`now` and the formatted date arrive from the caller).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Interval = tuple[float, float]
SOURCES = ("both", "door", "online")

WORDS: dict[str, dict[str, str]] = {
    "pt-BR": {"title": "Certificado de participação",
              "body": "Certificamos que {name} participou da {event}, com carga horária de {hours} horas, em {date}.",
              "code": "Código de verificação: {code}", "verify": "Verifique em {url}"},
    "pl": {"title": "Zaświadczenie o udziale",
           "body": "Zaświadcza się, że {name} uczestniczył(a) w wydarzeniu „{event}” w wymiarze {hours} godzin, "
                   "w dniu {date}.",
           "code": "Kod weryfikacyjny: {code}", "verify": "Sprawdź na {url}"},
    "en": {"title": "Certificate of participation",
           "body": "This certifies that {name} took part in {event} for {hours} hours, on {date}.",
           "code": "Verification code: {code}", "verify": "Verify at {url}"},
    "es": {"title": "Certificado de participación",
           "body": "Se certifica que {name} participó en {event}, con una carga horaria de {hours} horas, el {date}.",
           "code": "Código de verificación: {code}", "verify": "Verifique en {url}"},
}


def in_room(log: Iterable[tuple[float, str]], now: float) -> list[Interval]:
    """In-room intervals from `(at, "in" | "out")` entries in time order; an open check-in ends at `now`.
    A repeated "in" or an "out" with no "in" before it changes nothing (the door's log is kept as is)."""
    intervals: list[Interval] = []
    since: float | None = None
    for at, action in log:
        if action == "in" and since is None:
            since = at
        elif action == "out" and since is not None:
            intervals.append((since, at))
            since = None
    if since is not None:
        intervals.append((since, max(since, now)))
    return intervals


def live(sessions: Iterable[tuple[float | None, float | None]], now: float) -> list[Interval]:
    """Live intervals of the sessions that started (a session still live runs until `now`)."""
    return [(start, end if end is not None else max(start, now)) for start, end in sessions if start is not None]


def overlap_minutes(a: Sequence[Interval], b: Sequence[Interval]) -> float:
    """Minutes covered by both interval sets (each set may overlap itself; it is merged first)."""
    total = 0.0
    for start, end in _merged(a):
        for other_start, other_end in _merged(b):
            total += max(0.0, min(end, other_end) - max(start, other_start))
    return total / 60


def inside(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The intervals covered by both sets."""
    return [(max(start, other_start), min(end, other_end)) for start, end in _merged(a)
            for other_start, other_end in _merged(b) if min(end, other_end) > max(start, other_start)]


@dataclass(frozen=True, slots=True)
class Attendance:
    """Minutes in the room and online while a session was live, and the minutes that count."""

    door: float
    online: float
    minutes: float


def attendance(room: Sequence[Interval], online: Sequence[Interval], live_times: Sequence[Interval],
               sources: str, minute: float = 60.0) -> Attendance:
    """`room`: in-room intervals; `online`: connected pieces inside live windows. `minute` is the
    length of a minute in seconds (tests shorten it). Both sources counted: their union."""
    door = inside(room, live_times)
    counted = [*(door if sources in ("both", "door") else []), *(online if sources in ("both", "online") else [])]
    return Attendance(_length(door) / minute, _length(online) / minute, _length(counted) / minute)


def _length(intervals: Sequence[Interval]) -> float:
    return sum(end - start for start, end in _merged(intervals))


def _merged(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def language(lang: str) -> str:
    if lang in WORDS:
        return lang
    return {"pt": "pt-BR", "pl": "pl", "es": "es"}.get(lang.split("-")[0].lower(), "en")


def hours_text(minutes: float, lang: str) -> str:
    """Hours with one decimal, in the language's decimal mark ("2,5" in pt-BR and pl)."""
    text = f"{minutes / 60:.1f}"
    return text if language(lang) == "en" else text.replace(".", ",")


def certificate(lang: str, *, name: str, event: str, minutes: float, date: str, code: str,
                verify_url: str) -> dict[str, Any]:
    """One certificate as a block document (`{"lang", "title", "blocks"}`)."""
    words = WORDS[language(lang)]
    body = words["body"].format(name=name, event=event, hours=hours_text(minutes, lang), date=date)
    return {"lang": language(lang), "title": words["title"], "blocks": [
        {"kind": "p", "text": body},
        {"kind": "p", "text": words["code"].format(code=code)},
        {"kind": "p", "text": words["verify"].format(url=verify_url)},
    ]}
