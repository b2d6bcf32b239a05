"""CPU-heavy responses rendered off the event loop: QR sheets, the printable report, exports.

Drawing 2,000 QR codes takes seconds of pure Python; on the event loop that is seconds
in which no participant's frame is read or written. `HeavyWork.run` hands such work to
a worker thread, a few at a time per process (the rest wait their turn), so the loop
keeps answering: the thread gives the interpreter back every switch interval (5 ms).
Every route using it is the organizer's and caps its input (docs/protocol.md, "Limits").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
CONCURRENT = 2  # heavy renders at once per process; on 2 cores more would only queue for the CPU


class HeavyWork:
    def __init__(self, concurrent: int = CONCURRENT) -> None:
        self._slots = asyncio.Semaphore(concurrent)
        self.runs = 0

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` in a worker thread, once a slot is free; its result or its exception."""
        async with self._slots:
            self.runs += 1
            return await asyncio.to_thread(work, *args, **kwargs)
