"""The engine, the schema, and transactions that fail loudly.

Writes go through SQLAlchemy's async engine (aiosqlite runs SQLite in its own
thread; asyncpg is natively async), so the event loop never blocks on disk.
A database that cannot be reached surfaces as `Unavailable`: the caller refuses
the command rather than acknowledging something that was not stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Unavailable
from server.store import (
    poll_tables,  # noqa: F401  (polls, ballots, delegates)
    qa_tables,  # noqa: F401  (chat, questions, moderation)
    tables,  # noqa: F401  (registers the tables on SQLModel.metadata)
)


class Database:
    """One per process. `url` is an SQLAlchemy async URL (sqlite+aiosqlite or postgresql+asyncpg)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {}
        slots = 64
        if not self.is_sqlite:
            options = {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True, "pool_timeout": 30}
            slots = 30
        self.engine: AsyncEngine = create_async_engine(url, **options)
        # Sessions queue here, in arrival order, for one of the pool's connections: a burst of
        # hundreds of votes waits its turn fairly instead of racing for the pool and timing out.
        self._slots = asyncio.Semaphore(slots)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    async def create_schema(self) -> None:
        """Create missing tables (first start). Safe to call on every start and from many processes."""
        try:
            async with self.engine.begin() as conn:
                await conn.run_sync(SQLModel.metadata.create_all)
        except IntegrityError:
            # Another process created the same tables at the same moment (PostgreSQL catalog race).
            async with self.engine.begin() as conn:
                await conn.run_sync(SQLModel.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed on success, rolled back on any error.

        Connection-level failures become `Unavailable`; IntegrityError propagates
        so callers can turn a unique-constraint hit into a domain answer.
        """
        try:
            async with self._slots, AsyncSession(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except PoolTimeout as exc:
            raise Unavailable("the database is overloaded, try again", code="store_busy") from exc
        except (TimeoutError, OperationalError, DBAPIError, OSError, ConnectionError) as exc:
            if isinstance(exc, DBAPIError) and not _is_connection_problem(exc):
                raise
            raise Unavailable("the database is unavailable, try again", code="store_unavailable") from exc


def _is_connection_problem(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return True
    text = str(exc.orig).lower()
    return any(s in text for s in ("connection", "terminat", "shutdown", "closed", "refused", "cannot connect"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode keeps every
    # committed transaction across a process crash (only an OS crash can lose the last ones).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, not just unlinked: the sealed ballots and poll
    # keys that a secret poll's count deletes must not stay readable in free space of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
