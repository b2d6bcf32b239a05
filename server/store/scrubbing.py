"""Making deleted sealed ballots and escrowed keys unreadable in the database files.

SQLite (secure_delete is on, see server.store.database): copy the WAL into the database and
truncate it. PostgreSQL: once no other transaction holds a snapshot older than the count,
rewrite the two tables (VACUUM FULL), so their dead rows leave the table files
(server.service.secret_polls.SecretPolls.scrub says why and when).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.store.database import Database

log = logging.getLogger("plenaria.secret")
# PostgreSQL: how long a scrub waits for older transactions to end before leaving it to the next tick.
SCRUB_WAITS = 50
SCRUB_WAIT_SECONDS = 0.1
_KEPT = re.compile(r"(\d+) dead row versions cannot be removed yet")
# Other sessions of this database holding a snapshot taken before `since` (the count's commit).
_OLDER_SNAPSHOTS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_xmin IS NOT NULL AND xact_start < :since"
)


async def scrub_sealed(db: Database) -> bool:
    """True once the files no longer hold the deleted rows; False when it must be tried again."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return True
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        since = (await autocommit.exec_driver_sql("SELECT clock_timestamp()")).scalar()
        for _ in range(SCRUB_WAITS):
            if not (await autocommit.execute(text(_OLDER_SNAPSHOTS), {"since": since})).scalar():
                break
            await asyncio.sleep(SCRUB_WAIT_SECONDS)
        else:
            log.warning("scrubbing sealed ballots waits for older transactions; retried at the next tick")
            return False
        return await _rewrite(autocommit)


async def _rewrite(conn: AsyncConnection) -> bool:
    """VACUUM FULL the sealed tables; True when no dead row had to be kept (PostgreSQL reports
    "N dead row versions cannot be removed yet" for each table it rewrites)."""
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    kept: list[int] = []

    def listen(_connection: Any, message: Any) -> None:
        found = _KEPT.search(getattr(message, "detail", None) or "")
        if found:
            kept.append(int(found.group(1)))

    driver.add_log_listener(listen)
    try:
        # The rewrite locks the tables; never leave secret votes of other polls queued behind it
        # for longer than a moment: give up, and try again at a later tick.
        await driver.execute("SET lock_timeout = '1s'")
        await driver.execute("VACUUM (FULL, VERBOSE) sealed_ballot, poll_key")
    finally:
        driver.remove_log_listener(listen)
        await driver.execute("RESET lock_timeout")
    if any(kept):
        log.info("scrubbing sealed ballots kept %d dead rows still visible to a transaction; again later", sum(kept))
    return len(kept) == 2 and not any(kept)
