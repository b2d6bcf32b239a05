"""The speakers' list: participants ask for the floor, the chair gives and times it.

Every command runs through the CommandRunner (exactly once, one transaction with its
audit entry, published after the commit). The list of an agenda item is read and
written whole with its version, so concurrent changes from two processes cannot
both commit. Each change publishes `speakers.updated` with the whole list on the
public channel: the projector, the overlay and the phones show the same countdown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from server.channels import ChannelKind, channel
from server.domain.speakers import SpeakersList
from server.errors import InvalidCommand, NotFound
from server.service.identity import Identity
from server.service.runner import CommandRunner, Outcome
from server.store import Unit
from server.store import procedure as repo

Change = Callable[[SpeakersList, float], SpeakersList]
SPEECH_COLUMNS = ("session", "request", "participant", "name", "segment", "stance", "requested_at", "started_at",
                  "ended_at", "allowed_seconds", "spoken_seconds")
LOG_COLUMNS = ("id", "at", "actor", "action", "target", "detail")


def speech_rows(export: dict[str, Any]) -> list[list[Any]]:
    """One CSV row per speech given (ended or running) of every list in `export` (SpeakersService.export)."""
    rows = []
    for lst in export["speakers"]:
        speeches = lst["spoken"] + ([lst["current"]] if lst["current"] is not None else [])
        for sp in speeches:
            rows.append([lst["session"], sp["request"], sp["public_id"], sp["name"], sp["segment"], sp["stance"],
                         sp["requested_at"], sp["started_at"], sp["ended_at"], sp["allowed"], sp["spoken"]])
    return rows


def log_rows(export: dict[str, Any]) -> list[list[Any]]:
    return [[e["id"], e["at"], e["actor"], e["action"], e["target"], json.dumps(e["detail"], ensure_ascii=False)]
            for e in export["log"]]


class SpeakersService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock

    async def request(self, who: Identity, command_id: str, session_id: int, stance: str) -> dict[str, Any]:
        """Ask for the floor; answers `{request}` with the request's id and place."""
        participant = _participant(who)

        async def work(db: Unit, out: Outcome) -> None:
            lst, version = await self._list(db, who.event_id, session_id)
            person = await repo.speaker(db, who.event_id, participant)
            now = self.clock()
            changed, new = lst.request(person, stance, now)
            await self._save(db, out, who, changed, version, "speakers.request",
                             {"request": new.id, "stance": stance, "public_id": person.public_id})
            place = next(i for i, r in enumerate(changed.queue, start=1) if r.id == new.id)
            out.result = out.result | {"request": new.to_dict() | {"place": place}}

        return await self.runner.run(who.actor, command_id, work)

    async def withdraw(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        participant = _participant(who)
        return await self._change(who, command_id, session_id, "speakers.withdraw",
                                  lambda lst, now: lst.withdraw(participant), {})

    # -- the chair --------------------------------------------------------------------

    async def reorder(self, who: Identity, command_id: str, session_id: int, order: list[int]) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.order",
                                  lambda lst, now: lst.reorder(tuple(order)), {"order": order})

    async def remove(self, who: Identity, command_id: str, session_id: int, request_id: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.remove",
                                  lambda lst, now: lst.remove(request_id), {"request": request_id})

    async def start(self, who: Identity, command_id: str, session_id: int, request_id: int | None,
                    seconds: int | None) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.start",
                                  lambda lst, now: lst.start(now, request_id, seconds),
                                  {"request": request_id, "seconds": seconds})

    async def pause(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.pause", SpeakersList.pause, {})

    async def resume(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.resume", SpeakersList.resume, {})

    async def extend(self, who: Identity, command_id: str, session_id: int, seconds: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.extend",
                                  lambda lst, now: lst.extend(seconds), {"seconds": seconds})

    async def end(self, who: Identity, command_id: str, session_id: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.end", SpeakersList.end, {})

    async def set_open(self, who: Identity, command_id: str, session_id: int, is_open: bool) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.open",
                                  lambda lst, now: lst.set_open(is_open), {"open": is_open})

    async def set_default(self, who: Identity, command_id: str, session_id: int, seconds: int) -> dict[str, Any]:
        return await self._change(who, command_id, session_id, "speakers.default",
                                  lambda lst, now: lst.set_default(seconds), {"seconds": seconds})

    # -- reading ----------------------------------------------------------------------

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """Public: `speakers`, every agenda item's list that has one (the same on every screen)."""
        if kind != "public":
            return {}
        async with self.db.session() as db:
            lists = await repo.speakers_lists(db, who.event_id)
        now = self.clock()
        return {"speakers": [lst.to_dict(now) for lst in lists]}

    async def export(self, event_id: int) -> dict[str, Any]:
        """Every list with its speeches and totals, and the procedure's audit log."""
        async with self.db.session() as db:
            lists = await repo.speakers_lists(db, event_id)
            log = await repo.log_entries(db, event_id)
        now = self.clock()
        return {"speakers": [lst.to_dict(now) for lst in lists], "log": log}

    # -- the one path every change takes ----------------------------------------------

    async def _change(self, who: Identity, command_id: str, session_id: int, action: str, change: Change,
                      detail: dict[str, Any]) -> dict[str, Any]:
        async def work(db: Unit, out: Outcome) -> None:
            lst, version = await self._list(db, who.event_id, session_id)
            changed = change(lst, self.clock())
            await self._save(db, out, who, changed, version, action, detail)

        return await self.runner.run(who.actor, command_id, work)

    async def _list(self, db: Unit, event_id: int, session_id: int) -> tuple[SpeakersList, int]:
        if not await repo.session_exists(db, event_id, session_id):
            raise NotFound("no such session in this event", code="session_not_found")
        return await repo.speakers_list(db, event_id, session_id)

    async def _save(self, db: Unit, out: Outcome, who: Identity, lst: SpeakersList, version: int,
                    action: str, detail: dict[str, Any]) -> None:
        now = self.clock()
        await repo.save_speakers_list(db, who.event_id, lst, version)
        repo.log(db, who.event_id, now, who.actor, action, f"session:{lst.session}", detail)
        view = lst.to_dict(now)
        out.result = out.result or {"speakers": view}
        out.publish(channel(who.event_id, "public"), "speakers.updated", view)


def _participant(who: Identity) -> int:
    if who.participant_id is None:
        raise InvalidCommand("Only participants ask for the floor.", code="forbidden")
    return who.participant_id
