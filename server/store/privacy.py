"""Queries behind participants' data rights (export, erasure) and chat retention.

Erasure leaves nothing that links a person to what they wrote or voted:

- their chat messages and questions move to the event's *message tombstone*,
  a participant row that no device can become (its device hash is not a hash);
- their open-poll ballots move to a second tombstone, the *ballot tombstone*,
  each with a random voter key, so ballots and messages of one person cannot be
  joined through a shared row, and ballots of several erased people mix;
- their own row keeps only what says nothing about them (upvotes, the fact of
  having voted in a secret poll) under a fresh public id and device hash.

Tombstone rows have an empty public id and never appear in snapshots as people.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.audit import AuditEntry
from server.domain.conference import Event
from server.domain.delegates import Delegate
from server.domain.personal_data import CachedAnswer, OwnBallot, OwnUpvote
from server.domain.poll_lifecycle import Poll
from server.domain.qa import Item
from server.domain.voters import voter_key
from server.store.audit import entry_of
from server.store.conference import event_of
from server.store.delegates import delegate_of
from server.store.items import item_of
from server.store.participants import TOMBSTONE_DEVICE, Tombstone
from server.store.poll_tables import BallotRow, DelegateRow, PollRow, VoteRecordRow
from server.store.polls import poll_of
from server.store.qa_tables import ModerationLogRow, QAItemRow, SanctionRow, UpvoteRow
from server.store.tables import CommandLogRow, EventRow, ParticipantRow

_CHUNK = 500


class PersonalData:
    """A participant's data for their export and erasure, and chat retention, in one transaction
    (`Unit.privacy`): domain values in and out (the module docstring says what erasure leaves)."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    # -- reading one participant's data

    async def items_of(self, participant_id: int) -> list[Item]:
        """Every chat message and question the participant wrote, oldest first, any status."""
        return await items_of(self._db, participant_id)

    async def items_by_id(self, ids: Sequence[int]) -> list[Item]:
        return await items_by_id(self._db, ids)

    async def upvotes_of(self, participant_id: int) -> list[OwnUpvote]:
        """The questions the participant upvoted, in the order they did."""
        return [OwnUpvote(row.question_id, row.created_at) for row in await upvotes_of(self._db, participant_id)]

    async def credential_of(self, event_id: int, participant_id: int) -> Delegate | None:
        """The delegate credential this device claimed (used, or revoked while still attached)."""
        row = await credential_of(self._db, event_id, participant_id)
        return None if row is None else delegate_of(row)

    async def open_ballots_of(self, participant_id: int) -> list[tuple[OwnBallot, Poll]]:
        """The participant's ballots in open (not secret) polls, with their polls, by poll."""
        found = await open_ballots_of(self._db, participant_id)
        return [(_own_ballot(ballot), poll_of(poll)) for ballot, poll in found]

    async def secret_polls_of(self, event_id: int, voters: Iterable[str]) -> list[Poll]:
        """Secret polls in which any of these voter keys voted (never what was voted)."""
        return [poll_of(row) for row in await secret_polls_of(self._db, event_id, voters)]

    async def audit_about(self, event_id: int, public_id: str) -> list[AuditEntry]:
        """The moderation audit entries naming this public id, oldest first."""
        return [entry_of(row) for row in await audit_about(self._db, event_id, public_id)]

    # -- erasure

    async def tombstone(self, event_id: int, which: Tombstone) -> int:
        """The id of the event's tombstone participant of this kind, created on first use (race-safe)."""
        row = await tombstone(self._db, event_id, which)
        assert row.id is not None
        return row.id

    async def detach_items(self, item_ids: Sequence[int], tombstone_id: int, *, remove: bool) -> None:
        """Give the items to the message tombstone with no author name or id; with `remove`, also
        drop their text (and any pre-edit text) and mark them deleted."""
        await detach_items(self._db, item_ids, tombstone_id, remove=remove)

    async def drop_reason_details(self, event_id: int, item_ids: Sequence[int]) -> None:
        """Moderation reasons keep their rule and verdict but no detail quoting the text."""
        await drop_reason_details(self._db, event_id, item_ids)

    async def detach_ballots(self, ballot_ids: Sequence[int], tombstone_id: int) -> None:
        """Each ballot gets a random voter key and the ballot tombstone: still counted, no longer anyone's."""
        await detach_ballots(self._db, ballot_ids, tombstone_id)

    async def delete_sanction(self, participant_id: int) -> None:
        await delete_sanction(self._db, participant_id)

    async def scrub_audit(self, event_id: int, public_id: str, item_ids: Sequence[int], *, drop_texts: bool) -> int:
        """Blank the public id in the audit log (with `drop_texts`, the texts it kept of these items
        too); returns how many entries named them."""
        return await scrub_audit(self._db, event_id, public_id, item_ids, drop_texts=drop_texts)

    async def forget_commands(self, actors: Sequence[str], before: float | None = None) -> int:
        """Delete the retry cache of these actors (older than `before`, if given); returns how many."""
        return await forget_commands(self._db, actors, before)

    async def staff_answers(self, actors: Sequence[str]) -> list[CachedAnswer]:
        """The cached answers of these (staff) actors' commands."""
        return [CachedAnswer(row.actor, row.command_id, dict(row.response))
                for row in await staff_commands(self._db, actors)]

    async def replace_answer(self, actor: str, command_id: str, response: dict[str, Any]) -> None:
        """Keep `response` as the cached answer of this command instead of the one stored."""
        row = await self._db.get(CommandLogRow, (actor, command_id))
        if row is None:
            raise LookupError(f"no cached answer of {actor}/{command_id}")
        row.response = response
        self._db.add(row)
        await self._db.flush()

    # -- retention

    async def events(self, code: str | None = None) -> list[Event]:
        """Every event (or the one with this join code), by id."""
        return [event_of(row) for row in await events(self._db, code)]

    async def old_chat(self, event_id: int, before: float) -> list[tuple[int, str]]:
        """(id, status) of the event's chat messages written before `before` (never questions)."""
        return await old_chat(self._db, event_id, before)

    async def participant_actors(self, event_id: int) -> list[str]:
        """The command-log actor keys of the event's participants (`p:<id>`)."""
        return await participant_actors(self._db, event_id)

    async def count_commands(self, actors: Sequence[str], before: float) -> int:
        """How many cached answers of these actors are older than `before`."""
        return await count_commands(self._db, actors, before)

    async def delete_items(self, event_id: int, item_ids: Sequence[int]) -> int:
        """Delete chat rows and the audit texts that quoted them (the audit entries stay); returns how many."""
        return await delete_items(self._db, event_id, item_ids)


