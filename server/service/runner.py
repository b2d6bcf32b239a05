"""Exactly-once command execution and publish-after-commit.

`CommandRunner.run` executes a unit of work in one transaction together with
its command-log row. A retry of the same (actor, command id) returns the first
answer and does nothing else, even when both arrive at once on two processes:
the log's primary key lets only one transaction commit. Events are published
only after the commit; a failed write publishes nothing.

`CommandRunner.run_many` gives a batch of commands (the votes queued meanwhile, see
server/service/ballot_box.py) the same guarantees in one transaction: each command is
answered as it would be alone, a command seen twice has one effect, and a batch that
collides with another process's commit is run again command by command.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from server import wire
from server.broker import Broker
from server.errors import Conflict, PlenariaError, Unavailable
from server.service.write_gate import WriteGate
from server.store import Collision, Database, Unit, commands

log = logging.getLogger("plenaria.service")


@dataclass
class Outcome:
    """What a unit of work returns: the answer to the caller and the events to publish."""

    result: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, str, Mapping[str, Any]]] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)

    def publish(
        self, channel: str, name: str, data: Mapping[str, Any], *,
        variant: tuple[int, str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Queue an event; `variant` = (participant id, name, data) is what that participant's
        own connections get instead, in the same place of the sequence (`server.wire.VARIANT`)."""
        if variant is not None:
            data = wire.with_variant(data, *variant)
        self.events.append((channel, name, data))

    def forget_history(self, channel: str) -> None:
        """After the commit and before this outcome's events, drop the channel's replay history
        (its events hold what the work just erased)."""
        self.forgotten.append(channel)


Work = Callable[[Unit, Outcome], Awaitable[None]]
Key = tuple[str, str]  # (actor, command id): what the command log is keyed by
Answer = dict[str, Any] | PlenariaError
Item = TypeVar("Item")
# Stages the effects of the batch's fresh commands (each key once, in arrival order) in the
# transaction and answers each: its result, or the error that refuses it alone.
BatchWork = Callable[[Unit, list[Item]], Awaitable[list[Answer]]]


class CommandRunner:
    def __init__(self, db: Database, broker: Broker, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        # Every write of this process goes through the gate: in arrival order on SQLite.
        self.gate = WriteGate(serialise=db.is_sqlite)
        self.collisions = 0  # batches undone by another process's commit, then run again

    async def run(self, actor: str, command_id: str | None, work: Work) -> dict[str, Any]:
        """Run `work` once per (actor, command_id); `command_id=None` runs it unlogged (HTTP admin)."""
        outcome = Outcome()
        try:
            async with self.gate, self.db.session() as db:
                if command_id is not None:
                    prior = await commands.recorded(db, actor, command_id)
                    if prior is not None:
                        return prior
                await work(db, outcome)
                if command_id is not None:
                    await commands.record(db, actor, command_id, outcome.result, self.clock())
        except Collision as exc:
            if command_id is None:
                raise Conflict("this change collides with another one", code="conflict") from exc
            prior = await self._recorded(actor, command_id)
            if prior is None:
                raise Conflict("this change collides with another one", code="conflict") from exc
            return prior
        except PlenariaError:
            # A concurrent run of the same command id may have committed first, making this one
            # fail its rules (e.g. "already voted"): answer as a retry would be answered.
            prior = await self._recorded(actor, command_id) if command_id is not None else None
            if prior is None:
                raise
            return prior
        await self.publish(outcome)
        return outcome.result

    async def run_many(self, items: Sequence[Item], key: Callable[[Item], Key],
                       work: BatchWork[Item]) -> list[Answer]:
        """Run a batch of commands in one transaction, each once per key; answers in order.

        A recorded command gets its recorded answer; a key seen twice in the batch has one
        effect and two answers; only successful answers are logged. Nothing is published.
        """
        try:
            answers = await self._batch(items, key, work)
        except Collision:
            self.collisions += 1
            if len(items) > 1:
                return [answer for item in items for answer in await self.run_many([item], key, work)]
            answers = [await self._after_collision(items[0], key, work)]
        failed = [key(item) for item, answer in zip(items, answers, strict=True) if isinstance(answer, PlenariaError)]
        if failed:
            # A command refused by a rule (say `already_voted`) may be the replay of one that
            # another process committed meanwhile: answer it as a retry is answered.
            async with self.db.session() as db:
                replayed = await commands.recorded_many(db, failed)
            answers = [replayed.get(key(item), answer) if isinstance(answer, PlenariaError) else answer
                       for item, answer in zip(items, answers, strict=True)]
        return answers

    async def _batch(self, items: Sequence[Item], key: Callable[[Item], Key], work: BatchWork[Item]) -> list[Answer]:
        async with self.gate, self.db.session() as db:
            prior = await commands.recorded_many(db, (key(item) for item in items))
            fresh: dict[Key, Item] = {}
            for item in items:
                if key(item) not in prior:
                    fresh.setdefault(key(item), item)
            done: dict[Key, Answer] = dict(zip(fresh, await work(db, list(fresh.values())), strict=True))
            await commands.record_many(db, ((*k, answer) for k, answer in done.items()
                                            if not isinstance(answer, PlenariaError)), self.clock())
            await db.flush()
        return [prior[key(item)] if key(item) in prior else done[key(item)] for item in items]

    async def _after_collision(self, item: Item, key: Callable[[Item], Key], work: BatchWork[Item]) -> Answer:
        """A lone command hit a unique constraint: it was stored elsewhere (replay its answer),
        or what it changes was (run it again, now against that change)."""
        prior = await self._recorded(*key(item))
        if prior is not None:
            return prior
        try:
            return (await self._batch([item], key, work))[0]
        except Collision:
            return Conflict("this change collides with another one, try again", code="conflict")

    async def publish(self, outcome: Outcome) -> None:
        """Publish after commit. The change is durable either way; a broker outage only
        delays fan-out (clients resynchronise from the store when it returns)."""
        for channel in outcome.forgotten:
            try:
                await self.broker.forget_history(channel)
            except Unavailable:
                log.warning("broker unavailable: the history of %s is forgotten when it returns", channel)
        for channel, name, data in outcome.events:
            try:
                await self.broker.publish(channel, name, data)
            except Unavailable:
                log.warning("broker unavailable: %s on %s not fanned out", name, channel)

    async def announce(self, channel: str, name: str, data: Mapping[str, Any]) -> None:
        """Publish an event that follows no write (the hub's count of who is online) the way every
        event is published, so it is one of the declared events like the rest."""
        outcome = Outcome()
        outcome.publish(channel, name, data)
        await self.publish(outcome)

    async def _recorded(self, actor: str, command_id: str) -> dict[str, Any] | None:
        async with self.db.session() as db:
            return await commands.recorded(db, actor, command_id)
