"""Repository of the plenária's procedure: speakers' lists, deliberations, moções, its audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import destaques, mocoes, speakers
from server.domain.polls import PollSpec
from server.errors import Conflict, NotFound
from server.store import delegates
from server.store import polls as poll_repo
from server.store.procedure_tables import DeliberationRow, MotionsRow, ProcedureLogRow, SpeakersListRow
from server.store.tables import AgendaSessionRow, ParticipantRow

ERASED_ACTOR = "erased"  # the actor of log entries whose participant was erased


@dataclass(frozen=True, slots=True)
class PollFacts:
    """What the procedure needs of a poll: its spec and how it runs."""

    id: int
    spec: PollSpec
    status: str
    eligibility: str
    session: int | None



class Procedure:
    """The plenária's procedure in one transaction (`Unit.procedure`): speakers' lists,
    deliberations and moções as domain values, versioned; the audit log; what it reads of
    polls, participants and credentials.

    A document read to be changed is read FOR UPDATE, so on PostgreSQL concurrent writers of
    the same list wait for each other instead of failing; the version check still refuses a
    write over a version it did not read.
    """

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def speakers_list(self, event_id: int, session_id: int) -> tuple[speakers.SpeakersList, int]:
        """The list of one agenda item and the version read (0: none stored yet, an empty open list)."""
        keys = {"event_id": event_id, "session_id": session_id}
        state, version = await self._locked(SpeakersListRow, keys)
        return (speakers.load(state) if version else speakers.SpeakersList(session=session_id)), version

    async def save_speakers_list(self, event_id: int, lst: speakers.SpeakersList, version: int) -> None:
        """Store `lst` over the `version` read; raises Conflict (`conflict`) when another write came first."""
        keys = {"event_id": event_id, "session_id": lst.session}
        await self._save(SpeakersListRow, keys, speakers.dump(lst), version)

    async def _locked(self, model: type[SQLModel], keys: dict[str, int]) -> tuple[dict[str, Any], int]:
        """A document's state and version, its row locked for this transaction (version 0: never
        written). The row is made first when missing, so even the first writers of a document
        wait for each other on the lock rather than collide on the key."""
        table = model.__table__  # type: ignore[attr-defined]
        insert = pg_insert if self._db.get_bind().dialect.name == "postgresql" else sqlite_insert
        await self._db.exec(insert(table).values(**keys, version=0, state={}).on_conflict_do_nothing())
        row: Any = await self._db.get(model, tuple(keys.values()) if len(keys) > 1 else next(iter(keys.values())),
                                 with_for_update=True, populate_existing=True)
        assert row is not None
        return row.state, row.version

    async def _save(self, model: type[SQLModel], keys: dict[str, int], state: dict[str, Any],
                    version: int) -> None:
        """Write a document over the version `_locked` read; raises Conflict (`conflict`) if another
        write came first (the lock makes that rare: a write outside it)."""
        table = model.__table__  # type: ignore[attr-defined]
        result = await self._db.exec(
            update(table)
            .where(*(table.c[name] == value for name, value in keys.items()), table.c.version == version)
            .values(state=state, version=version + 1)
        )
        if result.rowcount != 1:
            raise Conflict("this changed meanwhile; try again", code="conflict")

    async def speakers_lists(self, event_id: int) -> list[speakers.SpeakersList]:
        rows = await self._db.exec(
            select(SpeakersListRow).where(SpeakersListRow.event_id == event_id, col(SpeakersListRow.version) > 0)
            .order_by(col(SpeakersListRow.session_id))
        )
        return [speakers.load(row.state) for row in rows]

    async def deliberation(self, event_id: int, poll_id: int) -> tuple[destaques.Deliberation | None, int]:
        """A proposal ballot's deliberation and the version read (None, 0: none opened yet)."""
        await self.poll_facts(event_id, poll_id)  # poll_not_found before a row that names it is made
        state, version = await self._locked(DeliberationRow, {"event_id": event_id, "poll_id": poll_id})
        return (destaques.load(state) if version else None), version

    async def save_deliberation(self, event_id: int, d: destaques.Deliberation, version: int) -> None:
        await self._save(DeliberationRow, {"event_id": event_id, "poll_id": d.poll}, destaques.dump(d), version)

    async def deliberations(self, event_id: int) -> list[destaques.Deliberation]:
        rows = await self._db.exec(
            select(DeliberationRow).where(DeliberationRow.event_id == event_id, col(DeliberationRow.version) > 0)
            .order_by(col(DeliberationRow.poll_id))
        )
        return [destaques.load(row.state) for row in rows]

    async def motions(self, event_id: int) -> tuple[mocoes.Motions, int]:
        state, version = await self._locked(MotionsRow, {"event_id": event_id})
        return (mocoes.load(state) if version else mocoes.Motions()), version

    async def save_motions(self, event_id: int, motions_: mocoes.Motions, version: int) -> None:
        await self._save(MotionsRow, {"event_id": event_id}, mocoes.dump(motions_), version)

    def log(self, event_id: int, at: float, actor: str, action: str, target: str,
            detail: Mapping[str, Any]) -> None:
        self._db.add(ProcedureLogRow(event_id=event_id, at=at, actor=actor, action=action, target=target,
                               detail=dict(detail)))

    async def scrub_log(self, event_id: int, actor: str, public_id: str, delegate: int | None, name: str) -> int:
        """Erasure: entries by `actor` lose it, and no detail keeps the person's public id,
        credential id or (as a defender) name. Returns how many entries changed."""
        rows = await self._db.exec(select(ProcedureLogRow).where(ProcedureLogRow.event_id == event_id))
        marks = {"public_id": public_id, "delegate": delegate, "defender": name}
        changed = 0
        for row in rows:
            detail = {k: v for k, v in row.detail.items() if not (k in marks and marks[k] and v == marks[k])}
            if row.actor == actor or detail != row.detail:
                row.actor = ERASED_ACTOR if row.actor == actor else row.actor
                row.detail = detail
                self._db.add(row)
                changed += 1
        return changed

    async def log_entries(self, event_id: int) -> list[dict[str, Any]]:
        rows = await self._db.exec(
            select(ProcedureLogRow).where(ProcedureLogRow.event_id == event_id).order_by(col(ProcedureLogRow.id))
        )
        return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target, "detail": r.detail}
                for r in rows]

    async def poll_facts(self, event_id: int, poll_id: int) -> PollFacts:
        """Raises NotFound (`poll_not_found`) for a poll of another event."""
        row = await poll_repo.poll(self._db, poll_id)
        if row is None or row.event_id != event_id or row.id is None:
            raise NotFound("no such poll", code="poll_not_found")
        return PollFacts(row.id, PollSpec.from_dict(row.spec), row.status, row.eligibility, row.session_id)

    async def poll_decision(self, event_id: int, poll_id: int) -> dict[str, Any] | None:
        """The decision a closed decision vote's result carries (server.service.decisions), None until then."""
        row = await poll_repo.poll(self._db, poll_id)
        if row is None or row.event_id != event_id:
            raise NotFound("no such poll", code="poll_not_found")
        # The result is written in the transaction that closes the poll (a secret one's once counted).
        if row.status != "closed" or not row.result or row.result.get("decision") is None:
            return None
        return dict(row.result["decision"])

    async def signer(self, event_id: int, participant_id: int) -> mocoes.Signer | None:
        """The delegate a participant's device holds the credential of, if any."""
        row = await delegates.of_participant(self._db, event_id, participant_id)
        if row is None or row.id is None:
            return None
        return mocoes.Signer(row.id, row.name, row.segment)

    async def speaker(self, event_id: int, participant_id: int) -> speakers.Speaker:
        """Who a participant is on a list: a delegate by the credential's name and segment, anyone
        else by their profile. Raises NotFound (`participant_not_found`)."""
        person = await self._db.get(ParticipantRow, participant_id)
        if person is None or person.event_id != event_id:
            raise NotFound("participant not found", code="participant_not_found")
        credential = await delegates.of_participant(self._db, event_id, participant_id)
        if credential is not None:
            return speakers.Speaker(participant_id, person.public_id, credential.name, credential.segment)
        return speakers.Speaker(participant_id, person.public_id, person.name, person.segment)

    async def session_exists(self, event_id: int, session_id: int) -> bool:
        row = await self._db.get(AgendaSessionRow, session_id)
        return row is not None and row.event_id == event_id
