"""The engine, the schema, and transactions that fail loudly.

Writes go through SQLAlchemy's async engine (aiosqlite runs SQLite in its own
thread; asyncpg is natively async), so the event loop never blocks on disk.
A database that cannot be reached surfaces as `Unavailable`: the caller refuses
the command rather than acknowledging something that was not stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

from server.errors import InvalidCommand, Unavailable
from server.store import (
    answer_tables,  # noqa: F401  (moderators' decisions on open-text answers)
    platform_tables,  # noqa: F401  (imported live comments of YouTube and Facebook)
    poll_tables,  # noqa: F401  (polls, ballots, delegates)
    preconference_tables,  # noqa: F401  (pre-conference meetings, contributions, proposals)
    procedure_tables,  # noqa: F401  (speakers' lists, the procedure's audit log)
    qa_tables,  # noqa: F401  (chat, questions, moderation)
    tables,  # noqa: F401  (registers the tables on SQLModel.metadata)
)
from server.store.unit import Unit

log = logging.getLogger("plenaria.store")
# What a transaction raises when a unique key refuses it (another writer stored the same key
# first): services catch it under this name and never import the ORM.
Collision = IntegrityError
RESIDUE_ATTEMPTS = 20


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

    async def clear_residue(self, names: Sequence[str]) -> None:
        """After an erasure: make the files stop holding what the committed change removed.

        SQLite deletes with `secure_delete` on (freed bytes are zeroed), but the pages as
        they were stay in the write-ahead log until a checkpoint: a TRUNCATE checkpoint
        copies the new pages into the database file and empties the log. PostgreSQL keeps
        the old row versions (dead tuples) in the table files until VACUUM removes them:
        VACUUM the tables the erasure touched (it blocks no reader or writer). What this
        cannot reach on PostgreSQL (freed space not yet reused, WAL segments, backups) is
        described in docs/privacy.md.
        """
        try:
            async with self.engine.connect() as conn:
                if self.is_sqlite:
                    for _ in range(RESIDUE_ATTEMPTS):
                        row = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
                        if not row[0]:  # (busy, log frames, checkpointed frames)
                            break
                        await asyncio.sleep(0.05)
                    else:
                        log.warning("the WAL checkpoint after an erasure stayed busy; SQLite will do it later")
                else:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.exec_driver_sql(f"VACUUM {', '.join(names)}")
        except (OperationalError, DBAPIError, OSError) as exc:
            log.warning("clearing the residue of an erasure failed (%s); the rows are erased", type(exc).__name__)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Unit]:
        """A session in one transaction, committed on success, rolled back on any error.

        Connection-level failures become `Unavailable`; a value the database cannot hold
        becomes InvalidCommand `invalid_value` (the edge validates every input, so this
        is a last line, never a path for a client's input); IntegrityError propagates
        so callers can turn a unique-constraint hit into a domain answer.
        """
        try:
            async with self._slots, Unit(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except PoolTimeout as exc:
            raise Unavailable("the database is overloaded, try again", code="store_busy") from exc
        except (TimeoutError, OperationalError, DBAPIError, OSError, ConnectionError) as exc:
            if isinstance(exc, DBAPIError) and _is_data_problem(exc):
                raise _unstorable() from exc
            if isinstance(exc, DBAPIError) and not _is_connection_problem(exc):
                raise
            raise Unavailable("the database is unavailable, try again", code="store_unavailable") from exc
        except OverflowError as exc:  # sqlite3: an integer beyond 64 bits
            raise _unstorable() from exc


def _unstorable() -> InvalidCommand:
    return InvalidCommand("a value is out of the range the database can store", code="invalid_value")


def _sqlstate(exc: DBAPIError) -> str:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state if isinstance(state, str) else ""


def _is_data_problem(exc: DBAPIError) -> bool:
    """SQLSTATE class 22 (data exception): out of range, invalid text encoding, NUL in text."""
    return _sqlstate(exc).startswith("22")


# SQLSTATE classes of a database that cannot serve now: connection exception, insufficient
# resources ("sorry, too many clients already"), operator intervention (shutting down).
_UNAVAILABLE_STATES = ("08", "53", "57")


def _is_connection_problem(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return True
    if _sqlstate(exc).startswith(_UNAVAILABLE_STATES):
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
    # Deleted and overwritten content is zeroed, not left in free space: an erased message, or the
    # sealed ballots and poll keys a secret poll's count deletes, must not survive in the file
    # (see Database.clear_residue; cost in docs/performance.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
