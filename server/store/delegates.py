"""Repository for delegate credentials."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.delegates import CredentialStatus, Delegate
from server.store.poll_tables import DelegateRow

_CHUNK = 500


async def add(db: AsyncSession, rows: Sequence[DelegateRow]) -> Sequence[DelegateRow]:
    db.add_all(rows)
    await db.flush()
    return rows


async def add_many(db: AsyncSession, event_id: int, values: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert the event's credentials (column values) in a few set-wise statements; returns
    their ids by code hash (unique per event).

    An import holds thousands: one ORM object and one statement each kept the event loop busy
    for seconds (5,000 rows: 4.8 s in which no participant was answered).
    """
    ids: dict[str, int] = {}
    for start in range(0, len(values), _CHUNK):
        chunk = list(values[start:start + _CHUNK])
        await db.exec(insert(DelegateRow), params=chunk)
        result = await db.exec(select(DelegateRow.id, DelegateRow.code_hash).where(
            DelegateRow.event_id == event_id, col(DelegateRow.code_hash).in_([v["code_hash"] for v in chunk])))
        ids.update((code, row_id) for row_id, code in result.all() if row_id is not None)
    return ids


async def of_event(db: AsyncSession, event_id: int) -> Sequence[DelegateRow]:
    result = await db.exec(select(DelegateRow).where(DelegateRow.event_id == event_id).order_by(col(DelegateRow.id)))
    return result.all()


async def by_id(db: AsyncSession, event_id: int, delegate_id: int) -> DelegateRow | None:
    row = await db.get(DelegateRow, delegate_id)
    return row if row is not None and row.event_id == event_id else None


async def by_code(db: AsyncSession, event_id: int, code_hash: str) -> DelegateRow | None:
    result = await db.exec(
        select(DelegateRow).where(DelegateRow.event_id == event_id, DelegateRow.code_hash == code_hash)
    )
    return result.first()


async def of_participant(db: AsyncSession, event_id: int, participant_id: int) -> DelegateRow | None:
    """The credential this device holds (revoked ones are released, so never returned)."""
    result = await db.exec(
        select(DelegateRow).where(
            DelegateRow.event_id == event_id, DelegateRow.participant_id == participant_id,
            DelegateRow.status == "used",
        )
    )
    return result.first()


async def of_participants(db: AsyncSession, participant_ids: Iterable[int]) -> dict[int, DelegateRow]:
    """The credentials several devices hold, by participant id (see `of_participant`)."""
    ids = set(participant_ids)
    if not ids:
        return {}
    result = await db.exec(
        select(DelegateRow).where(col(DelegateRow.participant_id).in_(ids), DelegateRow.status == "used")
    )
    return {row.participant_id: row for row in result.all() if row.participant_id is not None}


async def claim(db: AsyncSession, delegate_id: int, participant_id: int, now: float) -> bool:
    """Give an issued credential to a device: one conditional UPDATE, so a code works once."""
    table = DelegateRow.__table__  # type: ignore[attr-defined]
    result = await db.exec(
        update(table)
        .where(table.c.id == delegate_id, table.c.status == "issued")
        .values(status="used", participant_id=participant_id, used_at=now)
    )
    return bool(result.rowcount)


async def counts(db: AsyncSession, event_id: int) -> dict[str, int]:
    """Credentials per status: issued (not yet claimed), used (claimed by a device), revoked."""
    result = await db.exec(select(DelegateRow.status, DelegateRow.segment).where(DelegateRow.event_id == event_id))
    rows = result.all()
    by_status = Counter(status for status, _ in rows)
    return {"issued": by_status["issued"], "used": by_status["used"], "revoked": by_status["revoked"]}


async def valid(db: AsyncSession, event_id: int, segment: str | None = None) -> int:
    """Credentials not revoked (issued or used): the delegates who may vote."""
    statement = select(DelegateRow.id).where(DelegateRow.event_id == event_id, DelegateRow.status != "revoked")
    if segment is not None:
        statement = statement.where(DelegateRow.segment == segment)
    result = await db.exec(statement)
    return len(result.all())


async def unclaimed(db: AsyncSession, event_id: int, segment: str) -> int:
    """Issued credentials of `segment` that no device has claimed yet."""
    statement = select(DelegateRow.id).where(
        DelegateRow.event_id == event_id, DelegateRow.status == "issued", DelegateRow.segment == segment
    )
    result = await db.exec(statement)
    return len(result.all())


class Delegates:
    """Delegate credentials in one transaction (`Unit.delegates`): domain `Delegate`s out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of_event(self, event_id: int) -> list[Delegate]:
        """The event's credentials in the order they were issued."""
        return [delegate_of(row) for row in await of_event(self._db, event_id)]

    async def counts(self, event_id: int) -> dict[str, int]:
        """Credentials per status: issued, used, revoked."""
        return await counts(self._db, event_id)

    async def add_many(self, event_id: int, values: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Insert credentials (column values: name, segment, code_hash, status, issued_at); their ids by code hash."""
        return await add_many(self._db, event_id, values)

    async def get(self, event_id: int, delegate_id: int) -> Delegate | None:
        row = await by_id(self._db, event_id, delegate_id)
        return None if row is None else delegate_of(row)

    async def by_code(self, event_id: int, code_hash: str) -> Delegate | None:
        row = await by_code(self._db, event_id, code_hash)
        return None if row is None else delegate_of(row)

    async def of_participant(self, event_id: int, participant_id: int) -> Delegate | None:
        """The credential this device holds (revoked ones are released, so never returned)."""
        row = await of_participant(self._db, event_id, participant_id)
        return None if row is None else delegate_of(row)

    async def claim(self, delegate_id: int, participant_id: int, now: float) -> bool:
        """Give an issued credential to a device: one conditional UPDATE, so a code works once."""
        return await claim(self._db, delegate_id, participant_id, now)

    async def revoke(self, delegate_id: int, at: float) -> Delegate:
        """The code stops working and the device holding it is released; `at` is stored as when."""
        row = await self._row(delegate_id)
        row.status, row.participant_id, row.revoked_at = "revoked", None, at
        return await self._save(row)

    async def reissue(self, delegate_id: int, code_hash: str, now: float) -> Delegate:
        """A new code (hash) for the same delegate: issued again, no device, the old code gone."""
        row = await self._row(delegate_id)
        row.code_hash, row.status, row.participant_id = code_hash, "issued", None
        row.issued_at, row.used_at, row.revoked_at = now, None, None
        return await self._save(row)

    async def _row(self, delegate_id: int) -> DelegateRow:
        row = await self._db.get(DelegateRow, delegate_id)
        if row is None:
            raise LookupError(f"delegate {delegate_id} is not stored")
        return row

    async def _save(self, row: DelegateRow) -> Delegate:
        self._db.add(row)
        await self._db.flush()
        return delegate_of(row)


def delegate_of(row: DelegateRow) -> Delegate:
    assert row.id is not None
    status: CredentialStatus = row.status  # type: ignore[assignment]
    return Delegate(id=row.id, event_id=row.event_id, name=row.name, segment=row.segment, status=status,
                    participant_id=row.participant_id, issued_at=row.issued_at, used_at=row.used_at,
                    revoked_at=row.revoked_at)
