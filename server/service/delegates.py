"""Delegate credentials: import from CSV, one-time codes, claiming on a device, revoke and reissue.

A code is 8 characters from an alphabet without look-alikes (40 bits), shown as
XXXX-XXXX and stored only as a hash scoped to the event. Claiming is one
conditional UPDATE (`status = 'issued'`), so a code works once even when two
devices enter it at the same moment; a device holds at most one credential
(unique constraint). Revoking releases the device; reissuing gives the same
delegate a new code (the old one stops working), and because delegates-only
polls count ballots per delegate, not per device, a reissued credential cannot
vote twice in the same poll.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.channels import channel
from server.domain.roles import require
from server.errors import Conflict, InvalidCommand, NotFound
from server.service.identity import Identity
from server.service.runner import CommandRunner, Outcome
from server.store import conference as events
from server.store import delegates as repo
from server.store.poll_tables import DelegateRow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_DELEGATES = 5000
MAX_NAME = 120
_HEADER_NAMES = {"name", "nome", "nombre", "imię", "imie", "imię i nazwisko", "nazwisko"}
_HEADER_SEGMENTS = {"segment", "segmento", "grupa"}


def new_code() -> str:
    # 32 letters: each random byte's low 5 bits pick one uniformly (32 divides 256), at a
    # fraction of the cost of secrets.choice (an import makes thousands).
    raw = "".join(CODE_ALPHABET[byte & 31] for byte in secrets.token_bytes(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def code_hash(event_id: int, code: str) -> str:
    """Case, spaces and dashes do not matter; the hash is scoped to the event."""
    clean = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"plenaria-delegate:{event_id}:{clean}".encode()).hexdigest()


def delegate_public(row: DelegateRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "segment": row.segment, "status": row.status}


def parse_csv(text: str, segments: Sequence[str]) -> list[tuple[str, str]]:
    """`name,segment` rows (header optional; `;` or tab also accepted) -> [(name, segment)].

    Raises InvalidCommand (`invalid_csv`) naming the line of the first bad row:
    a missing name, a name over 120 characters, or a segment the event does not have
    (matched case-insensitively; an empty segment is allowed).
    """
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    known = {s.casefold(): s for s in segments}
    rows: list[tuple[str, str]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        name = cells[0]
        segment = cells[1] if len(cells) > 1 else ""
        if number == 1 and name.casefold() in _HEADER_NAMES and segment.casefold() in _HEADER_SEGMENTS | {""}:
            continue
        if not name or len(name) > MAX_NAME:
            raise InvalidCommand(f"line {number}: a name of 1-{MAX_NAME} characters is required",
                                 code="invalid_csv", line=number)
        if segment and segment.casefold() not in known:
            raise InvalidCommand(f"line {number}: unknown segment {segment!r}", code="invalid_csv", line=number,
                                 segments=list(segments))
        rows.append((name, known.get(segment.casefold(), "")))
        if len(rows) > MAX_DELEGATES:
            raise InvalidCommand(f"at most {MAX_DELEGATES} delegates per import", code="invalid_csv", line=number)
    if not rows:
        raise InvalidCommand("the list has no delegates", code="invalid_csv", line=0)
    return rows


class DelegateService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock

    async def import_csv(self, event_id: int, text: str) -> list[dict[str, Any]]:
        """Create one credential per row; returns them with their codes (shown this once only)."""

        async def work(db: AsyncSession, out: Outcome) -> None:
            event = await events.event_by_id(db, event_id)
            if event is None:
                raise NotFound("no such event", code="event_not_found")
            parsed = parse_csv(text, event.segments)
            codes = [new_code() for _ in parsed]
            now = self.clock()
            hashes = [code_hash(event_id, code) for code in codes]
            ids = await repo.add_many(db, event_id, [
                {"event_id": event_id, "name": name, "segment": segment, "code_hash": hashed, "status": "issued",
                 "issued_at": now}
                for (name, segment), hashed in zip(parsed, hashes, strict=True)
            ])
            listed = [{"id": ids[hashed], "name": name, "segment": segment, "status": "issued"}
                      for hashed, (name, segment) in zip(hashes, parsed, strict=True)]
            out.result = {"delegates": [entry | {"code": code} for entry, code in zip(listed, codes, strict=True)]}
            for entry in listed:
                out.publish(channel(event_id, "staff"), "delegate.updated", entry)

        result = await self.runner.run("admin", None, work)
        return list(result["delegates"])

    async def listing(self, event_id: int) -> dict[str, Any]:
        async with self.db.session() as db:
            rows = await repo.of_event(db, event_id)
            counts = await repo.counts(db, event_id)
        return {"delegates": [delegate_public(row) for row in rows], "counts": counts}

    async def revoke(self, event_id: int, delegate_id: int) -> dict[str, Any]:
        """The code stops working and the device holding it is no longer this delegate."""

        async def work(db: AsyncSession, out: Outcome) -> None:
            row = await _delegate(db, event_id, delegate_id)
            row.status, row.participant_id, row.revoked_at = "revoked", None, self.clock()
            db.add(row)
            out.result = delegate_public(row)
            out.publish(channel(event_id, "staff"), "delegate.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def reissue(self, event_id: int, delegate_id: int) -> dict[str, Any]:
        """A new code for the same delegate (old code and device released); returns it with `code`."""
        code = new_code()

        async def work(db: AsyncSession, out: Outcome) -> None:
            row = await _delegate(db, event_id, delegate_id)
            row.code_hash, row.status, row.participant_id = code_hash(event_id, code), "issued", None
            row.issued_at, row.used_at, row.revoked_at = self.clock(), None, None
            db.add(row)
            out.result = delegate_public(row)
            out.publish(channel(event_id, "staff"), "delegate.updated", out.result)

        return await self.runner.run("admin", None, work) | {"code": code}

    async def redeem(self, who: Identity, command_id: str, code: str) -> dict[str, Any]:
        """Make this device the delegate of `code`. Errors: `invalid_code`, `code_used`,
        `code_revoked`, `already_delegate` (this device holds another credential)."""
        require(who.role, "delegate.redeem")
        participant_id = who.participant_id
        if participant_id is None:
            raise InvalidCommand("Only participants redeem credentials.", code="forbidden")

        async def work(db: AsyncSession, out: Outcome) -> None:
            row = await repo.by_code(db, who.event_id, code_hash(who.event_id, code))
            if row is None or row.id is None:
                raise NotFound("This code is not valid; check it and try again.", code="invalid_code")
            if row.status == "revoked":
                raise Conflict("This code was revoked.", code="code_revoked")
            if row.status == "used" and row.participant_id != participant_id:
                raise Conflict("This code was already used.", code="code_used")
            if row.status == "issued":
                held = await repo.of_participant(db, who.event_id, participant_id)
                if held is not None:
                    raise Conflict("This device already holds a credential.", code="already_delegate",
                                   delegate=delegate_public(held))
                if not await repo.claim(db, row.id, participant_id, self.clock()):
                    raise Conflict("This code was already used.", code="code_used")
            view = delegate_public(row) | {"status": "used"}
            if row.status == "issued":
                out.publish(channel(who.event_id, "staff"), "delegate.updated", view)
            out.result = {"delegate": view}

        return await self.runner.run(who.actor, command_id, work)


async def _delegate(db: AsyncSession, event_id: int, delegate_id: int) -> DelegateRow:
    row = await repo.by_id(db, event_id, delegate_id)
    if row is None:
        raise NotFound("no such delegate", code="delegate_not_found")
    return row
