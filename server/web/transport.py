"""Reach a websocket's transport so the hub can see its unsent bytes (slow-reader detection).

uvicorn hands the ASGI app its protocol's bound `send`; the protocol holds the
transport. Starlette wraps `send` deeper in the stack, so this outermost
middleware records the transport in the scope before anything wraps it. Under
another server it records nothing and backpressure falls back to that server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.protocol import State

SCOPE_KEY = "plenaria.transport"
PROTOCOL_KEY = "plenaria.protocol"
# A modest kernel buffer makes a stalled reader's backlog show up in the transport's
# buffer (which we can see and bound) instead of hiding megabytes in the kernel.
KERNEL_SEND_BUFFER = 64 * 1024
# Our limit must stay below the transport's pause threshold, or a send would wait.
PAUSE_THRESHOLD = 8 * 1024 * 1024


class TransportProbe:
    """Also the websocket endpoint's shortcut: a connection to `path` goes straight to
    `endpoint`, past the HTTP middleware and the router, which do nothing for it but would
    each hold a coroutine frame (and wrap every send) for as long as it stays connected."""

    def __init__(self, app: ASGIApp, path: str = "", endpoint: Callable[[WebSocket], Awaitable[None]] | None = None,
                 refuse: Callable[[Scope], bool] | None = None) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint
        self.refuse = refuse  # a handshake this says no to goes the long way, to be refused there

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            protocol: Any = getattr(send, "__self__", None)
            transport = getattr(protocol, "transport", None)
            if transport is not None:
                scope[SCOPE_KEY] = transport
                scope[PROTOCOL_KEY] = protocol
            if (self.endpoint is not None and scope.get("path") == self.path
                    and not (self.refuse is not None and self.refuse(scope))):
                await self.endpoint(WebSocket(scope, receive, send))
                return
        await self.app(scope, receive, send)


def tuned_transport(scope: Scope) -> asyncio.WriteTransport | None:
    """The connection's transport, with its buffers set for one-pass fan-out; None if unknown."""
    transport = scope.get(SCOPE_KEY)
    if transport is None:
        return None
    transport.set_write_buffer_limits(high=PAUSE_THRESHOLD)
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)
    return cast(asyncio.WriteTransport, transport)


def frame_writer(scope: Scope) -> Callable[[bytes], bool] | None:
    """A function that writes a pre-built frame straight to the socket (see server/hub/frames.py),
    returning False when the connection is no longer open; None when this server's websocket
    implementation is not the one whose state we know how to read (then the ASGI path is used)."""
    protocol: Any = scope.get(PROTOCOL_KEY)
    transport = scope.get(SCOPE_KEY)
    if protocol is None or transport is None or type(protocol).__name__ != "WebSocketsSansIOProtocol":
        return None
    if getattr(protocol, "conn", None) is None or getattr(protocol.conn, "extensions", None):
        return None  # an extension (compression) would make raw frames wrong

    def write(frame: bytes) -> bool:
        if protocol.close_sent or protocol.conn.state is not State.OPEN or transport.is_closing():
            return False
        transport.write(frame)
        return True

    return write


def release_handshake(scope: Scope) -> None:
    """Drop what only the handshake needed, once the hello is accepted (its Origin checked).

    For the connection's whole life uvicorn's websocket protocol keeps the upgrade request
    and response, each with its headers, and the scope keeps the raw request headers: about
    4 KiB per participant that nothing reads again. With ten thousand held that is 40 MiB."""
    headers = scope.get("headers")
    if isinstance(headers, list):
        headers.clear()  # in place: Starlette's Headers of this scope share the list
    protocol: Any = scope.get(PROTOCOL_KEY)
    if (protocol is not None and type(protocol).__name__ == "WebSocketsSansIOProtocol"
            and getattr(protocol, "handshake_complete", False)):
        # Read again only while the handshake is answered (websocket.accept), never after.
        protocol.request = None
        protocol.response = None