def _own_ballot(row: BallotRow) -> OwnBallot:
    assert row.id is not None
    return OwnBallot(id=row.id, poll_id=row.poll_id, ballot=dict(row.ballot), cast_at=row.cast_at)


async def tombstone(db: AsyncSession, event_id: int, which: Tombstone) -> ParticipantRow:
    """The event's tombstone participant of this kind, created on first use (race-safe)."""
    device = TOMBSTONE_DEVICE[which]
    statement = select(ParticipantRow).where(ParticipantRow.event_id == event_id, ParticipantRow.device_hash == device)
    found = (await db.exec(statement)).first()
    if found is not None:
        return found
    row = ParticipantRow(event_id=event_id, device_hash=device, public_id="", created_at=0.0)
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        again = (await db.exec(statement)).first()
        assert again is not None
        return again
    return row


# -- reading one participant's data ------------------------------------------------


async def items_of(db: AsyncSession, participant_id: int) -> list[Item]:
    """Every chat message and question the participant wrote, oldest first, any status."""
    result = await db.exec(
        select(QAItemRow)
        .where(QAItemRow.participant_id == participant_id)
        .order_by(col(QAItemRow.id))
        .execution_options(populate_existing=True)
    )
    return [item_of(row) for row in result.all()]


async def items_by_id(db: AsyncSession, ids: Sequence[int]) -> list[Item]:
    if not ids:
        return []
    result = await db.exec(
        select(QAItemRow)
        .where(col(QAItemRow.id).in_(list(ids)))
        .order_by(col(QAItemRow.id))
        .execution_options(populate_existing=True)
    )
    return [item_of(row) for row in result.all()]


async def upvotes_of(db: AsyncSession, participant_id: int) -> list[UpvoteRow]:
    result = await db.exec(
        select(UpvoteRow).where(UpvoteRow.participant_id == participant_id).order_by(col(UpvoteRow.created_at))
    )
    return list(result.all())


