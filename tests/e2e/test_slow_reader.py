"""A client that sends and never reads costs bounded memory: pings count against the rate limit,
every frame the server writes (replies included) falls under the slow-reader rule, and such a
connection is closed within the slow-reader grace period with its socket (and buffer) freed,
while it still has not read a byte."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time
from pathlib import Path

from websockets.frames import Frame, Opcode

from server.hub import Connection, Hub
from server.hub.hub import CLOSE_LINGER_SECONDS
from server.settings import Limits, Settings
from tests.client import Client
from tests.harness import create_event, running_server

CODE = "SLOW1"
GRACE = 1.0


class NeverReads:
    """A websocket client on a socket with a tiny receive buffer that, after the handshake,
    only ever writes: a hello, then pings as fast as the socket takes them."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(1)  # the handshake answer, byte by byte: nothing more is read
        assert response.startswith(b"HTTP/1.1 101"), response
        self.send({"type": "hello", "event": CODE, "device": "never-reads-device-0001"})
        self.stop = threading.Event()
        self.pings = 0
        self.thread = threading.Thread(target=self._ping, daemon=True)

    def send(self, message: dict[str, object]) -> None:
        self.sock.sendall(Frame(Opcode.TEXT, json.dumps(message).encode()).serialize(mask=True, extensions=[]))

    def _ping(self) -> None:
        self.sock.settimeout(0.05)
        frame = Frame(Opcode.TEXT, json.dumps({"type": "ping", "t": 1.0}).encode()).serialize(mask=True,
                                                                                          extensions=[])
        while not self.stop.is_set():
            try:
                self.sock.sendall(frame)
                self.pings += 1
            except TimeoutError:
                continue  # the server stopped reading from us
            except OSError:
                return  # the server dropped us


async def test_a_client_that_never_reads_is_closed_and_its_memory_freed(tmp_path: Path) -> None:
    limits = Limits(send_buffer_limit=64 * 1024, stale_grace_seconds=GRACE, commands_per_second=5000,
                    command_burst=5000)
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=limits)) as server:
        await create_event(server.base, code=CODE)
        reader = await Client(server.ws_url, CODE).connect()
        admission, hub = server.services.admission, server.services.hub
        before = connections(hub)
        rude = await asyncio.to_thread(NeverReads, server.settings.port)
        try:
            for _ in range(100):
                if len(connections(hub)) == len(before) + 1:
                    break
                await asyncio.sleep(0.05)
            (conn,) = connections(hub) - before
            assert conn.transport is not None
            sock = conn.transport.get_extra_info("socket")
            rude.thread.start()
            deadline = time.monotonic() + 30
            while sock.fileno() != -1 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            freed = time.monotonic()
            rude.stop.set()
            rude.thread.join(5)
            assert sock.fileno() == -1, f"the server kept the socket (and its unsent bytes) after {rude.pings} pings"
            assert conn.stale_since is not None, "it was never found slow"
            took = freed - conn.stale_since
            # The grace period, the watcher's quarter-second look, the linger after the close frame.
            assert took < GRACE + 0.25 + CLOSE_LINGER_SECONDS + 2, f"freed {took:.1f} s after it fell behind"
            assert conn.closed and admission.total == 1 and hub.stats["slow_replies"] >= 1
            assert conn.buffered() == 0, "its unsent bytes were not freed"
            assert (await reader.ok("profile.update", name="Ainda leio"))["participant"]["name"] == "Ainda leio"
        finally:
            rude.stop.set()
            rude.sock.close()
            await reader.close()


def connections(hub: Hub) -> set[Connection]:
    return {conn for subscribers in hub._subs.values() for conn in subscribers}


async def test_pings_count_against_the_rate_limit(tmp_path: Path) -> None:
    limits = Limits(commands_per_second=1, command_burst=3)
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=limits)) as server:
        await create_event(server.base, code=CODE)
        client = await Client(server.ws_url, CODE).connect()
        for _ in range(5):
            await client.send_raw(json.dumps({"type": "ping", "t": 1.0}))
        await client.wait_for(lambda: len(client.others) >= 5)
        kinds = [m["type"] if m["type"] == "pong" else m.get("code") for m in client.others[-5:]]
        assert kinds.count("pong") == 3 and kinds.count("rate_limited") == 2, kinds
        await client.close()
