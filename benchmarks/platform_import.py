"""How long importing one page of live comments takes: the YouTube stand-in serves a page of N
comments (2,000 is liveChatMessages' maximum page), and one `Importer.poll_once` fetches it over
HTTP, moderates every comment with the event's rules and stores it with its import key, cursor
and health in one transaction, then publishes.

    .venv/bin/python -m benchmarks.platform_import [--n 2000] [--pages 3] [--database URL]

Prints the seconds per page and per comment (median of the pages). The stand-in runs in a thread
of the same process, so its share of the CPU counts too: the figure is an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from server.settings import Settings
from tests.harness import create_event, running_server
from tests.platform_standins import YouTubeStandIn, serving

KEY = "AIzaSy-benchmark"
LINES = ["Quando abre a inscrição do BPC?", "Parabéns pela organização da conferência!",
         "O CRAS do bairro precisa de mais técnicos", "Cadê a ata da última plenária?",
         "Esse secretário é um boi de piranha", "Meu telefone é 67 99999-1234, me liguem",
         "Vejam https://exemplo.com.br/promo", "Concordo com a proposta do eixo 2"]


async def measure(n: int, pages: int, database: str) -> list[float]:
    stand_in = YouTubeStandIn(KEY, polling_ms=1000)
    with serving(stand_in) as url:
        settings = Settings(database_url=database, token_key="benchmark key", youtube_url=url)
        async with running_server(settings) as server:
            importer = server.services.importer
            assert importer._supervisor is not None
            importer._supervisor.cancel()  # this benchmark polls by hand
            created = await create_event(server.base, code="BENCH1")
            chat = stand_in.broadcast("bench-video")
            headers = {"authorization": f"Bearer {created['organizer_secret']}"}
            async with httpx.AsyncClient(base_url=server.base, headers=headers) as http:
                source = (await http.post("/api/events/BENCH1/platforms", json={
                    "platform": "youtube", "target": chat.video_id, "token": KEY})).json()["source"]
            times = []
            for page in range(pages):
                for i in range(n):
                    stand_in.say(chat.video_id, f"Pessoa {i % 300}", f"{LINES[i % len(LINES)]} ({page}.{i})")
                started = time.perf_counter()
                await importer.poll_once(source["id"])
                times.append(time.perf_counter() - started)
            async with httpx.AsyncClient(base_url=server.base, headers=headers) as http:
                listing = (await http.get("/api/events/BENCH1/platforms")).json()
            assert listing["sources"][0]["imported"] == n * pages, listing
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        times = asyncio.run(measure(args.n, args.pages, database))
    median = statistics.median(times)
    pages = " ".join(f"{t:.2f}" for t in times)
    print(f"{args.n} comments per page, {args.pages} pages: {pages} s; "
          f"median {median:.2f} s/page, {median / args.n * 1000:.2f} ms/comment")


if __name__ == "__main__":
    main()
