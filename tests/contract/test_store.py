"""The store contract, against a SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from server.domain.agenda import start_session
from server.store import Database, commands
from server.store import conference as repo
from server.store import participants as people
from server.store.tables import EventRow, StaffTokenRow


async def make_event(db: Database, code: str = "LOJA1") -> int:
    async with db.session() as s:
        row = await repo.add_event(
            s, EventRow(code=code, title="Conferência", organizer_secret_hash="h" * 64, languages=["pt-BR"],
                        segments=["Governo"], screen={"kind": "none"})
        )
        assert row.id is not None
        return row.id


async def test_event_round_trip_and_unique_code(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as s:
        found = await repo.event_by_code(s, "loja1")
        assert found is not None and found.id == event_id
        assert found.languages == ["pt-BR"] and found.screen == {"kind": "none"}
    with pytest.raises(IntegrityError):
        await make_event(database)


async def test_agenda_order_and_save(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as s:
        for position, title in ((2, "Plenária"), (1, "Abertura"), (3, "Eleição")):
            await repo.add_agenda_item(s, event_id, {"title": title, "position": position})
    async with database.session() as s:
        items = await repo.agenda(s, event_id)
        assert [i.title for i in items] == ["Abertura", "Plenária", "Eleição"]
        changed = start_session(items, items[1].id, now=100.0)
        await repo.save_agenda_items(s, event_id, changed)
    async with database.session() as s:
        items = await repo.agenda(s, event_id)
        assert [(i.title, i.status) for i in items] == [
            ("Abertura", "planned"), ("Plenária", "live"), ("Eleição", "planned")
        ]
        assert items[1].started_at == 100.0


async def test_failed_transaction_leaves_nothing(database: Database) -> None:
    event_id = await make_event(database)
    with pytest.raises(RuntimeError):
        async with database.session() as s:
            await repo.add_agenda_item(s, event_id, {"title": "Fantasma", "position": 1})
            raise RuntimeError("boom")
    async with database.session() as s:
        assert await repo.agenda(s, event_id) == []


async def test_participant_join_is_idempotent_under_races(database: Database) -> None:
    event_id = await make_event(database)

    async def join() -> int:
        async with database.session() as s:
            row = await people.join(s, event_id, "d" * 64, now=1.0)
            assert row.id is not None
            return row.id

    ids = await asyncio.gather(*(join() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_command_log_records_once(database: Database) -> None:
    async with database.session() as s:
        await commands.record(s, "p:1", "cmd-1", {"ok": 1}, now=1.0)
    async with database.session() as s:
        assert await commands.recorded(s, "p:1", "cmd-1") == {"ok": 1}
        assert await commands.recorded(s, "p:2", "cmd-1") is None
    with pytest.raises(IntegrityError):
        async with database.session() as s:
            await commands.record(s, "p:1", "cmd-1", {"ok": 2}, now=2.0)


async def test_staff_tokens_by_hash(database: Database) -> None:
    event_id = await make_event(database)
    async with database.session() as s:
        await repo.add_staff_token(s, StaffTokenRow(event_id=event_id, role="moderator", token_hash="a" * 64))
    async with database.session() as s:
        found = await repo.staff_by_hash(s, "a" * 64)
        assert found is not None and found.role == "moderator"
        assert await repo.staff_by_hash(s, "b" * 64) is None
        assert len(await repo.staff_tokens(s, event_id)) == 1


async def test_reserved_participant_ids_are_never_taken_twice(database: Database, database_url: str) -> None:
    """A first visit's id is reserved before its row is written: ids reserved by two processes
    never overlap, stay above every row present, and rows written by any path (a tombstone, a
    first visit joined the old way) never take an id reserved and not yet used."""
    from server.settings import Settings
    from server.store.privacy import tombstone

    event_id = await make_event(database)
    async with database.session() as s:
        existing = await people.join(s, event_id, "a" * 64, now=1.0)
    other = Database(Settings(database_url=database_url).async_database_url)  # a second process
    try:
        async with database.session() as s:
            mine = await people.reserve_ids(s, 50)
        async with other.session() as s:
            theirs = await people.reserve_ids(s, 50)
        async with other.session() as s:
            joined = await people.join(s, event_id, "b" * 64, now=1.0)
            grave = await tombstone(s, event_id, "messages")
    finally:
        await other.dispose()
    assert existing.id is not None and min(mine + theirs) > existing.id
    assert len(set(mine) | set(theirs)) == 100
    assert {joined.id, grave.id}.isdisjoint(mine + theirs)

    arrivals = [people.Arrival(participant_id, event_id, f"{n:064x}", f"{n:012x}", 2.0)
                for n, participant_id in enumerate(mine)]
    # The second is the device joined above: left out, the rest written.
    arrivals[1] = people.Arrival(mine[1], event_id, "b" * 64, "000000000001", 2.0)
    async with database.session() as s:
        written = await people.register(s, arrivals)
    assert written == set(mine) - {mine[1]}
    async with database.session() as s:
        row = await people.by_device(s, event_id, f"{0:064x}")
        assert row is not None and (row.id, row.public_id) == (mine[0], f"{0:012x}")
        kept = await people.by_device(s, event_id, "b" * 64)
        assert kept is not None and kept.id == joined.id
