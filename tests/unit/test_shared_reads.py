"""Callers asking at once share one read, and nobody gets an answer read before they asked."""

from __future__ import annotations

import asyncio

import pytest

from server.broker.shared_reads import SharedReads


class Store:
    """A value per key that changes over time, read in batches that take a moment."""

    def __init__(self) -> None:
        self.version = 0
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.fail_next = False

    async def read(self, keys: list[str]) -> dict[str, int]:
        self.batches.append(sorted(keys))
        seen = self.version  # the read happens when it is sent
        await self.release.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("store went away")
        return {key: seen for key in keys}


async def sent(store: Store, batches: int) -> None:
    while len(store.batches) < batches:
        await asyncio.sleep(0)


async def test_callers_asking_during_a_read_wait_for_the_next_one() -> None:
    store = Store()
    shared = SharedReads("test", store.read)
    first = [asyncio.create_task(shared.ask("public")) for _ in range(50)]
    await sent(store, 1)  # the read of the first 50 is under way
    store.version = 1  # something happens after it was sent...
    later = [asyncio.create_task(shared.ask(key)) for key in ("public", "staff") for _ in range(20)]
    store.release.set()
    assert set(await asyncio.gather(*first)) == {0}
    assert set(await asyncio.gather(*later)) == {1}  # ...and those who asked after it see it
    assert store.batches == [["public"], ["public", "staff"]] and shared.reads == 2


async def test_a_failed_read_answers_its_own_callers_only() -> None:
    store = Store()
    shared = SharedReads("test", store.read)
    store.fail_next = True
    doomed = [asyncio.create_task(shared.ask("public")) for _ in range(5)]
    await sent(store, 1)
    later = asyncio.create_task(shared.ask("public"))
    store.release.set()
    for task in doomed:
        with pytest.raises(ConnectionError):
            await task
    assert await later == 0


async def test_a_caller_that_gives_up_cancels_nobody_else() -> None:
    store = Store()
    shared = SharedReads("test", store.read)
    askers = [asyncio.create_task(shared.ask("public")) for _ in range(10)]
    await sent(store, 1)
    askers[0].cancel()
    store.release.set()
    answers = await asyncio.gather(*askers, return_exceptions=True)
    assert isinstance(answers[0], asyncio.CancelledError) and answers[1:] == [0] * 9


async def test_closing_cancels_the_callers_waiting() -> None:
    store = Store()
    shared = SharedReads("test", store.read)
    waiting = asyncio.create_task(shared.ask("public"))
    await sent(store, 1)
    queued = asyncio.create_task(shared.ask("staff"))  # asked during the read, for the next one
    await asyncio.sleep(0)
    await shared.close()
    for task in (waiting, queued):
        with pytest.raises(asyncio.CancelledError):
            await task
