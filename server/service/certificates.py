"""Certificates of participation: attendance in the room and online, issued above a threshold.

Attendance is the time a delegate was present while a session was live: checked in at the door,
connected online from the device that redeemed their credential (server/service/presence.py), or
either, as the organizer chooses (server/domain/certificates.py). The organizer sets the threshold
in minutes and issues the certificates in bulk: each delegate who reaches it gets one, with a
random verification code anyone can check on the public page `/verify/{code}`. A delegate who
reaches it can also download their own from their page (`mine`), which issues it if needed.
Issuing again keeps the codes and updates the minutes.

Certificates go to credential holders only: their name is the organizer's list, not one a
visitor typed.
"""

from __future__ import annotations

import secrets
from typing import Any

from server.domain import certificates as rules
from server.domain import presence as presence_rules
from server.errors import Conflict, Forbidden, InvalidCommand, NotFound, Unauthorized
from server.identity import digest
from server.local_time import formatter
from server.service.runner import CommandRunner
from server.store.certificates import Person, Policy

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
    def __init__(self, runner: CommandRunner, minute: float = 60.0) -> None:
        """`minute`: seconds of presence per attended minute (60; tests shorten it)."""
        self.db = runner.db
        self.clock = runner.clock
        self.minute = minute

    async def view(self, event_id: int) -> dict[str, Any]:
        """`{min_minutes, sources, people: [{delegate, name, segment, door_minutes, online_minutes,
        online_sessions: {session: minutes}, minutes, eligible, code}]}` (code once issued)."""
        now = self.clock()
        async with self.db.session() as db:
            policy = await db.certificates.policy(event_id)
            people = await db.certificates.people(event_id)
            log = await db.certificates.door_log(event_id)
            windows = await db.presence.windows(event_id)
            pieces = await db.presence.pieces(event_id)
            codes = {one.delegate_id: one.code for one in await db.certificates.issued(event_id)}
        by_participant: dict[int, list[presence_rules.Piece]] = {}
        for piece in pieces:  # grouped once: an event's pieces are many, its delegates too
            by_participant.setdefault(piece.participant_id, []).append(piece)
        rows = []
        for person in people:
            own = by_participant.get(person.participant_id, []) if person.participant_id is not None else []
            row = self._attendance(person, log.get(person.delegate_id, []), own, windows, policy, now)
            rows.append({**row, "code": codes.get(person.delegate_id)})
        return {"min_minutes": policy.min_minutes, "sources": policy.sources, "people": rows}

    def _attendance(self, person: Person, log: list[tuple[float, str]], pieces: list[presence_rules.Piece],
                    windows: list[presence_rules.Window], policy: Policy, now: float) -> dict[str, Any]:
        live_times = [(w.start, w.end if w.end is not None else max(w.start, now)) for w in windows]
        sessions = {w.session_id for w in windows}
        mine = [p for p in pieces if p.participant_id == person.participant_id and p.session_id in sessions]
        found = rules.attendance(rules.in_room(log, now), [(p.start, p.end) for p in mine], live_times,
                                 policy.sources, self.minute)
        per_session = presence_rules.seconds_by_session(mine).get(person.participant_id or 0, {})
        return {"delegate": person.delegate_id, "name": person.name, "segment": person.segment,
                "door_minutes": round(found.door, 1), "online_minutes": round(found.online, 1),
                "online_sessions": {str(s): round(seconds / self.minute, 1) for s, seconds in per_session.items()},
                "minutes": round(found.minutes, 1),
                "eligible": found.minutes > 0 and found.minutes >= policy.min_minutes}

    async def set_threshold(self, event_id: int, minutes: int, sources: str | None = None) -> dict[str, Any]:
        """The threshold in minutes and, when given, what counts (`both`, `door`, `online`)."""
        if type(minutes) is not int or not 0 <= minutes <= MAX_THRESHOLD:
            raise InvalidCommand(f"min_minutes is between 0 and {MAX_THRESHOLD}.", code="invalid_field",
                                 field="min_minutes")
        if sources is not None and sources not in rules.SOURCES:
            raise InvalidCommand(f"sources is one of {', '.join(rules.SOURCES)}.", code="invalid_field",
                                 field="sources")
        async with self.db.session() as db:
            current = await db.certificates.policy(event_id)
            policy = Policy(minutes, sources or current.sources)
            await db.certificates.set_policy(event_id, policy)
        return {"min_minutes": policy.min_minutes, "sources": policy.sources}

    async def status(self, code: str, device: str) -> dict[str, Any]:
        """The attendance of the delegate on this device (`mine` without issuing): `{name,
        door_minutes, online_minutes, minutes, min_minutes, eligible, code}`. Raises Unauthorized
        `unknown_device` when the device never joined the event, Forbidden `no_credential` when
        it holds no credential in force."""
        event_id, person = await self._person(code, device)
        now = self.clock()
        async with self.db.session() as db:
            policy = await db.certificates.policy(event_id)
            log = await db.certificates.door_log_of(event_id, person.delegate_id)
            windows = await db.presence.windows(event_id)
            pieces = await db.presence.pieces(event_id, person.participant_id)
            issued = [one.code for one in await db.certificates.issued(event_id) if one.delegate_id ==
                      person.delegate_id]
        row = self._attendance(person, log, pieces, windows, policy, now)
        return {**row, "min_minutes": policy.min_minutes, "code": issued[0] if issued else None}

    async def mine(self, code: str, device: str, base_url: str) -> dict[str, Any]:
        """The certificate of the delegate on this device as a block document, issued (or updated)
        now. Raises as `status` does, and Conflict `below_threshold` when they have not reached it."""
        found = await self.status(code, device)
        if not found["eligible"]:
            raise Conflict("your attendance has not reached the certificate's minimum yet", code="below_threshold",
                           minutes=found["minutes"], min_minutes=found["min_minutes"])
        event_id, person = await self._person(code, device)
        async with self.db.session() as db:
            issued = await db.certificates.issue(event_id, person.delegate_id, new_code(), found["minutes"],
                                                 self.clock())
        (document,) = [one for one in await self.documents(event_id, base_url) if one["code"] == issued]
        return document

    async def _person(self, code: str, device: str) -> tuple[int, Person]:
        async with self.db.session() as db:
            found = await db.certificates.participant_by_device(code, digest(device))
            if found is None:
                raise Unauthorized("this device has not joined the event", code="unknown_device")
            person = await db.certificates.person_of(*found)
        if person is None:
            raise Forbidden("certificates go to the delegates on the organizer's list: redeem your credential",
                            code="no_credential")
        return found[0], person

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
        return [{**rules.certificate(lang, name=one.name, event=event.title, minutes=one.minutes, date=date,
                                     code=one.code, verify_url=f"{base_url}/verify/{one.code}"), "code": one.code}
                for one in issued]

    async def verify(self, code: str) -> dict[str, Any] | None:
        async with self.db.session() as db:
            found = await db.certificates.verify(normalise_code(code))
        if found is None:
            return None
        return {"code": normalise_code(code), "name": found.name, "event": found.event_title,
                "lang": rules.language(found.event_lang), "minutes": round(found.minutes, 1),
                "issued_at": found.issued_at}
