"""Repositories for events, their agenda and their staff tokens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.agenda import AgendaItem, SessionStatus
from server.domain.conference import Event, StaffLink
from server.store.tables import AgendaSessionRow, EventRow, StaffTokenRow


async def event_by_code(db: AsyncSession, code: str) -> EventRow | None:
    result = await db.exec(select(EventRow).where(EventRow.code == code.upper()))
    return result.first()


async def events_by_codes(db: AsyncSession, codes: Iterable[str]) -> dict[str, EventRow]:
    """The events with these join codes (any case), by upper-case code; unknown codes absent."""
    wanted = {code.upper() for code in codes}
    if not wanted:
        return {}
    result = await db.exec(select(EventRow).where(col(EventRow.code).in_(wanted)))
    return {row.code: row for row in result.all()}


async def event_by_id(db: AsyncSession, event_id: int) -> EventRow | None:
    return await db.get(EventRow, event_id)


async def add_event(db: AsyncSession, row: EventRow) -> EventRow:
    db.add(row)
    await db.flush()
    return row


async def agenda(db: AsyncSession, event_id: int) -> list[AgendaItem]:
    result = await db.exec(
        select(AgendaSessionRow)
        .where(AgendaSessionRow.event_id == event_id)
        .order_by(col(AgendaSessionRow.position), col(AgendaSessionRow.id))
    )
    return [_item(row) for row in result.all()]


async def add_agenda_item(db: AsyncSession, event_id: int, fields: dict[str, Any]) -> AgendaItem:
    row = AgendaSessionRow(event_id=event_id, **fields)
    db.add(row)
    await db.flush()
    return _item(row)


async def save_agenda_items(db: AsyncSession, event_id: int, items: Iterable[AgendaItem]) -> None:
    """Write the given items' mutable fields back (items come from the domain's decisions)."""
    for item in items:
        row = await db.get(AgendaSessionRow, item.id)
        if row is None or row.event_id != event_id:
            continue
        row.title, row.description, row.speakers = item.title, item.description, item.speakers
        row.starts_at, row.position, row.status = item.starts_at, item.position, item.status
        row.started_at, row.ended_at = item.started_at, item.ended_at
        db.add(row)
    await db.flush()


async def delete_agenda_item(db: AsyncSession, event_id: int, session_id: int) -> bool:
    row = await db.get(AgendaSessionRow, session_id)
    if row is None or row.event_id != event_id:
        return False
    await db.delete(row)
    return True


async def add_staff_token(db: AsyncSession, row: StaffTokenRow) -> StaffTokenRow:
    db.add(row)
    await db.flush()
    return row


async def staff_by_hash(db: AsyncSession, token_hash: str) -> StaffTokenRow | None:
    result = await db.exec(select(StaffTokenRow).where(StaffTokenRow.token_hash == token_hash))
    return result.first()


async def staff_tokens(db: AsyncSession, event_id: int) -> Sequence[StaffTokenRow]:
    result = await db.exec(
        select(StaffTokenRow).where(StaffTokenRow.event_id == event_id).order_by(col(StaffTokenRow.id))
    )
    return result.all()


# The event's columns a service may change (`Events.change`); its id, code and creation stay.
EVENT_CHANGES = frozenset({"title", "description", "stream_url", "default_lang", "languages", "timezone", "segments",
                           "embed_origins", "organizer_secret_hash", "screen", "settings"})


class Events:
    """Events in one transaction (`Unit.events`): domain `Event`s out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def get(self, event_id: int) -> Event | None:
        row = await event_by_id(self._db, event_id)
        return None if row is None else event_of(row)

    async def by_code(self, code: str) -> Event | None:
        """The event with this join code (any case)."""
        row = await event_by_code(self._db, code)
        return None if row is None else event_of(row)

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Event]:
        """The events with these join codes (any case), by upper-case code; unknown codes absent."""
        return {code: event_of(row) for code, row in (await events_by_codes(self._db, codes)).items()}

    async def add(self, code: str, organizer_secret_hash: str, created_at: float, values: Mapping[str, Any]) -> Event:
        """A new event with this join code; `values` are its other columns (title, languages, ...)."""
        row = await add_event(self._db, EventRow(code=code, organizer_secret_hash=organizer_secret_hash,
                                                 created_at=created_at, **values))
        return event_of(row)

    async def change(self, event_id: int, values: Mapping[str, Any]) -> Event:
        """Write these columns (names in EVENT_CHANGES) of the event; returns it as changed."""
        unknown = set(values) - EVENT_CHANGES
        if unknown:
            raise ValueError(f"not an event column a service changes: {sorted(unknown)}")
        row = await event_by_id(self._db, event_id)
        if row is None:
            raise LookupError(f"event {event_id} is not stored")
        for key, value in values.items():
            setattr(row, key, list(value) if isinstance(value, tuple) else value)
        self._db.add(row)
        await self._db.flush()
        return event_of(row)


