"""The baseline: the bare `websockets` library broadcasting one frame to every client.

Runs in its own process (started with multiprocessing) so its memory can be read
like the server's. Controlled through a pipe: `broadcast` takes the clock, fills
the frame template with the message number and that time, and calls
`websockets.broadcast()` once; no permessage-deflate, as in Plenária.

For the join storm it answers each client's first message (the hello, parsed as
JSON) with a welcome and then a snapshot, or with one event when the hello has a
`resume` point: frames of the sizes Plenária sent in the same run (`join_frames`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from benchmarks.servers import raise_fd_limit


def frame_template(frame_bytes: int) -> str:
    """A `screen.updated` event frame shaped like Plenária's, padded to `frame_bytes` once filled.

    `{k}` and `{t}` are replaced by the message number and the send time (20 digits).
    """
    head = ('{{"type":"event","ch":"ev:1:public","epoch":"000000000000","seq":{k:06d},"name":"screen.updated",'
            '"data":{{"kind":"message","ref":null,"text":"')
    tail = '","ends_at":null}}'
    marker = "bench {k:06d} {t:020d} "
    sample = (head + marker + tail).format(k=0, t=0)
    padding = max(0, frame_bytes - len(sample.encode()))
    return head + marker + "x" * padding + tail


def run(pipe: Connection, port: int) -> None:
    """Process entry point: serve on 127.0.0.1:`port` until told to exit."""
    raise_fd_limit()
    logging.getLogger("websockets").setLevel(logging.CRITICAL)  # aborted peers are expected here
    try:  # the event loop uvicorn picks for the server ("auto"), so the ratio compares like with like
        import uvloop
    except ImportError:
        asyncio.run(_main(pipe, port))
    else:
        uvloop.run(_main(pipe, port))


async def _main(pipe: Connection, port: int) -> None:
    clients: set[ServerConnection] = set()
    frames: dict[str, str] = {}
    loop = asyncio.get_running_loop()

    async def handler(ws: ServerConnection) -> None:
        clients.add(ws)
        try:
            if frames:
                hello = json.loads(await ws.recv())
                await ws.send(frames["welcome"])
                await ws.send(frames["event"] if hello.get("resume") else frames["snapshot"])
            async for _ in ws:
                pass
        except ConnectionClosed:
            pass  # the load generator drops its connections without a closing handshake
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=64 * 1024, backlog=4096):
        pipe.send({"ready": True, "pid": os.getpid(), "loop": type(loop).__module__})
        while True:
            message: dict[str, Any] = await loop.run_in_executor(None, pipe.recv)
            op = message["op"]
            if op == "exit":
                pipe.send({"ok": True})
                break
            if op == "count":
                pipe.send({"clients": len(clients)})
            elif op == "join_frames":
                frames.clear()
                frames.update(message["frames"])
                pipe.send({"ok": True})
            elif op == "broadcast":
                template: str = message["template"]
                started = time.monotonic_ns()
                broadcast(clients, template.format(k=message["k"], t=started))
                pipe.send({"t0": started, "clients": len(clients), "call_ms": (time.monotonic_ns() - started) / 1e6})
            elif op == "disconnect":
                for ws in list(clients):
                    with contextlib.suppress(Exception):
                        ws.transport.abort()
                pipe.send({"ok": True})
