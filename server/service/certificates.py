"""Certificates of participation: attendance from the credenciamento, issued above a threshold.

Attendance is the time a delegate was checked in at the door while a session was live
(server/domain/certificates.py). The organizer sets the threshold in minutes and issues the
certificates in bulk: each delegate who reaches it gets one, with a random verification code
anyone can check on the public page `/verify/{code}`. Issuing again keeps the codes and updates
the minutes. Online presence is not counted yet: the server does not record, per participant,
the minutes connected while a session is live.
"""

from __future__ import annotations

import secrets
from typing import Any

from server.domain import certificates as rules
from server.errors import InvalidCommand, NotFound
from server.local_time import formatter
from server.service.runner import CommandRunner

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
MAX_THRESHOLD = 60 * 24 * 30


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str:
    """A code as typed from paper: case, spaces and dashes do not matter."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw


class CertificateService:
    def __init__(self, runner: CommandRunner) -> None:
        self.db = runner.db
        self.clock = runner.clock

    async def view(self, event_id: int) -> dict[str, Any]:
        """`{min_minutes, people: [{delegate, name, segment, minutes, eligible, code}]}` (code once issued)."""
        now = self.clock()
        async with self.db.session() as db:
            minimum = await db.certificates.threshold(event_id)
            people = await db.certificates.people(event_id)
            log = await db.certificates.door_log(event_id)
            sessions = rules.live(await db.certificates.live_times(event_id), now)
            codes = {one.delegate_id: one.code for one in await db.certificates.issued(event_id)}
        rows = []
        for person in people:
            minutes = rules.overlap_minutes(rules.in_room(log.get(person.delegate_id, []), now), sessions)
            rows.append({"delegate": person.delegate_id, "name": person.name, "segment": person.segment,
                         "minutes": round(minutes, 1), "eligible": minutes > 0 and minutes >= minimum,
                         "code": codes.get(person.delegate_id)})
        return {"min_minutes": minimum, "people": rows}

    async def set_threshold(self, event_id: int, minutes: int) -> dict[str, Any]:
        if type(minutes) is not int or not 0 <= minutes <= MAX_THRESHOLD:
            raise InvalidCommand(f"min_minutes is between 0 and {MAX_THRESHOLD}.", code="invalid_field",
                                 field="min_minutes")
        async with self.db.session() as db:
            await db.certificates.set_threshold(event_id, minutes)
        return {"min_minutes": minutes}

    async def issue(self, event_id: int) -> dict[str, Any]:
        """Issue (or update) a certificate for every delegate at or above the threshold."""
        view = await self.view(event_id)
        now = self.clock()
        async with self.db.session() as db:
            for person in view["people"]:
                if person["eligible"]:
                    await db.certificates.issue(event_id, person["delegate"], new_code(), person["minutes"], now)
        async with self.db.session() as db:
            issued = await db.certificates.issued(event_id)
        return {"issued": len(issued), "min_minutes": view["min_minutes"]}

    async def documents(self, event_id: int, base_url: str) -> list[dict[str, Any]]:
        """Every issued certificate as a block document, in the event's language."""
        async with self.db.session() as db:
            event = await db.certificates.event_facts(event_id)
            issued = await db.certificates.issued(event_id)
            starts = [start for start, _ in await db.certificates.live_times(event_id) if start is not None]
        if event is None:
            raise NotFound("no such event", code="event_not_found")
        lang = rules.language(event.lang)
        date = formatter(event.timezone, lang, clock=False)(min(starts) if starts else None)
        return [rules.certificate(lang, name=one.name, event=event.title, minutes=one.minutes, date=date,
                                  code=one.code, verify_url=f"{base_url}/verify/{one.code}") for one in issued]

    async def verify(self, code: str) -> dict[str, Any] | None:
        async with self.db.session() as db:
            found = await db.certificates.verify(normalise_code(code))
        if found is None:
            return None
        return {"code": normalise_code(code), "name": found.name, "event": found.event_title,
                "lang": rules.language(found.event_lang), "minutes": round(found.minutes, 1),
                "issued_at": found.issued_at}