class Agenda:
    """An event's sessions in one transaction (`Unit.agenda`): domain `AgendaItem`s in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def of_event(self, event_id: int) -> list[AgendaItem]:
        """The sessions in agenda order (position, then creation)."""
        return await agenda(self._db, event_id)

    async def add(self, event_id: int, fields: dict[str, Any]) -> AgendaItem:
        return await add_agenda_item(self._db, event_id, fields)

    async def save(self, event_id: int, items: Iterable[AgendaItem]) -> None:
        """Write the items' mutable fields back (items of other events are left alone)."""
        await save_agenda_items(self._db, event_id, items)

    async def delete(self, event_id: int, session_id: int) -> bool:
        """Delete the session; False when the event has no such session."""
        return await delete_agenda_item(self._db, event_id, session_id)


class StaffLinks:
    """An event's staff links in one transaction (`Unit.staff`): domain `StaffLink`s out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def add(self, event_id: int, role: str, label: str, token_hash: str, now: float) -> StaffLink:
        row = await add_staff_token(self._db, StaffTokenRow(event_id=event_id, role=role, label=label,
                                                            token_hash=token_hash, created_at=now))
        return staff_link_of(row)

    async def get(self, staff_id: int) -> StaffLink | None:
        row = await self._db.get(StaffTokenRow, staff_id)
        return None if row is None else staff_link_of(row)

    async def by_hash(self, token_hash: str) -> StaffLink | None:
        """The link whose secret hashes to `token_hash` (any event, revoked or not)."""
        row = await staff_by_hash(self._db, token_hash)
        return None if row is None else staff_link_of(row)

    async def of_event(self, event_id: int) -> list[StaffLink]:
        """The event's links in the order they were made."""
        return [staff_link_of(row) for row in await staff_tokens(self._db, event_id)]

    async def revoke(self, staff_id: int, now: float) -> StaffLink:
        """The link stops working (a link revoked earlier keeps its first revocation time)."""
        row = await self._db.get(StaffTokenRow, staff_id)
        if row is None:
            raise LookupError(f"staff link {staff_id} is not stored")
        row.revoked_at = row.revoked_at or now
        self._db.add(row)
        await self._db.flush()
        return staff_link_of(row)


def event_of(row: EventRow) -> Event:
    """The row as a domain value (its JSON copied: the value never aliases the session's row)."""
    assert row.id is not None
    return Event(id=row.id, code=row.code, title=row.title, description=row.description, stream_url=row.stream_url,
                 default_lang=row.default_lang, languages=tuple(row.languages), timezone=row.timezone,
                 segments=tuple(row.segments), embed_origins=tuple(row.embed_origins),
                 organizer_secret_hash=row.organizer_secret_hash, screen=dict(row.screen or {}),
                 settings=dict(row.settings or {}), created_at=row.created_at)


def staff_link_of(row: StaffTokenRow) -> StaffLink:
    assert row.id is not None
    return StaffLink(id=row.id, event_id=row.event_id, role=row.role, label=row.label, created_at=row.created_at,
                     revoked_at=row.revoked_at)


def _item(row: AgendaSessionRow) -> AgendaItem:
    assert row.id is not None
    status: SessionStatus = row.status  # type: ignore[assignment]
    return AgendaItem(
        id=row.id,
        title=row.title,
        position=row.position,
        status=status,
        description=row.description,
        speakers=row.speakers,
        starts_at=row.starts_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )
