"""Group commit: writes that queue while one transaction runs go together in the next.

On SQLite one process writes one transaction at a time, and a transaction of a
few statements costs milliseconds of round trips to the database thread, more
when the event loop is busy. When thousands of people vote, or open the page, in
the same minute, one transaction per item caps the rate at a few hundred a
second and queues everyone behind everyone. A `Batcher` hands whatever queued to
`write` in one call, so the cost of a transaction is shared by every item in
it; a lone item is written at once and waits for nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from server.errors import PlenariaError, Unavailable

log = logging.getLogger("plenaria.batching")
Item = TypeVar("Item")
Answer = TypeVar("Answer")
# `write` answers each item, in order, with its result or the error that refuses it.
Write = Callable[[list[Item]], Awaitable[list[Answer | PlenariaError]]]


class Batcher(Generic[Item, Answer]):
    def __init__(self, name: str, write: Write[Item, Answer], max_batch: int) -> None:
        self.name = name
        self._write = write
        self.max_batch = max_batch
        self._queue: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # calls of `write`
        self.splits = 0  # batches that failed and were written item by item

    async def submit(self, item: Item) -> Answer:
        """Queue the item and return its answer once its batch is written (or raise its error)."""
        return await self.push(item)

    def push(self, item: Item) -> asyncio.Future[Answer]:
        """Queue the item; the future holds its answer once its batch is written."""
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer))
        if self._writer is None or self._writer.done():
            # A task of its own, so a caller that goes away mid-batch cancels nobody else's write.
            self._writer = asyncio.create_task(self._write_all(), name=self.name)
        return answer

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            try:
                answers = await self._answers([item for item, _ in batch])
            except asyncio.CancelledError:  # the server is stopping
                _settle(batch, [Unavailable("the server is stopping, try again", code="store_unavailable")]
                        * len(batch))
                raise
            self.batches += 1
            _settle(batch, answers)

    async def _answers(self, items: list[Item]) -> list[Answer | PlenariaError]:
        """`write` the batch; when it fails for any reason but the store being unavailable,
        write each item alone, so whatever broke the batch is answered to its own item
        and nobody else's is lost."""
        try:
            return await self._write(items)
        except Unavailable as refused:  # the store is down or busy: nothing was written
            return [refused] * len(items)
        except Exception as exc:
            if len(items) == 1:
                return [_refusal(self.name, exc)]
            self.splits += 1
            log.warning("%s: a batch of %d failed (%s); writing its items one by one",
                        self.name, len(items), type(exc).__name__)
        answers: list[Answer | PlenariaError] = []
        for item in items:
            try:
                answers.extend(await self._write([item]))
            except Exception as exc:
                answers.append(_refusal(self.name, exc))
        return answers


def _refusal(name: str, exc: Exception) -> PlenariaError:
    """The answer to an item whose write failed alone: its own refusal, or `internal` (logged)."""
    if isinstance(exc, PlenariaError):
        return exc
    log.error("%s: writing one item failed", name, exc_info=exc)
    return PlenariaError("internal error", code="internal")


def _settle(batch: list[tuple[Item, asyncio.Future[Answer]]], answers: Sequence[Answer | Exception]) -> None:
    for (_, future), answer in zip(batch, answers, strict=True):
        if future.done():
            continue
        if isinstance(answer, Exception):
            future.set_exception(answer)
        else:
            future.set_result(answer)
