"""CPU-heavy responses rendered outside the event loop's process: QR sheets, the printable
report, exports.

Drawing 2,000 QR codes takes seconds of pure Python; on the event loop that is seconds
in which no participant's frame is read or written. A worker thread is not enough: it
holds the interpreter lock in turns with the loop, and when the machine is busy the
operating system deschedules it while it holds the lock, so the loop waits hundreds of
milliseconds (measured: pings of up to 1 s while a sheet rendered in a thread). So
`HeavyWork.run` sends the work to a worker process (started on first use, `spawn`, as
the server's threads make `fork` unsafe) at a lower scheduling priority, one job at a
time per server process; the others wait their turn. The work is a module-level function of picklable arguments.
Every route using it is the organizer's and caps its input (docs/protocol.md, "Limits").
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
WORKERS = 1  # one core for heavy renders, the other for the server (2-core machines)
GZIP_LEVEL = 5
# Background work: when the machine is busy, the server's own process gets the CPU first.
WORKER_NICENESS = 10


class HeavyWork:
    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(workers)
        self.runs = 0

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` in the worker process, once it is free; its result or its exception."""
        async with self._slots:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=os.nice, initargs=(WORKER_NICENESS,))
            self.runs += 1
            call = functools.partial(work, *args, **kwargs)
            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool, call)
            except BrokenProcessPool:
                self._pool = None  # the worker died (killed, out of memory): a new one next time
                raise

    async def encoded(self, work: Callable[..., str], *args: Any, compress: bool, **kwargs: Any) -> bytes:
        """The text `work` returns, as UTF-8 bytes, gzipped when `compress`: done in the worker
        too, as compressing megabytes on the loop would stall it just the same."""
        return await self.run(_encoded, work, compress, args, kwargs)

    def stop(self) -> None:
        """Stop the worker now, even mid-render (nobody waits for that answer any more)."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self._pool = None


def _encoded(work: Callable[..., str], compress: bool, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    body = work(*args, **kwargs).encode()
    return gzip.compress(body, GZIP_LEVEL) if compress else body
