"""Repository of live-chat sources and the comments imported from them (`Unit.platforms`): sources
come out as `server.domain.platforms.Source`, their sealed token only through `sealed_token`."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.platforms import Health, Platform, Source
from server.store.participants import by_device
from server.store.platform_tables import ImportedCommentRow, PlatformSourceRow
from server.store.tables import ParticipantRow


class PlatformSources:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def connect(self, event_id: int, platform: Platform, target: str, token_sealed: bytes | None,
                      token_env: str, now: float) -> Source:
        """Create the source, or reconnect it (new token, health `starting`) keeping its cursor: the
        comments already imported stay imported once."""
        result = await self._db.exec(select(PlatformSourceRow).where(
            PlatformSourceRow.event_id == event_id, PlatformSourceRow.platform == platform,
            PlatformSourceRow.target == target))
        row = result.first()
        if row is None:
            row = PlatformSourceRow(event_id=event_id, platform=platform, target=target, created_at=now)
        row.token_sealed, row.token_env = token_sealed, token_env
        row.health, row.detail, row.failures, row.active, row.updated_at = "starting", "", 0, True, now
        self._db.add(row)
        await self._db.flush()
        return _source(row)

    async def disconnect(self, event_id: int, source_id: int, now: float) -> Source | None:
        """Stop importing and forget the token; what was imported stays."""
        row = await self._db.get(PlatformSourceRow, source_id)
        if row is None or row.event_id != event_id or not row.active:
            return None
        row.active, row.token_sealed, row.token_env, row.updated_at = False, None, "", now
        self._db.add(row)
        await self._db.flush()
        return _source(row)

    async def active(self, event_id: int | None = None) -> list[Source]:
        query = select(PlatformSourceRow).where(col(PlatformSourceRow.active).is_(True))
        if event_id is not None:
            query = query.where(PlatformSourceRow.event_id == event_id)
        result = await self._db.exec(query.order_by(col(PlatformSourceRow.id))
                                     .execution_options(populate_existing=True))
        return [_source(row) for row in result.all()]

    async def get(self, source_id: int) -> Source | None:
        """The source as committed now, or None once disconnected."""
        row = await self._db.get(PlatformSourceRow, source_id, populate_existing=True)
        return _source(row) if row is not None and row.active else None

    async def sealed_token(self, source_id: int) -> bytes | None:
        row = await self._db.get(PlatformSourceRow, source_id)
        return row.token_sealed if row is not None else None

    async def save_progress(self, source: Source, *, imported: int, now: float) -> bool:
        """Persist the cursor, chat id and health of `source` and add `imported`; False when the
        source was disconnected or reconnected since `source` was read (`updated_at` moved): the
        poll is then void."""
        result = await self._db.exec(
            update(PlatformSourceRow)
            .where(col(PlatformSourceRow.id) == source.id, col(PlatformSourceRow.active).is_(True),
                   col(PlatformSourceRow.updated_at) == source.updated_at)
            .values(cursor=source.cursor, chat_id=source.chat_id, health=source.health, detail=source.detail,
                    failures=source.failures, imported=PlatformSourceRow.imported + imported, polled_at=now)
        )
        return bool(result.rowcount)

    async def imported_ids(self, source_id: int, message_ids: list[str]) -> set[str]:
        if not message_ids:
            return set()
        result = await self._db.exec(select(ImportedCommentRow.message_id).where(
            ImportedCommentRow.source_id == source_id, col(ImportedCommentRow.message_id).in_(message_ids)))
        return set(result.all())

    async def record_import(self, source_id: int, message_id: str, item_id: int, published_at: str) -> None:
        """Mark the comment imported; a second import of it in another transaction fails that
        transaction on the primary key (IntegrityError), so it never makes a second item."""
        self._db.add(ImportedCommentRow(source_id=source_id, message_id=message_id, item_id=item_id,
                                        published_at=published_at))

    async def author(self, event_id: int, key: str, name: str, public_id: str, now: float) -> tuple[int, str]:
        """(participant id, public id) of the participant standing for one platform account in this
        event, created on its first comment (with `public_id`); its name follows the platform's
        display name. Moderation history, mutes and bans apply to it as to anyone typing here.
        `key` goes into the device hash column, which no browser's device hash (hex) can equal."""
        row = await by_device(self._db, event_id, key)
        if row is None:
            row = ParticipantRow(event_id=event_id, device_hash=key, public_id=public_id, name=name,
                                 created_at=now)
        row.name = name
        self._db.add(row)
        await self._db.flush()
        assert row.id is not None
        return row.id, row.public_id


def _source(row: PlatformSourceRow) -> Source:
    assert row.id is not None
    platform: Platform = "facebook" if row.platform == "facebook" else "youtube"
    health: Health = row.health  # type: ignore[assignment]
    return Source(
        id=row.id, event_id=row.event_id, platform=platform, target=row.target, chat_id=row.chat_id,
        cursor=row.cursor, health=health, detail=row.detail, failures=row.failures, imported=row.imported,
        token_env=row.token_env, updated_at=row.updated_at, polled_at=row.polled_at,
    )
