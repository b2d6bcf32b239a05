"""Online presence: the cost of one flush (server/service/presence.py) with N participants
connected to a process during a live session, on a fresh SQLite file or PostgreSQL database, and
the read of the organizer's per-person minutes afterwards. The first flush inserts a piece per
participant, every later one moves each piece's end (one upsert per participant, in batches).
The hub side costs one float per connected participant, nothing per connection. Prints ms.

    .venv/bin/python -m benchmarks.presence_flush --n 1000,10000 [--database postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from server.broker import broker_from_url
from server.hub.stretches import Stretches
from server.service.presence import PresenceService
from server.service.runner import CommandRunner
from server.settings import Settings
from server.store import Database
from server.store import conference as events
from server.store import participants as people
from server.store.tables import AgendaSessionRow, EventRow


async def measure(n: int, url: str) -> dict[str, float]:
    db = Database(url)
    await db.create_schema()
    now = time.time()
    async with db.session() as unit:
        event = await events.add_event(unit, EventRow(code=f"FLUSH{n}{int(now) % 10000}", title="Bench",
                                                      organizer_secret_hash="x"))
        assert event.id is not None
        unit.add(AgendaSessionRow(event_id=event.id, title="Live", status="live", started_at=now - 3600))
        rows = await people.join_many(unit, [(event.id, f"bench-{i}") for i in range(n)], now)
    stretches = Stretches()
    for row in rows.values():
        assert row.id is not None
        stretches.opened(event.id, row.id)
    service = PresenceService(CommandRunner(db, broker_from_url("memory://")), stretches)
    figures = {}
    for name in ("first", "next"):
        began = time.perf_counter()
        stored = await service.flush()
        figures[name] = (time.perf_counter() - began) * 1000
        assert stored == n, stored
    began = time.perf_counter()
    assert len(await service.seconds(event.id)) == n
    figures["read"] = (time.perf_counter() - began) * 1000
    await db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1000,10000")
    parser.add_argument("--database", default="", help="a PostgreSQL URL; default a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = Settings(database_url=args.database or f"sqlite:///{Path(tmp) / 'bench.db'}").async_database_url
        for n in (int(x) for x in args.n.split(",")):
            f = asyncio.run(measure(n, url))
            print(f"{n:>6} participants: first flush {f['first']:.0f} ms, next flush {f['next']:.0f} ms, "
                  f"read of every person's minutes {f['read']:.0f} ms")


if __name__ == "__main__":
    main()
