"""A participant or staff client over a real websocket, as the pages use the protocol.

It keeps what a page keeps: the last sequence seen per channel (to resume),
every event received (to check order, gaps and duplicates), and the answers to
its commands by id.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

_ids = itertools.count(1)


class Client:
    def __init__(self, url: str, event: str, *, token: str = "", device: str | None = None) -> None:
        self.url = url
        self.event = event
        self.token = token
        self.device = device or secrets.token_hex(12)
        self.ws: ClientConnection | None = None
        self.welcome: dict[str, Any] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.positions: dict[str, tuple[str, int]] = {}
        self.snapshot_seq: dict[str, int] = {}
        self.snapshot_index: dict[str, int] = {}  # len(events) when the latest snapshot came
        self.events: list[dict[str, Any]] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.others: list[dict[str, Any]] = []
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self.closed: asyncio.Event = asyncio.Event()
        self.close_code: int | None = None

    async def connect(self, *, resume: bool = False, **connect_options: Any) -> Client:
        self.closed.clear()
        self.ws = await websockets.connect(self.url, max_size=None, **connect_options)
        hello: dict[str, Any] = {"type": "hello", "event": self.event, "device": self.device}
        if self.token:
            hello["token"] = self.token
        if resume:
            hello["resume"] = [{"ch": ch, "epoch": e, "seq": s} for ch, (e, s) in self.positions.items()]
        await self.ws.send(json.dumps(hello))
        self.welcome = json.loads(await self.ws.recv())
        if self.welcome.get("type") != "welcome":
            raise RuntimeError(f"refused: {self.welcome}")
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                self._accept(json.loads(raw))
                async with self._changed:
                    self._changed.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()
            async with self._changed:
                self._changed.notify_all()

    def _accept(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "snapshot":
            self.snapshots[message["ch"]] = message["state"]
            self.snapshot_seq[message["ch"]] = message["seq"]
            self.snapshot_index[message["ch"]] = len(self.events)
            self.positions[message["ch"]] = (message["epoch"], message["seq"])
        elif kind == "event":
            self.events.append(message)
            self.positions[message["ch"]] = (message["epoch"], message["seq"])
        elif kind in ("ack", "error") and message.get("id"):
            self.answers[message["id"]] = message
        else:
            self.others.append(message)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async def check() -> Any:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    if self.closed.is_set():
                        raise ConnectionError(f"closed ({self.close_code}) while waiting")
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            # A timeout in CI is only worth something with what the client did receive.
            tail = [(e["ch"], e["seq"], e["name"]) for e in self.events[-12:]]
            raise TimeoutError(f"nothing matched in {timeout} s; last events {tail}; "
                               f"others {self.others[-3:]}") from None

    async def send_raw(self, data: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def command(self, type_: str, /, *, command_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Send a command and return its ack or error frame."""
        command_id = command_id or f"c{next(_ids)}"
        await self.send_raw(json.dumps({"type": type_, "id": command_id, **fields}))
        answer: dict[str, Any] = await self.wait_for(lambda: self.answers.get(command_id))
        return answer

    async def ok(self, type_: str, /, **fields: Any) -> dict[str, Any]:
        answer = await self.command(type_, **fields)
        if answer["type"] != "ack":
            raise AssertionError(f"{type_} refused: {answer}")
        result: dict[str, Any] = answer["result"]
        return result

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["name"] == name]

    def seqs(self, ch: str) -> list[int]:
        return [e["seq"] for e in self.events if e["ch"] == ch]

    def relative_seqs(self, ch: str) -> list[int]:
        """Sequence numbers counted from the first snapshot this client got."""
        return [seq - self.snapshot_seq[ch] for seq in self.seqs(ch)]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader
