"""The ata: composed from the conference's record while it is a draft, frozen once final.

While the ata is a draft every request composes it again from what the store holds now
(sessions, votes and their decisions, who spoke, moções, elections, the secretary's notes).
`finalize` composes it one last time, stores that document with its SHA-256 fingerprint and
from then on serves the stored document only: a late recount, an edited session title or an
erased participant no longer changes a signed ata. Notes are refused once it is final.
"""

from __future__ import annotations

from typing import Any

from server.domain import ata
from server.errors import Conflict, InvalidCommand, NotFound
from server.local_time import formatter
from server.service.exports import ExportService
from server.service.runner import CommandRunner
from server.store.ata import FinalAta

MAX_NOTE = 8000


class AtaService:
    def __init__(self, runner: CommandRunner, exports: ExportService) -> None:
        self.db = runner.db
        self.clock = runner.clock
        self.exports = exports

    async def view(self, event_id: int) -> dict[str, Any]:
        """`{document, final, fingerprint, finalized_at, notes}`; `fingerprint` is the stored one when
        final, else the hash the draft would have now (it changes with the record)."""
        async with self.db.session() as db:
            frozen = await db.ata.final(event_id)
            notes = await db.ata.notes(event_id)
        if frozen is not None:
            return {"document": frozen.document, "final": True, "fingerprint": frozen.fingerprint,
                    "finalized_at": frozen.finalized_at, "notes": notes}
        document = await self.compose(event_id)
        return {"document": document, "final": False, "fingerprint": ata.fingerprint(document),
                "finalized_at": None, "notes": notes}

    async def compose(self, event_id: int) -> ata.Document:
        report = await self.exports.report(event_id)
        results = await self.exports.poll_results(event_id)
        async with self.db.session() as db:
            record = {
                "event": report["event"], "sessions": report["sessions"], "proposals": report["proposals"],
                "elections": report["elections"], "notes": await db.ata.notes(event_id),
                "speakers": await db.ata.speakers_heard(event_id), "motions": await db.ata.motions(event_id),
            }
            decided = await db.ata.decisions(event_id)
        record["polls"] = [{**entry, "decision": decided.get(entry["poll"]["id"])} for entry in results]
        event = report["event"]
        when = formatter(str(event.get("timezone", "")), ata.language(str(event.get("default_lang", ""))))
        return ata.compose(record, when)

    async def set_note(self, event_id: int, session_id: int, text: str) -> dict[str, Any]:
        """Store the secretary's note for a session ("" removes it). Raises Conflict (`ata_final`)
        once the ata is final, NotFound for a session of another event, InvalidCommand when too long."""
        if len(text) > MAX_NOTE:
            raise InvalidCommand(f"A note has at most {MAX_NOTE} characters.", code="too_long", limit=MAX_NOTE)
        async with self.db.session() as db:
            if await db.ata.final(event_id) is not None:
                raise Conflict("The ata is final; its notes are frozen.", code="ata_final")
            if not await db.ata.session_exists(event_id, session_id):
                raise NotFound("no such session", code="session_not_found")
            await db.ata.set_note(event_id, session_id, text.strip(), self.clock())
        return {"session": session_id, "text": text.strip()}

    async def finalize(self, event_id: int) -> FinalAta:
        """Freeze the ata as it is now; asking again returns the ata already frozen."""
        async with self.db.session() as db:
            frozen = await db.ata.final(event_id)
            if frozen is not None:
                return frozen
        document = await self.compose(event_id)
        fingerprint = ata.fingerprint(document)
        now = self.clock()
        try:
            async with self.db.session() as db:
                await db.ata.freeze(event_id, document, fingerprint, now)
        except Conflict:
            pass  # frozen meanwhile by another request: that one is the final ata
        async with self.db.session() as db:
            stored = await db.ata.final(event_id)
        assert stored is not None
        return stored
