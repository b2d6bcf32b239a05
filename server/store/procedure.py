"""Repositories of the procedure: speakers' lists as domain values, and its audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import destaques, mocoes, speakers
from server.domain.polls import Ballot, PollSpec
from server.domain.tally import RunningTally, tally
from server.errors import Conflict, NotFound
from server.store import delegates
from server.store import polls as poll_repo
from server.store.procedure_tables import DeliberationRow, MotionsRow, ProcedureLogRow, SpeakersListRow
from server.store.tables import AgendaSessionRow, ParticipantRow


async def speakers_list(db: AsyncSession, event_id: int, session_id: int) -> tuple[speakers.SpeakersList, int]:
    """The list of one agenda item and the version read (0: none stored yet, an empty open list)."""
    row = await db.get(SpeakersListRow, (event_id, session_id))
    if row is None:
        return speakers.SpeakersList(session=session_id), 0
    return speakers.load(row.state), row.version


async def save_speakers_list(db: AsyncSession, event_id: int, lst: speakers.SpeakersList, version: int) -> None:
    """Store `lst` over the `version` read; raises Conflict (`conflict`) when another write came first."""
    await _save(db, SpeakersListRow, {"event_id": event_id, "session_id": lst.session}, speakers.dump(lst), version)


async def _save(db: AsyncSession, model: type[SQLModel], keys: dict[str, int], state: dict[str, Any],
                version: int) -> None:
    """Write a versioned document: insert at version 0 (a concurrent first write collides on the
    primary key), else a conditional update that only the writer of the version read can make."""
    if version == 0:
        db.add(model(**keys, version=1, state=state))
        await db.flush()
        return
    table = model.__table__  # type: ignore[attr-defined]
    result = await db.exec(
        update(table)
        .where(*(table.c[name] == value for name, value in keys.items()), table.c.version == version)
        .values(state=state, version=version + 1)
    )
    if result.rowcount != 1:
        raise Conflict("this changed meanwhile; try again", code="conflict")


async def speakers_lists(db: AsyncSession, event_id: int) -> list[speakers.SpeakersList]:
    rows = await db.exec(
        select(SpeakersListRow).where(SpeakersListRow.event_id == event_id).order_by(col(SpeakersListRow.session_id))
    )
    return [speakers.load(row.state) for row in rows]


async def deliberation(db: AsyncSession, event_id: int, poll_id: int) -> tuple[destaques.Deliberation | None, int]:
    """A proposal ballot's deliberation and the version read (None, 0: none opened yet)."""
    row = await db.get(DeliberationRow, (event_id, poll_id))
    return (None, 0) if row is None else (destaques.load(row.state), row.version)


async def save_deliberation(db: AsyncSession, event_id: int, d: destaques.Deliberation, version: int) -> None:
    await _save(db, DeliberationRow, {"event_id": event_id, "poll_id": d.poll}, destaques.dump(d), version)


async def deliberations(db: AsyncSession, event_id: int) -> list[destaques.Deliberation]:
    rows = await db.exec(
        select(DeliberationRow).where(DeliberationRow.event_id == event_id).order_by(col(DeliberationRow.poll_id))
    )
    return [destaques.load(row.state) for row in rows]


async def motions(db: AsyncSession, event_id: int) -> tuple[mocoes.Motions, int]:
    row = await db.get(MotionsRow, event_id)
    return (mocoes.Motions(), 0) if row is None else (mocoes.load(row.state), row.version)


async def save_motions(db: AsyncSession, event_id: int, motions_: mocoes.Motions, version: int) -> None:
    await _save(db, MotionsRow, {"event_id": event_id}, mocoes.dump(motions_), version)


def log(db: AsyncSession, event_id: int, at: float, actor: str, action: str, target: str,
        detail: Mapping[str, Any]) -> None:
    db.add(ProcedureLogRow(event_id=event_id, at=at, actor=actor, action=action, target=target,
                           detail=dict(detail)))


async def log_entries(db: AsyncSession, event_id: int) -> list[dict[str, Any]]:
    rows = await db.exec(
        select(ProcedureLogRow).where(ProcedureLogRow.event_id == event_id).order_by(col(ProcedureLogRow.id))
    )
    return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target, "detail": r.detail}
            for r in rows]


@dataclass(frozen=True, slots=True)
class PollFacts:
    """What the procedure needs of a poll: its spec and how it runs."""

    id: int
    spec: PollSpec
    status: str
    eligibility: str
    session: int | None


async def poll_facts(db: AsyncSession, event_id: int, poll_id: int) -> PollFacts:
    """Raises NotFound (`poll_not_found`) for a poll of another event."""
    row = await poll_repo.poll(db, poll_id)
    if row is None or row.event_id != event_id or row.id is None:
        raise NotFound("no such poll", code="poll_not_found")
    return PollFacts(row.id, PollSpec.from_dict(row.spec), row.status, row.eligibility, row.session_id)


async def poll_tally(db: AsyncSession, event_id: int, poll_id: int) -> RunningTally:
    """The tally of a poll's stored ballots (a secret poll's once counted)."""
    row = await poll_repo.poll(db, poll_id)
    if row is None or row.event_id != event_id:
        raise NotFound("no such poll", code="poll_not_found")
    return tally(PollSpec.from_dict(row.spec), (Ballot.stored(b) for b in await poll_repo.ballots(db, row)))


async def poll_decision(db: AsyncSession, event_id: int, poll_id: int) -> dict[str, Any] | None:
    """The decision a closed decision vote's result carries (server.service.decisions), None until then."""
    row = await poll_repo.poll(db, poll_id)
    if row is None or row.event_id != event_id:
        raise NotFound("no such poll", code="poll_not_found")
    # The result is written in the transaction that closes the poll (a secret one's once counted).
    if row.status != "closed" or not row.result or row.result.get("decision") is None:
        return None
    return dict(row.result["decision"])


async def signer(db: AsyncSession, event_id: int, participant_id: int) -> mocoes.Signer | None:
    """The delegate a participant's device holds the credential of, if any."""
    row = await delegates.of_participant(db, event_id, participant_id)
    if row is None or row.id is None:
        return None
    return mocoes.Signer(row.id, row.name, row.segment)


async def speaker(db: AsyncSession, event_id: int, participant_id: int) -> speakers.Speaker:
    """Who a participant is on a list: a delegate by the credential's name and segment, anyone
    else by their profile. Raises NotFound (`participant_not_found`)."""
    person = await db.get(ParticipantRow, participant_id)
    if person is None or person.event_id != event_id:
        raise NotFound("participant not found", code="participant_not_found")
    credential = await delegates.of_participant(db, event_id, participant_id)
    if credential is not None:
        return speakers.Speaker(participant_id, person.public_id, credential.name, credential.segment)
    return speakers.Speaker(participant_id, person.public_id, person.name, person.segment)


async def session_exists(db: AsyncSession, event_id: int, session_id: int) -> bool:
    row = await db.get(AgendaSessionRow, session_id)
    return row is not None and row.event_id == event_id