async def credential_of(db: AsyncSession, event_id: int, participant_id: int) -> DelegateRow | None:
    """The delegate credential this device claimed (used, or revoked while still attached)."""
    result = await db.exec(
        select(DelegateRow).where(DelegateRow.event_id == event_id, DelegateRow.participant_id == participant_id)
    )
    return result.first()


async def open_ballots_of(db: AsyncSession, participant_id: int) -> list[tuple[BallotRow, PollRow]]:
    """The participant's ballots in open (not secret) polls, with their polls."""
    result = await db.exec(
        select(BallotRow, PollRow)
        .join(PollRow, col(PollRow.id) == col(BallotRow.poll_id))
        .where(BallotRow.participant_id == participant_id)
        .order_by(col(BallotRow.poll_id))
    )
    return list(result.all())


async def secret_polls_of(db: AsyncSession, event_id: int, voters: Iterable[str]) -> list[PollRow]:
    """Secret polls in which any of these voter keys voted (never what was voted)."""
    keys = list(voters)
    result = await db.exec(
        select(PollRow)
        .join(VoteRecordRow, col(VoteRecordRow.poll_id) == col(PollRow.id))
        .where(PollRow.event_id == event_id, col(VoteRecordRow.voter).in_(keys))
        .order_by(col(PollRow.id))
    )
    return list(result.unique().all())


async def audit_about(db: AsyncSession, event_id: int, public_id: str) -> list[ModerationLogRow]:
    result = await db.exec(
        select(ModerationLogRow)
        .where(ModerationLogRow.event_id == event_id, ModerationLogRow.participant_public_id == public_id)
        .order_by(col(ModerationLogRow.id))
    )
    return list(result.all())


# -- erasure -------------------------------------------------------------------------


async def detach_items(db: AsyncSession, item_ids: Sequence[int], tombstone_id: int, *, remove: bool) -> None:
    """Give the items to the message tombstone with no author name or id; with `remove`,
    also drop their text (and any pre-edit text) and mark them deleted."""
    if not item_ids:
        return
    values: dict[str, object] = {
        "participant_id": tombstone_id, "author_public_id": "", "author_name": "", "anonymous": True,
        "version": QAItemRow.version + 1,
    }
    if remove:
        values.update(text="", original_text=None, status="deleted", pinned=False)
    for start in range(0, len(item_ids), _CHUNK):
        chunk = list(item_ids[start:start + _CHUNK])
        await db.exec(
            update(QAItemRow).where(col(QAItemRow.id).in_(chunk)).values(**values)
            .execution_options(synchronize_session=False)
        )


async def detach_ballots(db: AsyncSession, ballot_ids: Sequence[int], tombstone_id: int) -> None:
    """Each ballot gets a random voter key and the ballot tombstone: still counted, no longer anyone's."""
    for ballot_id in ballot_ids:
        await db.exec(
            update(BallotRow)
            .where(col(BallotRow.id) == ballot_id)
            .values(voter=f"x:{secrets.token_hex(16)}", participant_id=tombstone_id, delegate_id=None)
            .execution_options(synchronize_session=False)
        )


async def scrub_audit(db: AsyncSession, event_id: int, public_id: str, item_ids: Sequence[int], *,
                      drop_texts: bool) -> int:
    """Blank the participant's public id in the audit log; with `drop_texts`, also the texts
    (edits, merges) the log kept of their items. Returns the entries that named them."""
    named = await db.exec(
        update(ModerationLogRow)
        .where(col(ModerationLogRow.event_id) == event_id, col(ModerationLogRow.participant_public_id) == public_id)
        .values(participant_public_id="")
        .execution_options(synchronize_session=False)
    )
    if drop_texts:
        await _drop_audit_texts(db, event_id, item_ids)
    return int(named.rowcount or 0)


async def _drop_audit_texts(db: AsyncSession, event_id: int, item_ids: Sequence[int]) -> None:
    for start in range(0, len(item_ids), _CHUNK):
        chunk = list(item_ids[start:start + _CHUNK])
        await db.exec(
            update(ModerationLogRow)
            .where(
                col(ModerationLogRow.event_id) == event_id,
                col(ModerationLogRow.target_kind).in_(("chat", "question")),
                col(ModerationLogRow.target_id).in_(chunk),
            )
            .values(text_before=None, text_after=None)
            .execution_options(synchronize_session=False)
        )


