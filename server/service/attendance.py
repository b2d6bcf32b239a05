"""Credenciamento: checking delegates in and out at the door, live attendance per segment.

A delegate is checked in by the code on the credential (scanned from its QR code or typed)
or picked from the list, and checked out the same way; each change is logged with the
staff member and the method, published to staff as `attendance.updated` with the counts per
segment, and exported. The entitled/present count a decision vote keeps is
`server.service.decisions.attendance`.
"""

from __future__ import annotations

from typing import Any, Literal

from server.channels import channel
from server.domain import checkin as rules
from server.domain.checkin import Attendee, CheckAction
from server.domain.plenary_settings import KEY, PlenarySettings, plenary_settings
from server.errors import Conflict, InvalidCommand, NotFound
from server.identity import Identity
from server.service.delegates import code_hash
from server.service.qa import actor_of, audited
from server.service.runner import CommandRunner, Outcome
from server.store import Unit
from server.store import audit as audit_store
from server.store import conference as events

Method = Literal["scan", "typed", "list"]


def attendee_public(one: Attendee) -> dict[str, Any]:
    return {"id": one.delegate_id, "name": one.name, "segment": one.segment, "in_room": one.in_room,
            "online": one.online, "revoked": one.revoked}


async def is_present(db: Unit, event_id: int, delegate_id: int) -> bool:
    """Whether a delegate counts as present now, by the rule decision votes count by
    (`server.domain.checkin.counts_as_present`): the procedure asks it before a delegate marks or signs."""
    settings = await plenary_of(db, event_id)
    one = await db.attendees.get(event_id, delegate_id)
    return one is not None and one.present(settings.online_participation)


async def plenary_of(db: Unit, event_id: int) -> PlenarySettings:
    """An event's plenária settings as stored now (NotFound `event_not_found`)."""
    event = await events.event_by_id(db, event_id)
    if event is None:
        raise NotFound("no such event", code="event_not_found")
    return plenary_settings(event.settings)


class AttendanceService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock

    async def check(self, who: Identity, command_id: str, action: CheckAction, *, code: str | None = None,
                    delegate: int | None = None, method: Method = "list") -> dict[str, Any]:
        """Check one delegate in or out, named by credential `code` or by `delegate` id.

        Returns `{delegate, attendance}`. Errors: `invalid_code` (no such credential),
        `delegate_not_found`, `code_revoked`, `already_checked_in`, `not_checked_in`.
        """
        if (code is None) == (delegate is None):
            raise InvalidCommand("name the delegate by code or by id", code="invalid_field", field="delegate")

        async def work(db: Unit, out: Outcome) -> None:
            if code is not None:
                one = await db.attendees.by_code(who.event_id, code_hash(who.event_id, code))
                if one is None:
                    raise NotFound("This code is not valid; check it and try again.", code="invalid_code")
            else:
                assert delegate is not None
                one = await db.attendees.get(who.event_id, delegate)
                if one is None:
                    raise NotFound("no such delegate", code="delegate_not_found")
            in_room = rules.check(one, action)
            now = self.clock()
            if not await db.attendees.set_in_room(who.event_id, one.delegate_id, in_room, now):
                # Another door changed it first: say what it did, as if it had come before.
                rules.check(await db.attendees.get(who.event_id, one.delegate_id) or one, action)
                raise Conflict("this change collides with another one", code="conflict")
            actor = who.name or who.role
            await db.attendees.log(who.event_id, one.delegate_id, action, method, now, who.staff_id, actor)
            view = await self._view(db, who.event_id)
            changed = attendee_public(one) | {"in_room": in_room}
            out.result = {"delegate": changed, "attendance": view}
            out.publish(channel(who.event_id, "staff"), "attendance.updated", out.result)

        return await self.runner.run(who.actor, command_id, work)

    async def view(self, event_id: int) -> dict[str, Any]:
        """Attendance per segment with the event's plenária settings (the staff snapshot's `attendance`)."""
        async with self.db.session() as db:
            return await self._view(db, event_id)

    async def delegates(self, event_id: int) -> list[dict[str, Any]]:
        """Every delegate with whether they are in the room (the check-in page's list)."""
        async with self.db.session() as db:
            return [attendee_public(one) for one in await db.attendees.of_event(event_id)]

    async def history(self, event_id: int) -> list[dict[str, Any]]:
        async with self.db.session() as db:
            return list(await db.attendees.history(event_id))

    async def settings(self, event_id: int) -> dict[str, Any]:
        async with self.db.session() as db:
            return {"settings": (await plenary_of(db, event_id)).public()}

    async def set_settings(self, who: Identity, command_id: str | None, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the plenária settings (organizer, over the websocket or HTTP), audited; published
        to everyone as `plenary.settings`."""
        async def work(db: Unit, out: Outcome) -> None:
            event = await events.event_by_id(db, who.event_id)
            if event is None:
                raise NotFound("no such event", code="event_not_found")
            updated = plenary_settings(event.settings).changed(changes)
            event.settings = {**(event.settings or {}), KEY: updated.public()}
            db.add(event)
            note = ", ".join(f"{name}={value}" for name, value in sorted(changes.items()))
            audited(out, who.event_id, await audit_store.log(db, who.event_id, actor_of(who), "plenary.settings",
                                                             "event", who.event_id, self.clock(), note=note))
            out.result = {"settings": updated.public()}
            out.publish(channel(who.event_id, "public"), "plenary.settings", out.result)
            out.publish(channel(who.event_id, "staff"), "attendance.updated",
                        {"delegate": None, "attendance": await self._view(db, who.event_id, updated)})

        return await self.runner.run(who.actor, command_id, work)

    async def _view(self, db: Unit, event_id: int, settings: PlenarySettings | None = None) -> dict[str, Any]:
        event = await events.event_by_id(db, event_id)
        if event is None:
            raise NotFound("no such event", code="event_not_found")
        settings = settings or plenary_settings(event.settings)
        counts = rules.by_segment(await db.attendees.groups(event_id), settings.online_participation, event.segments)
        return counts | {"online_participation": settings.online_participation}
