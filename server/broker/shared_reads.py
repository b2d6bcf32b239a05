"""Reads that callers asking at the same moment share: one round trip for a crowd.

When a crowd joins at once, hundreds of connections a second ask Redis the same thing (the
public channel's position, the one event they missed). A `SharedReads` sends whatever was
asked while no read was under way in one call of `read`, and whoever asks while that read is
under way waits for the next. Every read is sent after every request it answers was made,
so no caller gets an answer older than its question: a joiner's snapshot relies on that
(server/hub/snapshots.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class SharedReads(Generic[Key, Value]):
    def __init__(self, name: str, read: Callable[[list[Key]], Awaitable[dict[Key, Value]]]) -> None:
        self.name = name
        self._read = read
        self._asked: dict[Key, list[asyncio.Future[Value]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.reads = 0  # calls of `read`

    async def ask(self, key: Key) -> Value:
        """The value of `key`, read after this call began; raises what the read raised."""
        answer: asyncio.Future[Value] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(key, []).append(answer)
        if self._reader is None or self._reader.done():
            # A task of its own, so a caller that goes away cancels nobody else's read.
            self._reader = asyncio.create_task(self._read_all(), name=self.name)
        return await answer

    async def close(self) -> None:
        """Stop reading: whoever is still waiting is cancelled."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for answers in self._asked.values():  # asked before the reader took them
            for answer in answers:
                answer.cancel()
        self._asked = {}

    async def _read_all(self) -> None:
        while self._asked:
            batch, self._asked = self._asked, {}
            try:
                values = await self._read(list(batch))
                self.reads += 1
            except asyncio.CancelledError:  # closing
                for answers in batch.values():
                    for answer in answers:
                        answer.cancel()
                raise
            except Exception as exc:  # an outage or a bug: every caller of the batch hears it
                for answers in batch.values():
                    for answer in answers:
                        if not answer.done():
                            answer.set_exception(exc)
                continue
            for key, answers in batch.items():
                for answer in answers:
                    if not answer.done():
                        answer.set_result(values[key])
