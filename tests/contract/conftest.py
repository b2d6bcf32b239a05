"""Backends under contract: every test here runs against each implementation.

Memory and a real Redis for the broker; a SQLite file and a real PostgreSQL
(a database created for this test session and dropped after) for the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.broker import Broker, broker_from_url
from server.store import Database
from tests.services import REDIS_URL, require_redis


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    from server.settings import Settings

    db = Database(Settings(database_url=database_url).async_database_url)
    await db.create_schema()
    yield db
    if not db.is_sqlite:
        from sqlmodel import SQLModel

        async with db.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.drop_all)
    await db.dispose()


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    if request.param == "redis":
        require_redis()
        instance = broker_from_url(REDIS_URL, history=50)
    else:
        instance = broker_from_url("memory://", history=50)
    yield instance
    await instance.close()
