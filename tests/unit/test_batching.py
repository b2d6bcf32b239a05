"""The group-commit queue: a batch that fails is written again item by item."""

from __future__ import annotations

import asyncio

from server.errors import PlenariaError, Unavailable
from server.service.batching import Batcher


async def gathered(batcher: Batcher[int, int], items: list[int]) -> list[int | PlenariaError]:
    async def one(item: int) -> int | PlenariaError:
        try:
            return await batcher.submit(item)
        except PlenariaError as refused:
            return refused

    return list(await asyncio.gather(*(one(item) for item in items)))


async def test_only_the_item_that_breaks_a_batch_gets_an_error() -> None:
    async def write(items: list[int]) -> list[int | PlenariaError]:
        if 13 in items:
            raise ValueError("a bug this item triggers")
        return [item * 2 for item in items]

    batcher: Batcher[int, int] = Batcher("test", write, max_batch=100)
    got = await gathered(batcher, [1, 2, 13, 4])
    assert got[:2] == [2, 4] and got[3] == 8
    assert isinstance(got[2], PlenariaError) and got[2].code == "internal"
    assert batcher.splits == 1


async def test_an_unavailable_store_refuses_the_whole_batch_at_once() -> None:
    calls: list[list[int]] = []

    async def write(items: list[int]) -> list[int | PlenariaError]:
        calls.append(items)
        raise Unavailable("down", code="store_unavailable")

    batcher: Batcher[int, int] = Batcher("test", write, max_batch=100)
    got = await gathered(batcher, [1, 2, 3])
    assert all(isinstance(a, Unavailable) for a in got) and calls == [[1, 2, 3]], "not retried one by one"
