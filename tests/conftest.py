from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from server import wire
from server.service.runner import Outcome
from server.settings import Settings
from tests.harness import Running, running_server
from tests.services import POSTGRES_URL, free_port, own_postgres_database, port_open, require, require_postgres


@pytest.fixture(autouse=True)
async def tasks_end_with_their_test() -> AsyncIterator[None]:
    """Every test runs in the session's one event loop (pyproject.toml), so what a test leaves
    running would outlive it: the tasks it started are cancelled after its fixtures are torn down,
    as closing a loop of its own would. Session and module fixtures are set up before this one, so
    their tasks (the shared Chromium's driver) are left alone."""
    before = asyncio.all_tasks()
    yield
    left = [task for task in asyncio.all_tasks() if task not in before and task is not asyncio.current_task()]
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left, timeout=10)


@pytest.fixture(autouse=True)
def services_publish_declared_events(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every event a service publishes in any test has the shape server/wire.py declares
    (EVENTS); collected and reported after the test, so the server's own path is untouched."""
    wrong: list[str] = []
    publish = Outcome.publish

    def checked(self: Outcome, channel: str, name: str, data: Any, **kwargs: Any) -> None:
        publish(self, channel, name, data, **kwargs)
        problem = wire.event_mismatch(name, self.events[-1][2])
        if problem is not None:
            wrong.append(problem)

    monkeypatch.setattr(Outcome, "publish", checked)
    yield
    assert not wrong, f"events that differ from their declared shape: {sorted(set(wrong))}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}")


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Running]:
    async with running_server(settings) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (plenaria_test_<random>), dropped after."""
    require_postgres()
    name = f"plenaria_test_{secrets.token_hex(4)}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLite file, or a PostgreSQL database of this test's own (created, then dropped)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'plenaria.db'}"
        return
    async with own_postgres_database() as url:
        yield url


class RedisServer:
    """A redis-server of the test's own, on its own port, that the test may stop and restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    require(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
