"""One writer at a time per process on SQLite, in arrival order.

SQLite serialises writers anyway; without this, concurrent transactions of one
process wait in SQLite's busy handler, which sleeps and retries without any
fairness, so a burst of votes would see some of them starve. With PostgreSQL the
gate is open: row locks do the work (see server.store.polls).
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class WriteGate:
    def __init__(self, serialise: bool) -> None:
        self._lock = asyncio.Lock() if serialise else None

    async def __aenter__(self) -> None:
        if self._lock is not None:
            await self._lock.acquire()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._lock is not None:
            self._lock.release()
