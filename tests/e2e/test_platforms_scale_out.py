"""Two server processes on one Redis and one PostgreSQL import one YouTube live chat once: the
source's lease on Redis lets one process poll it, and the other takes over when that one dies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.conftest import RedisServer
from tests.harness import ServerProcess, create_event
from tests.platform_standins import YouTubeStandIn, serving

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
KEY = "AIzaSy-scale-out-key"


async def eventually(check: object, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.1)


async def test_two_processes_import_each_comment_once_and_one_takes_over(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: with both processes up, one polls (the polls keep the 1 s minimum apart) and each
    comment becomes one item; after the polling process is killed the other goes on, and
    still nothing is imported twice."""
    stand_in = YouTubeStandIn(KEY, polling_ms=200)
    with serving(stand_in) as youtube_url:
        env = {"PLENARIA_YOUTUBE_URL": youtube_url, "PLENARIA_TOKEN_KEY": "scale-out test key",
               "PLENARIA_PLATFORM_LEASE_SECONDS": "1.5"}
        options = ("--redis", redis_server.url, "--database", postgres_database)
        a = ServerProcess(*options, env=env).start(tmp_path / "a.log")
        b = ServerProcess(*options, env=env).start(tmp_path / "b.log")
        try:
            created = await create_event(a.base, code="DUAS")
            chat = stand_in.broadcast("duas-maquinas")
            for i in range(5):
                stand_in.say(chat.video_id, f"Pessoa {i}", f"pergunta número {i}")
            headers = {"authorization": f"Bearer {created['organizer_secret']}"}
            async with httpx.AsyncClient(base_url=a.base, headers=headers) as http:
                connected = await http.post("/api/events/DUAS/platforms",
                                            json={"platform": "youtube", "target": chat.video_id, "token": KEY})
                assert connected.status_code == 201, connected.text

                async def imported(n: int) -> bool:
                    listing = (await http.get("/api/events/DUAS/platforms")).json()
                    return bool(listing["sources"][0]["imported"] == n)

                await eventually(lambda: imported(5))
                for i in range(3):
                    stand_in.say(chat.video_id, "Pessoa 9", f"mais uma {i}")
                await eventually(lambda: imported(8))

                async def polled(n: int) -> bool:
                    return len(stand_in.calls("liveChat")) >= n

                await eventually(lambda: polled(5))
                # One poller waits at least the 1 s minimum between polls; two would interleave.
                times = [r.at for r in stand_in.calls("liveChat")]
                gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
                assert min(gaps) > 0.8, f"two pollers at once: {gaps}"

                a.kill()
                for i in range(2):
                    stand_in.say(chat.video_id, "Pessoa 10", f"depois da queda {i}")
            async with httpx.AsyncClient(base_url=b.base, headers=headers) as http:
                async def imported_on_b(n: int) -> bool:
                    listing = (await http.get("/api/events/DUAS/platforms")).json()
                    return bool(listing["sources"][0]["imported"] == n)

                await eventually(lambda: imported_on_b(10))
        finally:
            a.stop()
            b.stop()
