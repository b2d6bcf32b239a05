"""Repository for participants: anonymous by default, one row per device per event."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.participants import Participant
from server.errors import Conflict, NotFound
from server.store.tables import ParticipantRow

# The rows erased people's messages and ballots move to (server/store/privacy.py): no device
# hash is ever one of these, and their public id is empty.
Tombstone = Literal["messages", "ballots"]
TOMBSTONE_DEVICE: dict[Tombstone, str] = {"messages": "erased:messages", "ballots": "erased:ballots"}


def is_tombstone(row: ParticipantRow) -> bool:
    return row.device_hash in TOMBSTONE_DEVICE.values()


async def by_device(db: AsyncSession, event_id: int, device_hash: str) -> ParticipantRow | None:
    result = await db.exec(
        select(ParticipantRow).where(
            ParticipantRow.event_id == event_id, ParticipantRow.device_hash == device_hash
        )
    )
    return result.first()


async def by_devices(db: AsyncSession, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], ParticipantRow]:
    """The participants of these (event id, device hash) pairs, read with one query; unknown ones absent."""
    keys = set(wanted)
    if not keys:
        return {}
    result = await db.exec(select(ParticipantRow).where(
        col(ParticipantRow.event_id).in_({event for event, _ in keys}),
        col(ParticipantRow.device_hash).in_({device for _, device in keys}),
    ))
    rows = {(row.event_id, row.device_hash): row for row in result.all()}
    return {key: row for key, row in rows.items() if key in keys}


async def by_id(db: AsyncSession, participant_id: int) -> ParticipantRow | None:
    return await db.get(ParticipantRow, participant_id)


async def by_public_id(db: AsyncSession, event_id: int, public_id: str) -> ParticipantRow:
    """The one real participant with this public id (never a tombstone): NotFound
    `participant_not_found`, or Conflict `ambiguous_participant` when two share it."""
    found: list[ParticipantRow] = []
    if public_id:
        result = await db.exec(
            select(ParticipantRow).where(ParticipantRow.event_id == event_id, ParticipantRow.public_id == public_id)
        )
        found = [row for row in result.all() if not is_tombstone(row)]
    if not found:
        raise NotFound("no such participant", code="participant_not_found")
    if len(found) > 1:
        raise Conflict("two participants share this public id", code="ambiguous_participant")
    return found[0]


async def segments(db: AsyncSession, participant_ids: Iterable[int]) -> dict[int, str]:
    """The profile segment of each of these participants ("" when none), by id; unknown ids absent."""
    ids = set(participant_ids)
    if not ids:
        return {}
    result = await db.exec(select(ParticipantRow.id, ParticipantRow.segment).where(col(ParticipantRow.id).in_(ids)))
    return {pid: segment for pid, segment in result.all() if pid is not None}


async def join_many(
    db: AsyncSession, arrivals: Iterable[tuple[int, str]], now: float
) -> dict[tuple[int, str], ParticipantRow]:
    """`join` for many (event id, device hash) at once: existing rows read with one query, the
    new ones inserted with one flush. Another process inserting one of them meanwhile makes the
    flush fail (IntegrityError); the caller then joins them one by one."""
    wanted = set(arrivals)
    if not wanted:
        return {}
    result = await db.exec(select(ParticipantRow).where(
        col(ParticipantRow.event_id).in_({event for event, _ in wanted}),
        col(ParticipantRow.device_hash).in_({device for _, device in wanted}),
    ))
    found = {(row.event_id, row.device_hash): row for row in result.all()}
    new = {key: _new(*key, now) for key in wanted if key not in found}
    db.add_all(new.values())
    await db.flush()
    return {key: found.get(key) or new[key] for key in wanted}


async def join(db: AsyncSession, event_id: int, device_hash: str, now: float) -> ParticipantRow:
    """Return the device's participant, creating it on first visit.

    Two tabs of one new device may race here; the unique constraint makes one
    insert win and the other read it back.
    """
    existing = await by_device(db, event_id, device_hash)
    if existing is not None:
        return existing
    row = _new(event_id, device_hash, now)
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        found = await by_device(db, event_id, device_hash)
        assert found is not None
        return found
    return row


def _new(event_id: int, device_hash: str, now: float) -> ParticipantRow:
    return ParticipantRow(event_id=event_id, device_hash=device_hash, public_id=secrets.token_hex(6), created_at=now)


class Participants:
    """Participants in one transaction (`Unit.participants`): domain `Participant`s out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def get(self, participant_id: int) -> Participant | None:
        row = await by_id(self._db, participant_id)
        return None if row is None else participant_of(row)

    async def by_public_id(self, event_id: int, public_id: str) -> Participant:
        """The one real participant with this public id (never a tombstone): NotFound
        `participant_not_found`, or Conflict `ambiguous_participant` when two share it."""
        return participant_of(await by_public_id(self._db, event_id, public_id))

    async def by_devices(self, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Participant]:
        """The participants of these (event id, device hash) pairs, read with one query; unknown ones absent."""
        return {key: participant_of(row) for key, row in (await by_devices(self._db, wanted)).items()}

    async def join_many(self, arrivals: Iterable[tuple[int, str]], now: float) -> dict[tuple[int, str], Participant]:
        """Each (event id, device hash)'s participant, the new ones created with one flush (see `join_many`)."""
        return {key: participant_of(row) for key, row in (await join_many(self._db, arrivals, now)).items()}

    async def join(self, event_id: int, device_hash: str, now: float) -> Participant:
        """The device's participant, created on its first visit (race-safe, see `join`)."""
        return participant_of(await join(self._db, event_id, device_hash, now))

    async def set_profile(self, participant_id: int, name: str, segment: str) -> Participant:
        row = await self._row(participant_id)
        row.name, row.segment = name, segment
        self._db.add(row)
        await self._db.flush()
        return participant_of(row)

    async def scrub(self, participant_id: int) -> None:
        """A fresh public id and an unmatchable device hash, no name or segment: the device joins
        next time as someone new (an erasure)."""
        row = await self._row(participant_id)
        row.device_hash = f"erased:{secrets.token_hex(24)}"
        row.public_id = secrets.token_hex(6)
        row.name, row.segment = "", ""
        self._db.add(row)
        await self._db.flush()

    async def _row(self, participant_id: int) -> ParticipantRow:
        row = await by_id(self._db, participant_id)
        if row is None:
            raise LookupError(f"participant {participant_id} is not stored")
        return row


def participant_of(row: ParticipantRow) -> Participant:
    assert row.id is not None
    return Participant(id=row.id, event_id=row.event_id, public_id=row.public_id, name=row.name,
                       segment=row.segment, created_at=row.created_at)
