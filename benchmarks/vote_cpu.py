"""CPU time of the vote path without the network: N ballots cast at once through PollService
on a fresh SQLite file, then the close (for a secret poll: its count).

    .venv/bin/python benchmarks/vote_cpu.py --n 3000 [--secret] [--runs 4]

Prints one JSON line per run: wall seconds and CPU microseconds per vote of the burst, wall
and CPU milliseconds of the close. CPU time (`time.process_time`, every thread of the
process, SQLite's included) moves far less than wall time on a machine shared with other
work, which is why docs/performance.md quotes it for before/after comparisons.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import tempfile
import time
from pathlib import Path

from server.broker import broker_from_url
from server.identity import Identity
from server.service.conference import ConferenceService
from server.service.polls import PollService
from server.service.runner import CommandRunner
from server.store import Database
from server.store import participants as people

MUNICIPAL = [f"m{i}" for i in range(1, 31)]
STATE = [f"e{i}" for i in range(1, 9)]
SPEC = {
    "kind": "multiple", "question": "Escolha 10 propostas municipais e 2 estaduais",
    "options": [{"id": oid, "label": oid.upper()} for oid in MUNICIPAL + STATE],
    "sections": [{"id": "m", "title": "Municipais", "option_ids": MUNICIPAL, "min_picks": 0, "max_picks": 10},
                 {"id": "e", "title": "Estaduais", "option_ids": STATE, "min_picks": 0, "max_picks": 2}],
}


async def run(n: int, secret: bool, folder: Path) -> dict[str, object]:
    db = Database(f"sqlite+aiosqlite:///{folder / f'votes-{secrets.token_hex(4)}.db'}")
    await db.create_schema()
    runner = CommandRunner(db, broker_from_url("memory://", history=10))
    polls = PollService(runner)
    event = (await ConferenceService(runner).create_event({"title": "Benchmark", "code": "CPU1"})).event["id"]
    async with db.session() as s:
        joined = await people.join_many(s, [(event, secrets.token_hex(32)) for _ in range(n)], now=1.0)
    voters = [Identity(event, "participant", participant_id=p.id, receipt_key=secrets.token_hex(8))
              for p in joined.values()]
    presenter = Identity(event, "presenter", staff_id=1)
    poll = (await polls.create_poll(event, {"spec": SPEC, "secret": secret}))["id"]
    await polls.open(presenter, "open", poll, None)
    rng = random.Random(1)
    ballots = [{"choices": rng.sample(MUNICIPAL, 10) + rng.sample(STATE, 2)} for _ in voters]
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(polls.cast(who, "vote", poll, ballot) for who, ballot in zip(voters, ballots, strict=True)))
    cast_cpu, cast_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu, wall = time.process_time(), time.perf_counter()
    await polls.close(presenter, "close", poll)
    close_cpu, close_wall = time.process_time() - cpu, time.perf_counter() - wall
    await db.dispose()
    return {"secret": secret, "n": n, "cast_wall_s": round(cast_wall, 3),
            "cast_cpu_us_per_vote": round(cast_cpu / n * 1e6, 1),
            "close_wall_ms": round(close_wall * 1e3, 1), "close_cpu_ms": round(close_cpu * 1e3, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--secret", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            print(json.dumps(asyncio.run(run(args.n, args.secret, Path(folder)))), flush=True)


if __name__ == "__main__":
    main()
