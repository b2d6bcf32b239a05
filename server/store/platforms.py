"""Repository of live-chat sources and the comments imported from them (`Unit.platforms`): sources
come out as `server.domain.platforms.Source`, their sealed token only through `sealed_token`."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.platforms import MAX_REPLY, Health, Platform, Reply, Source
from server.store.participants import by_device, reserve_ids
from server.store.platform_tables import ImportedCommentRow, PlatformReplyRow, PlatformSourceRow
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
        """Stop importing, forget the token and stop posting replies; what was imported stays."""
        row = await self._db.get(PlatformSourceRow, source_id)
        if row is None or row.event_id != event_id or not row.active:
            return None
        row.active, row.token_sealed, row.token_env, row.updated_at = False, None, "", now
        row.post_replies = False  # connecting it again starts with the switch off, as any new source
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
            row = ParticipantRow(id=(await reserve_ids(self._db, 1))[0], event_id=event_id, device_hash=key,
                                 public_id=public_id, name=name, created_at=now)
        row.name = name
        self._db.add(row)
        await self._db.flush()
        assert row.id is not None
        return row.id, row.public_id

    # -- posting replies back (off unless the organizer turns it on) ----------------------

    async def set_post_replies(self, event_id: int, source_id: int, on: bool) -> Source | None:
        """Turn posting replies back on or off; None when there is no such active source. The
        poll in flight is not voided (`updated_at` stays)."""
        row = await self._db.get(PlatformSourceRow, source_id)
        if row is None or row.event_id != event_id or not row.active:
            return None
        row.post_replies = on
        if on and row.reply_health is not None and row.reply_health != "ok":
            row.reply_health, row.reply_detail = None, ""  # a fresh start after the organizer's fix
        self._db.add(row)
        await self._db.flush()
        return _source(row)

    async def queue_reply(self, event_id: int, item_id: int, text: str, now: float) -> bool:
        """Put a moderator's reply to `item_id` in the outbox, in the reply's own transaction, when
        that item was imported from a source of `event_id` whose organizer turned posting on."""
        result = await self._db.exec(
            select(ImportedCommentRow, PlatformSourceRow)
            .join(PlatformSourceRow, col(PlatformSourceRow.id) == ImportedCommentRow.source_id)
            .where(ImportedCommentRow.item_id == item_id, PlatformSourceRow.event_id == event_id,
                   col(PlatformSourceRow.active).is_(True), col(PlatformSourceRow.post_replies).is_(True)))
        found = result.first()
        if found is None:
            return False
        comment, source = found
        self._db.add(PlatformReplyRow(source_id=comment.source_id, item_id=item_id, parent_id=comment.message_id,
                                      text=text[:MAX_REPLY.get(source.platform, 200)], next_at=now,
                                      created_at=now))
        return True

    async def claim_replies(self, source_id: int, now: float, stale_after: float, limit: int = 10) -> list[Reply]:
        """The replies due now, marked `sending` (the caller commits before posting them). A reply
        left `sending` for `stale_after` seconds was being posted by a process that died: whether
        the platform got it is unknown, so it becomes `uncertain` rather than risk a second copy."""
        await self._db.exec(
            update(PlatformReplyRow)
            .where(col(PlatformReplyRow.source_id) == source_id, col(PlatformReplyRow.state) == "sending",
                   col(PlatformReplyRow.claimed_at) < now - stale_after)
            .values(state="uncertain", detail="the process posting it stopped: not sent again"))
        result = await self._db.exec(
            select(PlatformReplyRow)
            .where(PlatformReplyRow.source_id == source_id, PlatformReplyRow.state == "pending",
                   col(PlatformReplyRow.next_at) <= now)
            .order_by(col(PlatformReplyRow.id)).limit(limit).execution_options(populate_existing=True))
        claimed: list[Reply] = []
        for row in result.all():
            # Conditional, so that of two processes racing for one reply (a lease takeover) only
            # one claims it: the other's update, once the first commits, matches no row.
            taken = await self._db.exec(
                update(PlatformReplyRow)
                .where(col(PlatformReplyRow.id) == row.id, col(PlatformReplyRow.state) == "pending")
                .values(state="sending", claimed_at=now, attempts=PlatformReplyRow.attempts + 1))
            if taken.rowcount:
                claimed.append(Reply(id=row.id or 0, source_id=row.source_id, parent_id=row.parent_id,
                                     text=row.text, attempts=row.attempts + 1))
        return claimed

    async def reply_done(self, reply: Reply, posted_id: str, now: float) -> None:
        """Record what the platform answered: the id it gave the posted reply."""
        await self._db.exec(update(PlatformReplyRow).where(col(PlatformReplyRow.id) == reply.id)
                            .values(state="sent", posted_id=posted_id[:200], sent_at=now, detail=""))
        await self._db.exec(update(PlatformSourceRow).where(col(PlatformSourceRow.id) == reply.source_id)
                            .values(replies_posted=PlatformSourceRow.replies_posted + 1, reply_health="ok",
                                    reply_detail=""))

    async def reply_failed(self, reply: Reply, health: Health, detail: str, retry_at: float | None) -> None:
        """A reply the platform did not take: due again at `retry_at`, or given up (None)."""
        values = {"state": "failed"} if retry_at is None else {"state": "pending", "next_at": retry_at}
        await self._db.exec(update(PlatformReplyRow).where(col(PlatformReplyRow.id) == reply.id)
                            .values(detail=detail[:300], **values))
        await self._db.exec(update(PlatformSourceRow).where(col(PlatformSourceRow.id) == reply.source_id)
                            .values(reply_health=health, reply_detail=detail[:300]))


def _source(row: PlatformSourceRow) -> Source:
    assert row.id is not None
    platform: Platform = "facebook" if row.platform == "facebook" else "youtube"
    health: Health = row.health  # type: ignore[assignment]
    return Source(
        id=row.id, event_id=row.event_id, platform=platform, target=row.target, chat_id=row.chat_id,
        cursor=row.cursor, health=health, detail=row.detail, failures=row.failures, imported=row.imported,
        token_env=row.token_env, updated_at=row.updated_at, polled_at=row.polled_at,
        post_replies=row.post_replies, reply_health=row.reply_health,  # type: ignore[arg-type]
        reply_detail=row.reply_detail, replies_posted=row.replies_posted,
    )
