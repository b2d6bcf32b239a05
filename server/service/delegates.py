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
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from server.channels import channel
from server.domain.delegates import Delegate
from server.errors import Conflict, InvalidCommand, NotFound
from server.identity import Identity
from server.service.runner import CommandRunner, Outcome
from server.store import Unit

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


def delegate_public(row: Delegate) -> dict[str, Any]:
    """`delegate.updated` data and the organizer's list entry: never the code."""
    return {"id": row.id, "name": row.name, "segment": row.segment, "status": row.status}


def problem(*, code: str, message: str, **details: Any) -> dict[str, Any]:
    """One problem of one CSV row: a stable `code` (translated by the pages as `error.<code>`),
    an English `message` for API users, and the details the translation interpolates."""
    return {"code": code, "message": message, **details}


def check_csv(text: str, segments: Sequence[str], existing: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every `name,segment` row (header optional; `;` or tab also accepted) with its problems.

    Returns `[{line, name, segment, problems: [...]}]`, blank lines left out. A row's problems:
    `name_required`, `name_too_long` (`limit`), `unknown_segment` (`segment`, `segments`; matched
    case-insensitively, an empty segment is fine), `duplicate_name` (`first_line`: the same name,
    case and accents aside, earlier in the list), `already_issued` (the event has a credential in
    that name), `too_many_delegates` (`limit`: past MAX_DELEGATES). Each problem carries `line`.
    """
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    known = {s.casefold(): s for s in segments}
    issued = {_same_name(name) for name in existing}
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    good = 0
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        name = cells[0]
        segment = cells[1] if len(cells) > 1 else ""
        if number == 1 and name.casefold() in _HEADER_NAMES and segment.casefold() in _HEADER_SEGMENTS | {""}:
            continue
        problems = []
        if not name:
            problems.append(problem(code="name_required", message=f"line {number}: a name is required", line=number))
        elif len(name) > MAX_NAME:
            problems.append(problem(code="name_too_long", message=f"line {number}: a name has at most {MAX_NAME} "
                                    "characters", line=number, limit=MAX_NAME))
        if segment and segment.casefold() not in known:
            problems.append(problem(code="unknown_segment", message=f"line {number}: unknown segment {segment!r}",
                                    line=number, segment=segment, segments=list(segments)))
        key = _same_name(name)
        if name and key in seen:
            problems.append(problem(code="duplicate_name", message=f"line {number}: {name!r} is already on line "
                                    f"{seen[key]}", line=number, name=name, first_line=seen[key]))
        elif name and key in issued:
            problems.append(problem(code="already_issued", message=f"line {number}: {name!r} already has a "
                                    "credential", line=number, name=name))
        if name:
            seen.setdefault(key, number)
        if not problems and good >= MAX_DELEGATES:
            problems.append(problem(code="too_many_delegates", message=f"at most {MAX_DELEGATES} delegates per "
                                    "import", line=number, limit=MAX_DELEGATES))
        good += not problems
        rows.append({"line": number, "name": name, "segment": known.get(segment.casefold(), segment),
                     "problems": problems})
    return rows


def parse_csv(text: str, segments: Sequence[str], existing: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The rows of a list where every row is good -> [(name, segment)].

    Raises InvalidCommand (`invalid_csv`) with `line` (the first bad row, 0 for an empty list)
    and `rows` (every row that has problems, as `check_csv` gives them).
    """
    rows = check_csv(text, segments, existing)
    bad = [row for row in rows if row["problems"]]
    if bad:
        first = bad[0]["problems"][0]
        raise InvalidCommand(first["message"], code="invalid_csv", line=bad[0]["line"], rows=bad)
    if not rows:
        raise InvalidCommand("the list has no delegates", code="invalid_csv", line=0, rows=[])
    return [(row["name"], row["segment"]) for row in rows]


def _same_name(name: str) -> str:
    """Names compared as a person would: case, accents and inner spacing aside."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())


class DelegateService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock

    async def preview_csv(self, event_id: int, text: str) -> dict[str, Any]:
        """Check a list without importing it: every row with its problems, and the counts."""
        async with self.db.session() as db:
            event = await db.events.get(event_id)
            if event is None:
                raise NotFound("no such event", code="event_not_found")
            existing = [row.name for row in await db.delegates.of_event(event_id)]
        rows = check_csv(text, event.segments, existing)
        bad = sum(1 for row in rows if row["problems"])
        return {"rows": rows, "valid": len(rows) - bad, "invalid": bad}

    async def import_csv(self, event_id: int, text: str, *, skip_invalid: bool = False) -> dict[str, Any]:
        """Create one credential per row; returns `{delegates, skipped}`, the credentials with their
        codes (shown this once only). A row with a problem refuses the whole list (`invalid_csv`),
        unless `skip_invalid`: then the good rows are imported and the others come back in `skipped`."""

        async def work(db: Unit, out: Outcome) -> None:
            event = await db.events.get(event_id)
            if event is None:
                raise NotFound("no such event", code="event_not_found")
            existing = [row.name for row in await db.delegates.of_event(event_id)]
            skipped: list[dict[str, Any]] = []
            if skip_invalid:
                checked = check_csv(text, event.segments, existing)
                skipped = [row for row in checked if row["problems"]]
                parsed = [(row["name"], row["segment"]) for row in checked if not row["problems"]]
                if not parsed:
                    raise InvalidCommand("the list has no importable delegate", code="invalid_csv",
                                         line=skipped[0]["line"] if skipped else 0, rows=skipped)
            else:
                parsed = parse_csv(text, event.segments, existing)
            codes = [new_code() for _ in parsed]
            now = self.clock()
            hashes = [code_hash(event_id, code) for code in codes]
            ids = await db.delegates.add_many(event_id, [
                {"event_id": event_id, "name": name, "segment": segment, "code_hash": hashed, "status": "issued",
                 "issued_at": now}
                for (name, segment), hashed in zip(parsed, hashes, strict=True)
            ])
            listed = [{"id": ids[hashed], "name": name, "segment": segment, "status": "issued"}
                      for hashed, (name, segment) in zip(hashes, parsed, strict=True)]
            out.result = {"delegates": [entry | {"code": code} for entry, code in zip(listed, codes, strict=True)],
                          "skipped": skipped}
            for entry in listed:
                out.publish(channel(event_id, "staff"), "delegate.updated", entry)

        return await self.runner.run("admin", None, work)

    async def listing(self, event_id: int) -> dict[str, Any]:
        async with self.db.session() as db:
            rows = await db.delegates.of_event(event_id)
            counts = await db.delegates.counts(event_id)
        return {"delegates": [delegate_public(row) for row in rows], "counts": counts}

    async def revoke(self, event_id: int, delegate_id: int) -> dict[str, Any]:
        """The code stops working and the device holding it is no longer this delegate."""

        async def work(db: Unit, out: Outcome) -> None:
            row = await db.delegates.revoke((await _delegate(db, event_id, delegate_id)).id, self.clock())
            out.result = delegate_public(row)
            out.publish(channel(event_id, "staff"), "delegate.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def reissue(self, event_id: int, delegate_id: int) -> dict[str, Any]:
        """A new code for the same delegate (old code and device released); returns it with `code`."""
        code = new_code()

        async def work(db: Unit, out: Outcome) -> None:
            found = await _delegate(db, event_id, delegate_id)
            row = await db.delegates.reissue(found.id, code_hash(event_id, code), self.clock())
            out.result = delegate_public(row)
            out.publish(channel(event_id, "staff"), "delegate.updated", out.result)

        return await self.runner.run("admin", None, work) | {"code": code}

    async def redeem(self, who: Identity, command_id: str, code: str) -> dict[str, Any]:
        """Make this device the delegate of `code`. Errors: `invalid_code`, `code_used`,
        `code_revoked`, `already_delegate` (this device holds another credential)."""
        participant_id = who.participant_id
        if participant_id is None:
            raise InvalidCommand("Only participants redeem credentials.", code="forbidden")

        async def work(db: Unit, out: Outcome) -> None:
            row = await db.delegates.by_code(who.event_id, code_hash(who.event_id, code))
            if row is None:
                raise NotFound("This code is not valid; check it and try again.", code="invalid_code")
            if row.status == "revoked":
                raise Conflict("This code was revoked.", code="code_revoked")
            if row.status == "used" and row.participant_id != participant_id:
                raise Conflict("This code was already used.", code="code_used")
            if row.status == "issued":
                held = await db.delegates.of_participant(who.event_id, participant_id)
                if held is not None:
                    raise Conflict("This device already holds a credential.", code="already_delegate",
                                   delegate=delegate_public(held))
                if not await db.delegates.claim(row.id, participant_id, self.clock()):
                    raise Conflict("This code was already used.", code="code_used")
            view = delegate_public(row) | {"status": "used"}
            if row.status == "issued":
                out.publish(channel(who.event_id, "staff"), "delegate.updated", view)
            out.result = {"delegate": view}

        return await self.runner.run(who.actor, command_id, work)


async def _delegate(db: Unit, event_id: int, delegate_id: int) -> Delegate:
    row = await db.delegates.get(event_id, delegate_id)
    if row is None:
        raise NotFound("no such delegate", code="delegate_not_found")
    return row
