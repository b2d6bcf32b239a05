"""Work that runs on a fixed tick in one task per process: coalesced fan-out, deadlines.

Publishing on a tick makes fan-out cost independent of the command rate: a
thousand upvotes or votes within one tick cost one event per item.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from server.errors import Unavailable

log = logging.getLogger("plenaria.periodic")
K = TypeVar("K", bound=Hashable)


class Periodic:
    """Runs `tick` every `interval` seconds. A tick that fails is logged and the next one runs."""

    def __init__(self, name: str, interval: float, tick: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self.interval = interval
        self.tick = tick
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except Unavailable:
                log.warning("%s: store unavailable, retrying at the next tick", self.name)
            except Exception:
                log.exception("%s failed", self.name)


class Coalescer(Generic[K]):
    """Keys marked dirty are handed to `flush`, each once per tick; a tick whose flush finds
    the store unavailable keeps its keys for the next one."""

    def __init__(self, name: str, interval: float, flush: Callable[[set[K]], Awaitable[None]]) -> None:
        self._flush = flush
        self._dirty: set[K] = set()
        self.periodic = Periodic(name, interval, self._tick)

    def mark(self, key: K) -> None:
        self._dirty.add(key)

    async def _tick(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        try:
            await self._flush(dirty)
        except Unavailable:
            self._dirty |= dirty
            raise
