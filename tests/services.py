"""Where the real Redis, PostgreSQL and Chromium are, and what to do when one is missing.

Locally a missing service skips the tests that need it; under CI=true it fails
them, so a green CI always means they ran.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
from collections.abc import AsyncIterator

import asyncpg
import pytest

REDIS_URL = os.environ.get("PLENARIA_TEST_REDIS", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("PLENARIA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("PLENARIA_TEST_CHROMIUM", "/usr/bin/chromium")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def require_redis() -> None:
    require(port_open("127.0.0.1", 6379), "Redis at 127.0.0.1:6379")


def require_postgres() -> None:
    require(port_open("127.0.0.1", 5432), "PostgreSQL at 127.0.0.1:5432")


def require_chromium() -> None:
    require(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def own_postgres_database(prefix: str = "plenaria_t") -> AsyncIterator[str]:
    """The URL of a PostgreSQL database of the caller's own, created here and dropped after."""
    require_postgres()
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
