"""A real Plenária server on a real port, in this test's event loop or in its own process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from server.cli import uvicorn_options
from server.settings import Settings
from server.web.app import create_app
from server.web.services import Services
from tests.services import free_port


@dataclass
class Running:
    settings: Settings
    app: Starlette

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.settings.port}/ws"

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


@contextlib.asynccontextmanager
async def running_server(settings: Settings) -> AsyncIterator[Running]:
    """Start uvicorn (with the CLI's websocket options) as a task in the current loop."""
    settings = replace(settings, port=settings.port if settings.port != 8000 else free_port())
    app = create_app(settings)
    options: dict[str, Any] = uvicorn_options(settings, access_log=False)
    options["log_level"] = "warning"
    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield Running(settings, app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


async def create_event(base: str, **fields: Any) -> dict[str, Any]:
    """POST /api/events as an organizer would; returns the whole answer (secrets and links)."""
    body = {"title": "Conferência de teste", "segments": ["Usuários", "Governo"], **fields}
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post("/api/events", json=body)
        response.raise_for_status()
        created: dict[str, Any] = response.json()
    return created


async def add_sessions(base: str, code: str, secret: str, titles: list[str]) -> list[dict[str, Any]]:
    out = []
    async with httpx.AsyncClient(base_url=base, headers={"authorization": f"Bearer {secret}"}) as http:
        for title in titles:
            response = await http.post(f"/api/events/{code}/sessions", json={"title": title})
            response.raise_for_status()
            out.append(response.json())
    return out


class ServerProcess:
    """`plenaria serve` in a child process, for tests that kill or restart servers."""

    def __init__(self, *args: str, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.args = ["serve", "--port", str(self.port), *args]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, log: Path | None = None) -> ServerProcess:
        out: Any = subprocess.DEVNULL
        if log is not None:
            out = self._log = open(log, "ab")  # noqa: SIM115  (closed in stop/kill)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", *self.args], env=self.env, stdout=out, stderr=out
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/api/health", timeout=0.5).status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class ThreadedServer:
    """The app on uvicorn in a thread of its own, for synchronous clients (fuzzing with hypothesis)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = replace(settings, port=free_port())
        self.app = create_app(self.settings)
        options: dict[str, Any] = uvicorn_options(self.settings, access_log=False)
        options["log_level"] = "warning"
        self.server = uvicorn.Server(uvicorn.Config(self.app, **options))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.settings.port}/ws"

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
