"""Which participants have anything of their own in the store, for many at once.

A snapshot is completed for a returning participant only when they wrote, upvoted, hold a
delegate credential or voted (server/service/belongings.py); after a restart thousands come
back at once, most with none of these, and one query per table for all of them answers it.
The answer may say "something" of a participant whose things are no longer shown (removed
items, a revoked credential): they then take the longer path, which finds nothing to add.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain.voters import voter_key
from server.store.poll_tables import BallotRow, DelegateRow, VoteRecordRow
from server.store.qa_tables import QAItemRow, UpvoteRow


async def with_own_things(db: AsyncSession, event_ids: Collection[int], participant_ids: Collection[int],
                          poll_ids: Collection[int]) -> set[int]:
    """Those of `participant_ids` with an item, an upvote or a credential in `event_ids`, or a
    ballot or vote record of their own in `poll_ids`."""
    wanted = set(participant_ids)
    if not wanted:
        return set()
    found: set[int] = set()
    found.update((await db.exec(select(QAItemRow.participant_id).distinct().where(
        col(QAItemRow.participant_id).in_(wanted)))).all())
    found.update((await db.exec(select(UpvoteRow.participant_id).distinct().where(
        col(UpvoteRow.participant_id).in_(wanted - found)))).all())
    found.update(pid for pid in (await db.exec(select(DelegateRow.participant_id).where(
        col(DelegateRow.event_id).in_(set(event_ids)), col(DelegateRow.participant_id).in_(wanted - found)))).all()
        if pid is not None)
    keys = {voter_key(participant=pid): pid for pid in wanted - found}
    if keys and poll_ids:
        for table in (BallotRow, VoteRecordRow):
            voters = (await db.exec(select(table.voter).distinct().where(
                col(table.poll_id).in_(set(poll_ids)), col(table.voter).in_(keys)))).all()
            found.update(keys[voter] for voter in voters if voter in keys)
    return found
