"""Check-in latency at the door: one staff link checks delegates in, one after another, over a
real websocket, on a fresh SQLite file; each ack carries the whole attendance per segment, so its
cost grows with the number of credentials. Prints p50/p95/max milliseconds per check-in.

    .venv/bin/python -m benchmarks.checkin --delegates 40,1000,5000 --checkins 100
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from server.settings import Limits, Settings
from tests.client import Client
from tests.harness import create_event, running_server

SEGMENTS = ["Usuários", "Trabalhadores", "Entidades", "Governo"]


async def measure(delegates: int, checkins: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        # One door's phone sends at most 10 commands a second; the bench lifts that cap to time the
        # server, not the throttle.
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
                            limits=Limits(commands_per_second=1000.0, command_burst=1000))
        async with running_server(settings) as server:
            created = await create_event(server.base, code="BENCH17", segments=SEGMENTS)
            auth = {"authorization": f"Bearer {created['organizer_secret']}"}
            async with httpx.AsyncClient(base_url=server.base, headers=auth, timeout=120) as http:
                text = "".join(f"Delegado {i},{SEGMENTS[i % 4]}\n" for i in range(delegates))
                response = await http.post("/api/events/BENCH17/delegates", content=text.encode(),
                                           headers={"content-type": "text/csv"})
                response.raise_for_status()
                codes = [d["code"] for d in response.json()["delegates"]]
            door = await Client(server.ws_url, "BENCH17", token=created["organizer_secret"]).connect()
            await door.wait_for(lambda: len(door.snapshots) == 2)
            times = []
            for code in codes[:checkins]:
                start = time.perf_counter()
                await door.ok("checkin.in", code=code, method="scan")
                times.append((time.perf_counter() - start) * 1000)
            await door.close()
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1], "max": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", default="40,1000,5000")
    parser.add_argument("--checkins", type=int, default=100)
    args = parser.parse_args()
    for n in (int(x) for x in args.delegates.split(",")):
        figures = asyncio.run(measure(n, min(args.checkins, n)))
        print(f"{n:>5} delegates: check-in ack p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
              f"max {figures['max']:.1f} ms")


if __name__ == "__main__":
    main()