async def drop_reason_details(db: AsyncSession, event_id: int, item_ids: Sequence[int]) -> None:
    """Reasons keep their rule and verdict but no detail quoting the text (a link's domain),
    on the items and on the audit entries about them."""
    for start in range(0, len(item_ids), _CHUNK):
        chunk = list(item_ids[start:start + _CHUNK])
        fresh = {"populate_existing": True}
        items = await db.exec(select(QAItemRow).where(col(QAItemRow.id).in_(chunk)).execution_options(**fresh))
        entries = await db.exec(select(ModerationLogRow).where(
            col(ModerationLogRow.event_id) == event_id, col(ModerationLogRow.target_kind).in_(("chat", "question")),
            col(ModerationLogRow.target_id).in_(chunk)).execution_options(**fresh))
        rows: list[QAItemRow | ModerationLogRow] = [*items.all(), *entries.all()]
        for row in rows:
            cleaned = [_without_quote(reason) for reason in row.reasons]
            if cleaned != row.reasons:
                row.reasons = cleaned
                db.add(row)


def _without_quote(reason: dict[str, object]) -> dict[str, object]:
    detail = reason.get("detail")
    if isinstance(detail, str) and detail.startswith("domain:"):
        return {**reason, "detail": "domain"}
    return reason


async def staff_commands(db: AsyncSession, actors: Sequence[str]) -> list[CommandLogRow]:
    """The cached answers of staff commands (their answers may quote participants)."""
    rows: list[CommandLogRow] = []
    for start in range(0, len(actors), _CHUNK):
        chunk = list(actors[start:start + _CHUNK])
        result = await db.exec(select(CommandLogRow).where(col(CommandLogRow.actor).in_(chunk)))
        rows.extend(result.all())
    return rows


async def delete_sanction(db: AsyncSession, participant_id: int) -> None:
    await db.exec(delete(SanctionRow).where(col(SanctionRow.participant_id) == participant_id))


async def forget_commands(db: AsyncSession, actors: Sequence[str], before: float | None = None) -> int:
    """Delete the retry cache of these actors (its answers may quote what they wrote)."""
    deleted = 0
    for start in range(0, len(actors), _CHUNK):
        statement = delete(CommandLogRow).where(col(CommandLogRow.actor).in_(list(actors[start:start + _CHUNK])))
        if before is not None:
            statement = statement.where(col(CommandLogRow.created_at) < before)
        result = await db.exec(statement)
        deleted += int(result.rowcount or 0)
    return deleted


async def count_commands(db: AsyncSession, actors: Sequence[str], before: float) -> int:
    total = 0
    for start in range(0, len(actors), _CHUNK):
        result = await db.exec(
            select(func.count()).select_from(CommandLogRow).where(
                col(CommandLogRow.actor).in_(list(actors[start:start + _CHUNK])), col(CommandLogRow.created_at) < before
            )
        )
        total += int(result.one())
    return total


# -- retention -------------------------------------------------------------------------


async def events(db: AsyncSession, code: str | None = None) -> list[EventRow]:
    statement = select(EventRow).order_by(col(EventRow.id))
    if code is not None:
        statement = statement.where(EventRow.code == code.upper())
    return list((await db.exec(statement)).all())


async def old_chat(db: AsyncSession, event_id: int, before: float) -> list[tuple[int, str]]:
    """(id, status) of the event's chat messages written before `before` (never questions)."""
    result = await db.exec(
        select(QAItemRow.id, QAItemRow.status).where(
            QAItemRow.event_id == event_id, QAItemRow.kind == "chat", col(QAItemRow.created_at) < before
        )
    )
    return [(item_id, status) for item_id, status in result.all() if item_id is not None]


async def delete_items(db: AsyncSession, event_id: int, item_ids: Sequence[int]) -> int:
    """Delete chat rows and the audit texts that quoted them (the audit entries stay)."""
    await _drop_audit_texts(db, event_id, item_ids)
    deleted = 0
    for start in range(0, len(item_ids), _CHUNK):
        result = await db.exec(delete(QAItemRow).where(col(QAItemRow.id).in_(list(item_ids[start:start + _CHUNK]))))
        deleted += int(result.rowcount or 0)
    return deleted


async def participant_actors(db: AsyncSession, event_id: int) -> list[str]:
    """The command-log actor keys of the event's participants (`p:<id>`)."""
    result = await db.exec(select(ParticipantRow.id).where(ParticipantRow.event_id == event_id))
    return [voter_key(participant=pid) for pid in result.all() if pid is not None]
