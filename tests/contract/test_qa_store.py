"""Chat, questions and moderation against each store (SQLite file, real PostgreSQL): races and counts."""

from __future__ import annotations

import asyncio

from server.broker.memory import MemoryBroker
from server.identity import Identity
from server.service.conference import ConferenceService
from server.service.moderating import ModerationService
from server.service.qa import QAService
from server.service.runner import CommandRunner
from server.store import Database
from server.store import audit as audit_store
from server.store import items as item_store
from server.store import upvotes as upvote_store


async def setup(database: Database) -> tuple[CommandRunner, int, list[Identity]]:
    runner = CommandRunner(database, MemoryBroker())
    conference = ConferenceService(runner)
    created = await conference.create_event({"title": "Conferência", "code": "CORRIDA"})
    people = [await conference.join("CORRIDA", f"device-{i:04d}-abcdefghijkl", "") for i in range(8)]
    return runner, int(created.event["id"]), people


async def test_racing_decisions_yield_exactly_one(database: Database) -> None:
    runner, event_id, people = await setup(database)
    qa, moderation = QAService(runner), ModerationService(runner)
    first = Identity(event_id, "moderator", staff_id=1, name="Ana")
    second = Identity(event_id, "moderator", staff_id=2, name="Bruno")
    items = []
    for n, who in enumerate(people):
        asked = await qa.ask(who, "ask", f"Pergunta {n} sobre o CRAS: meu telefone é (11) 9876{n}-432{n}", False)
        assert asked["item"]["status"] == "held"
        items.append(asked["item"]["id"])

    async def attempt(coro: object) -> str:
        try:
            await coro  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - the code is what is checked
            return str(getattr(exc, "code", type(exc).__name__))
        return "ok"

    outcomes = await asyncio.gather(
        *(
            attempt(call)
            for item in items
            for call in (
                moderation.approve(first, f"a{item}", "question", item, None),
                moderation.reject(second, f"r{item}", "question", item, ""),
            )
        )
    )
    for i in range(len(items)):
        assert sorted(outcomes[2 * i: 2 * i + 2]) == ["already_decided", "ok"], outcomes
    async with database.session() as s:
        entries = await audit_store.audit(s, event_id)
        for item in items:
            decided = await item_store.get_item(s, event_id, item)
            assert decided is not None and decided.status in ("published", "rejected")
            human = [e for e in entries if e.target_id == item and e.actor.kind == "staff"]
            assert len(human) == 1 and human[0].actor.label == decided.decided_by


async def test_concurrent_upvotes_count_exactly(database: Database) -> None:
    runner, event_id, people = await setup(database)
    qa = QAService(runner)
    author, voters = people[0], people[1:]
    question = (await qa.ask(author, "q", "Quando sai o resultado da eleição?", False))["item"]["id"]
    results = await asyncio.gather(
        *(qa.upvote(who, f"up{n}", question, True) for who in voters for n in range(2)), return_exceptions=True
    )
    # A participant's two simultaneous upvotes may meet as a `conflict` (one transaction wins); never as two votes.
    assert all(not isinstance(r, BaseException) or getattr(r, "code", "") == "conflict" for r in results)
    async with database.session() as s:
        stored = await item_store.get_item(s, event_id, question)
        assert stored is not None
        assert stored.upvotes == len(await upvote_store.voters(s, question)) == len(voters)
