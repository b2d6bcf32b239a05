"""Keeping Python's cyclic garbage collector from pausing a busy process.

A process holding ten thousand connections keeps a few million long-lived
objects. Every time that heap grows by a quarter, CPython runs a full
(generation 2) collection that walks all of them with the event loop stopped:
measured at 10,000 connections, pauses of 0.7 to 1.5 seconds every 10 to 20
seconds while people join, each freeing about a hundred objects. Every fan-out,
vote and handshake in flight waits.

`Collector` freezes the survivors every FREEZE_SECONDS (`gc.freeze()` moves
every tracked object to a generation the collector never examines; it splices
lists, so it costs next to nothing), so a full collection only walks what was
allocated in the last second. Frozen objects are still
freed by reference counting; only reference cycles among them wait until the
next thaw, which every THAW_SECONDS unfreezes everything and collects it once,
at a moment of our choosing, before freezing again. The watch logs each pause
longer than SLOW_SECONDS, so an operator can tell a collector pause from a slow
database.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from server.service.periodic import Periodic

log = logging.getLogger("plenaria.gc")
SLOW_SECONDS = 0.1
FREEZE_SECONDS = 1.0
THAW_SECONDS = 3600.0


class CollectorWatch:
    """A `gc.callbacks` entry: counts collections per generation and logs the slow ones."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.started = 0.0
        self.stats: Counter[str] = Counter()

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = self.clock()
            return
        took = self.clock() - self.started
        generation = info.get("generation", -1)
        self.stats[f"gen{generation}"] += 1
        if took >= SLOW_SECONDS:
            self.stats["slow"] += 1
            log.warning("garbage collection of generation %s paused the process %.0f ms (%s objects freed)",
                        generation, took * 1000, info.get("collected", "?"))


def watch() -> CollectorWatch:
    """Install the watch once per process and return it."""
    for callback in gc.callbacks:
        if isinstance(callback, CollectorWatch):
            return callback
    watcher = CollectorWatch()
    gc.callbacks.append(watcher)
    return watcher


class Collector:
    def __init__(self, freeze_every: float = FREEZE_SECONDS, thaw_every: float = THAW_SECONDS) -> None:
        self.watch = watch()
        self.thaw_every = thaw_every
        self.thaws = 0
        self._thawed_at = time.monotonic()
        self._periodic = Periodic("gc-freeze", freeze_every, self.tick)

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
        gc.unfreeze()
        if self.watch in gc.callbacks:
            gc.callbacks.remove(self.watch)

    async def tick(self) -> None:
        if time.monotonic() - self._thawed_at >= self.thaw_every:
            gc.unfreeze()
            freed = gc.collect()
            self._thawed_at = time.monotonic()
            self.thaws += 1
            log.info("thawed and collected the frozen heap: %d objects freed", freed)
        gc.freeze()
