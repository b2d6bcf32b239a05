"""Events, agenda, staff links, participants and the screen: the conference service.

Every mutation goes through the CommandRunner (one transaction, publish after
commit). Snapshots are read from the store, so they always match what is durable.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from server.channels import ChannelKind, channel
from server.domain import agenda as agenda_rules
from server.domain.conference import Event, StaffLink
from server.domain.participants import Participant
from server.domain.plenary_settings import plenary_settings
from server.domain.roles import Role
from server.domain.screen import Screen, choose_screen
from server.domain.stream import embed_for
from server.errors import Conflict, Forbidden, InvalidCommand, NotFound, PlenariaError, Unauthorized
from server.identity import Identity, digest, new_secret, receipt_key
from server.service.arrivals import Arrivals
from server.service.batching import Batcher
from server.service.qa import check_name
from server.service.runner import CommandRunner, Outcome
from server.service.sealing import escrow_public
from server.store import Collision, Unit

LANGUAGES = ("pt-BR", "pl", "en", "es")
DEFAULT_SEGMENTS = ("Usuários", "Trabalhadores", "Governo", "Sociedade civil")
_CODE = re.compile(r"^[A-Z0-9]{3,32}$")
MAX_LOOKUPS = 500  # joins whose event and participant are read together
EVENT_FIELDS = (
    "title", "description", "stream_url", "default_lang", "languages", "timezone", "segments", "embed_origins"
)
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
SESSION_FIELDS = ("title", "description", "speakers", "starts_at", "position")


@dataclass(frozen=True, slots=True)
class CreatedEvent:
    event: dict[str, Any]
    organizer_secret: str
    staff: list[dict[str, Any]]


class ConferenceService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        # First visits are written behind the join, in batches: thousands of people open the
        # page in the same minutes.
        self.arrivals = Arrivals(runner)
        self.lookups: Batcher[tuple[str, str], tuple[Event, Participant | None]] = Batcher(
            "lookups", self._look_up, MAX_LOOKUPS)
        self._escrowed: set[int] = set()  # events known to have their ballot escrow key
        # Called with the event id once a session started or ended here (online presence is flushed).
        self.agenda_listeners: list[Callable[[int], Awaitable[None]]] = []

    # -- organizer administration (HTTP) ------------------------------------

    async def create_event(self, fields: Mapping[str, Any]) -> CreatedEvent:
        """Create an event with a moderator and a presenter link; the organizer secret is returned once."""
        values = _event_values(fields, partial=False)
        code = str(fields.get("code") or _random_code()).upper()
        if not _CODE.match(code):
            raise InvalidCommand("join code must be 3-32 letters or digits", code="invalid_field", field="code")
        secret = new_secret()
        staff_secrets = {"moderator": new_secret(), "presenter": new_secret()}
        async def work(db: Unit, out: Outcome) -> None:
            if await db.events.by_code(code) is not None:
                raise InvalidCommand("this join code is taken", code="code_taken", field="code")
            row = await db.events.add(code, digest(secret), self.clock(), values)
            # The key that seals secret polls' keys for recovery (server.service.sealing).
            db.escrow.set(row.id, escrow_public(secret))
            for role, token in staff_secrets.items():
                await db.staff.add(row.id, role, role, digest(token), self.clock())
            out.result = public_event(row)

        result = await self.runner.run("admin", None, work)
        staff = [{"role": role, "token": token} for role, token in staff_secrets.items()]
        return CreatedEvent(result, secret, staff)

    async def authorize_organizer(self, code: str, secret: str) -> int:
        """Return the event id when `secret` is its organizer secret; raises Unauthorized/NotFound."""
        async with self.db.session() as db:
            row = await db.events.by_code(code)
        if row is None:
            raise NotFound("no event with this join code", code="event_not_found")
        if not secret or not secrets.compare_digest(row.organizer_secret_hash, digest(secret)):
            raise Unauthorized("organizer secret required", code="unauthorized")
        if row.id not in self._escrowed:
            await self._ensure_escrow(row.id, secret)
        return row.id

    async def authorize_staff(self, code: str, token: str) -> Identity:
        """The organizer or staff member whose secret `token` is; raises Unauthorized/NotFound."""
        async with self.db.session() as db:
            row = await db.events.by_code(code)
            if row is None:
                raise NotFound("no event with this join code", code="event_not_found")
            if not token:
                raise Unauthorized("a staff link's secret is required", code="unauthorized")
            return await _staff_identity(db, row, token)

    async def _ensure_escrow(self, event_id: int, secret: str) -> None:
        """Give an event made before escrow keys existed its key, from the secret just checked."""
        try:
            async with self.runner.gate, self.db.session() as db:
                if await db.escrow.get(event_id) is None:
                    db.escrow.set(event_id, escrow_public(secret))
        except Collision:
            pass  # another process set it at the same moment
        self._escrowed.add(event_id)

    async def update_event(self, event_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        values = _event_values(fields, partial=True)

        async def work(db: Unit, out: Outcome) -> None:
            await _event(db, event_id)
            row = await db.events.change(event_id, values)
            out.result = public_event(row)
            out.publish(channel(event_id, "public"), "event.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def add_session(self, event_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        values = _session_values(fields, partial=False)

        async def work(db: Unit, out: Outcome) -> None:
            event = await _event(db, event_id)
            if "starts_at" in values:
                values["starts_at"] = agenda_rules.normalise_start(values["starts_at"], event.timezone)
            if "position" not in values:
                values["position"] = len(await db.agenda.of_event(event_id)) + 1
            item = await db.agenda.add(event_id, values)
            out.result = item.to_dict()
            out.publish(channel(event_id, "public"), "session.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def update_session(self, event_id: int, session_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        values = _session_values(fields, partial=True)

        async def work(db: Unit, out: Outcome) -> None:
            items = {item.id: item for item in await db.agenda.of_event(event_id)}
            if session_id not in items:
                raise NotFound("no such session in this event", code="session_not_found")
            if "starts_at" in values:
                event = await _event(db, event_id)
                values["starts_at"] = agenda_rules.normalise_start(values["starts_at"], event.timezone)
            item = replace(items[session_id], **values)
            await db.agenda.save(event_id, [item])
            out.result = item.to_dict()
            out.publish(channel(event_id, "public"), "session.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def delete_session(self, event_id: int, session_id: int) -> None:
        async def work(db: Unit, out: Outcome) -> None:
            if not await db.agenda.delete(event_id, session_id):
                raise NotFound("no such session in this event", code="session_not_found")
            out.publish(channel(event_id, "public"), "session.removed", {"id": session_id})

        await self.runner.run("admin", None, work)

    async def add_staff(self, event_id: int, role: str, label: str) -> dict[str, Any]:
        if role not in ("moderator", "presenter", "checkin"):
            raise InvalidCommand("role must be moderator, presenter or checkin", code="invalid_field", field="role")
        token = new_secret()

        async def work(db: Unit, out: Outcome) -> None:
            row = await db.staff.add(event_id, role, label[:80], digest(token), self.clock())
            out.result = staff_public(row) | {"token": token}

        return await self.runner.run("admin", None, work)

    async def revoke_staff(self, event_id: int, staff_id: int) -> dict[str, Any]:
        async def work(db: Unit, out: Outcome) -> None:
            found = await db.staff.get(staff_id)
            if found is None or found.event_id != event_id:
                raise NotFound("no such staff link", code="staff_not_found")
            row = await db.staff.revoke(staff_id, self.clock())
            out.result = staff_public(row)
            # Every process closes the link's open connections when this reaches its hub.
            out.publish(channel(event_id, "staff"), "staff.revoked", {"id": staff_id, "role": row.role})

        return await self.runner.run("admin", None, work)

    async def rotate_organizer_secret(self, event_id: int) -> str:
        """A new organizer secret (returned this once); the old one stops working at once and
        the connections opened with it are closed on every process. Refused (`secret_poll_sealed`)
        while a secret poll's ballots are sealed; the event's escrow key follows the new secret."""
        secret = new_secret()

        async def work(db: Unit, out: Outcome) -> None:
            await _event(db, event_id)
            # The escrow key that lets the organizer count a secret poll whose key holder died
            # derives from this secret: a sealed poll must be counted under the old one first.
            if any(poll.secret and poll.status != "draft" and poll.result is None
                   for poll in await db.polls.of_event(event_id)):
                raise Conflict("Count the open secret polls before changing the organizer secret.",
                               code="secret_poll_sealed")
            await db.events.change(event_id, {"organizer_secret_hash": digest(secret)})
            await db.escrow.replace(event_id, escrow_public(secret))
            out.publish(channel(event_id, "staff"), "staff.revoked", {"id": None, "role": "organizer"})

        await self.runner.run("admin", None, work)
        return secret

    async def still_valid(self, who: Identity) -> bool:
        """Whether a staff identity's token (or organizer secret) is still the one in force:
        checked before each staff command, so a revocation holds even where its event has
        not arrived yet (another process, a broker outage)."""
        if not who.is_staff:
            return True
        async with self.db.session() as db:
            if who.staff_id is None:
                event = await db.events.get(who.event_id)
                return event is not None and secrets.compare_digest(event.organizer_secret_hash, who.credential)
            row = await db.staff.get(who.staff_id)
            return row is not None and row.revoked_at is None

    async def list_staff(self, event_id: int) -> list[dict[str, Any]]:
        async with self.db.session() as db:
            return [staff_public(row) for row in await db.staff.of_event(event_id)]

    # -- joining ------------------------------------------------------------

    async def join(self, code: str, device: str, token: str, origin: str | None = None) -> Identity:
        """Authenticate a connection: a staff token gives its role, otherwise the device is a participant.

        `origin`: the foreign site of the page connecting, which must be one the event lists in
        `embed_origins` (checked before anything is stored: a refused Origin creates no
        participant). Raises NotFound `event_not_found`, Forbidden `origin_not_allowed`,
        Unauthorized `invalid_token`."""
        if token:
            async with self.db.session() as db:
                event = await db.events.by_code(code)
                if event is None:
                    raise NotFound("no event with this join code", code="event_not_found")
                _check_origin(event, origin)
                return await _staff_identity(db, event, token)
        device_hash = digest(device)
        # Read with every join that queued meanwhile (one trip to the database for a crowd), and
        # from the store each time: an erased participant or a changed event holds at once.
        event, row = await self.lookups.submit((code.upper(), device_hash))
        _check_origin(event, origin)
        if row is None and self.arrivals.just_written(event.id, device_hash):
            # Its first visit committed after that read: the store has its row now.
            async with self.db.session() as db:
                row = (await db.participants.by_devices([(event.id, device_hash)])).get((event.id, device_hash))
        if row is None:
            arrival = await self.arrivals.arrive(event.id, device_hash)
            return Identity(event.id, "participant", arrival.id, arrival.public_id,
                            receipt_key=receipt_key(device), first_visit=True)
        return Identity(event.id, "participant", row.id, row.public_id, name=row.name, segment=row.segment,
                        receipt_key=receipt_key(device))

    async def written(self, who: Identity) -> None:
        """Return once the participant's row is durable (see server/service/arrivals.py): the
        first command of a first visit waits for it; raises `store_unavailable` if it was not."""
        if who.first_visit:
            await self.arrivals.written(who.participant_id)

    async def _look_up(self, joins: list[tuple[str, str]]) -> list[tuple[Event, Participant | None]
                                                                   | PlenariaError]:
        """The event and (if it visited before) the participant of each (join code, device hash)."""
        async with self.db.session() as db:
            events = await db.events.by_codes(code for code, _ in joins)
            rows = await db.participants.by_devices(
                (events[code].id, device) for code, device in joins if code in events)
        answers: list[tuple[Event, Participant | None] | PlenariaError] = []
        for code, device in joins:
            event = events.get(code)
            if event is None:
                answers.append(NotFound("no event with this join code", code="event_not_found"))
            else:
                answers.append((event, rows.get((event.id, device))))
        return answers

    async def event_by_code(self, code: str) -> dict[str, Any] | None:
        async with self.db.session() as db:
            row = await db.events.by_code(code)
            return None if row is None else public_event(row)

    # -- live commands (websocket) ------------------------------------------

    async def update_profile(self, who: Identity, command_id: str, name: str, segment: str) -> dict[str, Any]:

        async def work(db: Unit, out: Outcome) -> None:
            event = await _event(db, who.event_id)
            if segment and segment not in event.segments:
                raise InvalidCommand("unknown segment", code="invalid_segment", field="segment")
            row = await db.participants.get(who.participant_id or 0)
            if row is None:
                raise NotFound("participant not found", code="participant_not_found")
            if name.strip() != row.name:
                await check_name(db, who.event_id, name.strip())
            row = await db.participants.set_profile(row.id, name.strip(), segment)
            out.result = {"participant": {"id": row.public_id, "name": row.name, "segment": row.segment}}

        return await self.runner.run(who.actor, command_id, work)

    async def start_session(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        return await self._agenda_command(who, command_id, session_id, agenda_rules.start_session)

    async def end_session(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        return await self._agenda_command(who, command_id, session_id, agenda_rules.end_session)

    async def _agenda_command(
        self,
        who: Identity,
        command_id: str,
        session_id: int,
        decide: Callable[[Sequence[agenda_rules.AgendaItem], int, float], list[agenda_rules.AgendaItem]],
    ) -> dict[str, Any]:
        async def work(db: Unit, out: Outcome) -> None:
            items = await db.agenda.of_event(who.event_id)
            changed = decide(items, session_id, self.clock())
            await db.agenda.save(who.event_id, changed)
            for item in changed:
                out.publish(channel(who.event_id, "public"), "session.updated", item.to_dict())
            out.result = {"changed": [item.id for item in changed]}

        result = await self.runner.run(who.actor, command_id, work)
        for listener in self.agenda_listeners:
            await listener(who.event_id)
        return result

    async def show_screen(
        self, who: Identity, command_id: str, kind: str, ref: int | None, text: str, seconds: int | None
    ) -> dict[str, Any]:
        screen = choose_screen(kind, ref=ref, text=text, seconds=seconds, now=self.clock())

        async def work(db: Unit, out: Outcome) -> None:
            await _event(db, who.event_id)
            event = await db.events.change(who.event_id, {"screen": screen.to_dict()})
            out.result = {"screen": event.screen}
            out.publish(channel(who.event_id, "public"), "screen.updated", event.screen)

        return await self.runner.run(who.actor, command_id, work)

    # -- snapshots ----------------------------------------------------------

    async def snapshot(self, event_id: int, kind: ChannelKind, role: Role) -> dict[str, Any]:
        """The whole state a client of `kind` needs; built from the store."""
        async with self.db.session() as db:
            event = await _event(db, event_id)
            if kind == "staff":
                return {"staff": [staff_public(row) for row in await db.staff.of_event(event_id)]}
            items = await db.agenda.of_event(event_id)
        live = agenda_rules.live_session(items)
        return {
            "event": public_event(event),
            "agenda": [item.to_dict() for item in items],
            "live_session": live.id if live else None,
            "screen": Screen.from_dict(event.screen).to_dict(),
        }


async def _event(db: Unit, event_id: int) -> Event:
    row = await db.events.get(event_id)
    if row is None:
        raise NotFound("no such event", code="event_not_found")
    return row


def _check_origin(event: Event, origin: str | None) -> None:
    if origin is not None and origin not in event.embed_origins:
        raise Forbidden("this site may not connect to this event", code="origin_not_allowed")


async def _staff_identity(db: Unit, event: Event, token: str) -> Identity:
    credential = digest(token)
    if secrets.compare_digest(event.organizer_secret_hash, credential):
        return Identity(event.id, "organizer", credential=credential)
    row = await db.staff.by_hash(credential)
    if row is None or row.event_id != event.id or row.revoked_at is not None:
        raise Unauthorized("this staff link is not valid (revoked or mistyped)", code="invalid_token")
    role: Role = row.role if row.role in ("moderator", "checkin") else "presenter"  # type: ignore[assignment]
    return Identity(event.id, role, staff_id=row.id, name=row.label, credential=credential)


def public_event(row: Event) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "title": row.title,
        "description": row.description,
        "stream_url": row.stream_url,
        "stream": embed_for(row.stream_url).to_dict(),
        "default_lang": row.default_lang,
        "languages": list(row.languages),
        "timezone": row.timezone,
        "segments": list(row.segments),
        "embed_origins": list(row.embed_origins),
        "plenary": plenary_settings(row.settings).public(),
    }


def staff_public(row: StaffLink) -> dict[str, Any]:
    return {"id": row.id, "role": row.role, "label": row.label, "revoked": row.revoked_at is not None}


def _random_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _event_values(fields: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    allowed = set(EVENT_FIELDS) | {"code"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidCommand(f"unknown field {sorted(unknown)[0]!r}", code="invalid_field", field=sorted(unknown)[0])
    values: dict[str, Any] = {}
    if not partial or "title" in fields:
        values["title"] = _text(fields, "title", 200, required=True)
    for key, limit in (("description", 4000), ("stream_url", 1000), ("timezone", 64)):
        if key in fields:
            values[key] = _text(fields, key, limit)
    if "stream_url" in values:
        embed_for(values["stream_url"])  # validates
    if "default_lang" in fields:
        lang = fields["default_lang"]
        if lang not in LANGUAGES:
            raise InvalidCommand(f"language must be one of {LANGUAGES}", code="invalid_field", field="default_lang")
        values["default_lang"] = lang
    if "languages" in fields:
        langs = fields["languages"]
        if not isinstance(langs, list) or not langs or any(lang not in LANGUAGES for lang in langs):
            raise InvalidCommand(f"languages must list some of {LANGUAGES}", code="invalid_field", field="languages")
        values["languages"] = list(dict.fromkeys(langs))
    elif not partial:
        values["languages"] = list(LANGUAGES)
    if "segments" in fields:
        segs = fields["segments"]
        if not isinstance(segs, list) or len(segs) > 20 or any(
            not isinstance(s, str) or not s.strip() or len(s) > 40 for s in segs
        ):
            raise InvalidCommand("segments must be up to 20 names of 1-40 characters", code="invalid_field",
                                 field="segments")
        values["segments"] = [s.strip() for s in segs]
    elif not partial:
        values["segments"] = list(DEFAULT_SEGMENTS)
    if "embed_origins" in fields:
        origins = fields["embed_origins"]
        if not isinstance(origins, list) or len(origins) > 20 or any(
            not isinstance(o, str) or not _ORIGIN.match(o) for o in origins
        ):
            raise InvalidCommand("embed_origins must be up to 20 origins like https://example.org",
                                 code="invalid_field", field="embed_origins")
        values["embed_origins"] = list(dict.fromkeys(origins))
    return values


def _session_values(fields: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise InvalidCommand(f"unknown field {sorted(unknown)[0]!r}", code="invalid_field", field=sorted(unknown)[0])
    values: dict[str, Any] = {}
    if not partial or "title" in fields:
        values["title"] = _text(fields, "title", 200, required=True)
    for key, limit in (("description", 4000), ("speakers", 500), ("starts_at", 32)):
        if key in fields:
            values[key] = _text(fields, key, limit)
    if "position" in fields:
        position = fields["position"]
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 10_000:
            raise InvalidCommand("position must be an integer 0-10000", code="invalid_field", field="position")
        values["position"] = position
    return values


def _text(fields: Mapping[str, Any], key: str, limit: int, *, required: bool = False) -> str:
    value = fields.get(key, "")
    if not isinstance(value, str):
        raise InvalidCommand(f"{key} must be text", code="invalid_field", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidCommand(f"{key} is required", code="invalid_field", field=key)
    if len(value) > limit:
        raise InvalidCommand(f"{key} is longer than {limit} characters", code="invalid_field", field=key)
    return value
