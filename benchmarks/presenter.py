"""The presenter's websocket in the coordinator: sends commands, records the events it receives."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import time
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


class Presenter:
    def __init__(self, url: str, event: str, token: str) -> None:
        self.url = url
        self.event = event
        self.token = token
        self.ws: ClientConnection | None = None
        self.events: list[tuple[int, dict[str, Any]]] = []  # (receipt time, event frame)
        self.answers: dict[str, asyncio.Future[tuple[int, dict[str, Any]]]] = {}
        self.raw_sizes: dict[str, int] = {}  # event name -> size of the last frame of that name
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None

    async def connect(self) -> Presenter:
        self.ws = await websockets.connect(self.url, compression=None, proxy=None, max_size=2**22,
                                           ping_interval=None, open_timeout=30)
        hello = {"type": "hello", "event": self.event, "device": secrets.token_urlsafe(18), "token": self.token}
        await self.ws.send(json.dumps(hello))
        snapshots = 0
        while snapshots < 2:  # public and staff
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if message["type"] == "snapshot":
                snapshots += 1
            elif message["type"] not in ("welcome", "event"):
                raise ConnectionError(f"presenter refused: {message}")
        self._reader = asyncio.create_task(self._read())
        self._pinger = asyncio.create_task(self._ping())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                now = time.monotonic_ns()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "event":
                    self.events.append((now, message))
                    self.raw_sizes[message["name"]] = len(raw.encode() if isinstance(raw, str) else raw)
                elif kind in ("ack", "error"):
                    future = self.answers.get(str(message.get("id")))
                    if future is not None and not future.done():
                        future.set_result((now, message))

    async def _ping(self) -> None:
        assert self.ws is not None
        while True:
            await asyncio.sleep(25)
            with contextlib.suppress(Exception):
                await self.ws.send('{"type":"ping"}')

    async def command(self, type_: str, /, *, timeout: float = 30.0, **fields: Any) -> tuple[int, dict[str, Any]]:
        """Send a command; return (answer receipt time, ack or error frame)."""
        assert self.ws is not None
        command_id = f"p{next(self._ids)}"
        future: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self.answers[command_id] = future
        await self.ws.send(json.dumps({"type": type_, "id": command_id, **fields}))
        return await asyncio.wait_for(future, timeout)

    def named(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        return [(t, e) for t, e in self.events if e["name"] == name]

    async def close(self) -> None:
        for task in (self._reader, self._pinger):
            if task is not None:
                task.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
