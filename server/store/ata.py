"""Repository of the ata (`Unit.ata`): notes, the frozen final ata, and the record it reads from
the plenária's procedure (decisions proclaimed from votes, who spoke, moções) as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Conflict
from server.store import procedure
from server.store.ata_tables import AtaFinalRow, AtaNoteRow


@dataclass(frozen=True, slots=True)
class FinalAta:
    document: dict[str, Any]
    fingerprint: str
    finalized_at: float


class AtaRecords:
    """The ata's rows in one transaction; domain values and plain dicts in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def notes(self, event_id: int) -> dict[str, str]:
        """{session id (str): note} for the sessions that have one."""
        rows = await self._db.exec(select(AtaNoteRow).where(AtaNoteRow.event_id == event_id))
        return {str(row.session_id): row.text for row in rows if row.text}

    async def set_note(self, event_id: int, session_id: int, text: str, now: float) -> None:
        row = await self._db.get(AtaNoteRow, (event_id, session_id))
        if row is None:
            row = AtaNoteRow(event_id=event_id, session_id=session_id)
        row.text, row.updated_at = text, now
        self._db.add(row)

    async def session_exists(self, event_id: int, session_id: int) -> bool:
        return await procedure.Procedure(self._db).session_exists(event_id, session_id)

    async def final(self, event_id: int) -> FinalAta | None:
        row = await self._db.get(AtaFinalRow, event_id)
        return None if row is None else FinalAta(dict(row.document), row.fingerprint, row.finalized_at)

    async def freeze(self, event_id: int, document: dict[str, Any], fingerprint: str, now: float) -> None:
        """Store the final ata. Raises Conflict (`ata_final`) when another request froze it first
        (the primary key holds one final ata per event); this transaction is then rolled back."""
        self._db.add(AtaFinalRow(event_id=event_id, document=document, fingerprint=fingerprint, finalized_at=now))
        try:
            await self._db.flush()
        except IntegrityError as exc:
            raise Conflict("The ata is final already.", code="ata_final") from exc

    async def decisions(self, event_id: int) -> dict[int, dict[str, Any]]:
        """{poll id: the decision proclaimed from it} for every vote the procedure called under a
        decision rule: a ballot's block approval, each destaque, each moção (server/domain/floor.py);
        the decision is `server.domain.decision.Decision.public()` with its `explained` words."""
        found: dict[int, dict[str, Any]] = {}

        def keep(call: Mapping[str, Any] | None, decision: Mapping[str, Any] | None) -> None:
            if call is not None and decision is not None:
                found[int(call["poll"])] = dict(decision)

        for deliberation in await procedure.Procedure(self._db).deliberations(event_id):
            keep(deliberation.block_call, deliberation.block_decision)
            for matter in deliberation.matters:
                keep(matter.call, matter.decision)
        motions, _version = await procedure.Procedure(self._db).motions(event_id)
        for motion in motions.motions:
            if motion.matter is not None:
                keep(motion.matter.call, motion.matter.decision)
        return found

    async def speakers_heard(self, event_id: int) -> dict[str, list[str]]:
        """{session id (str): "name (segment)" of everyone who spoke, in speaking order}."""
        heard: dict[str, list[str]] = {}
        for lst in await procedure.Procedure(self._db).speakers_lists(event_id):
            speeches = [*lst.spoken, *([lst.current] if lst.current else [])]
            names = []
            for speech in speeches:
                who = speech.request.speaker
                names.append(f"{who.name} ({who.segment})" if who.segment else who.name)
            if names:
                heard[str(lst.session)] = names
        return heard

    async def motions(self, event_id: int) -> list[dict[str, Any]]:
        """Every moção submitted: kind, addressee, text, author and signatures."""
        found, _version = await procedure.Procedure(self._db).motions(event_id)
        return [{"kind": m.kind, "addressee": m.addressee, "text": m.text, "author": m.author.name,
                 "signatures": len(m.signatures)} for m in found.motions]
