"""The websocket endpoint: handshake checks, hello, then a loop of validated commands.

Protocol: docs/protocol.md. Every inbound frame is parsed by `server.wire`;
every refusal is an `error` frame with a code, and the connection stays open
unless the refusal is about the connection itself (bad hello, origin, limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import cast
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from server import wire
from server.broker import Position
from server.errors import InvalidMessage, PlenariaError, RateLimited, Unauthorized, Unavailable
from server.hub import Connection
from server.identity import Identity, require
from server.logs import refusal as refusal_record
from server.web.commands import COMMANDS
from server.web.services import Services
from server.web.throttle import TokenBucket
from server.web.transport import frame_writer, release_handshake, tuned_transport

log = logging.getLogger("plenaria.ws")

CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011
CLOSE_TRY_AGAIN = 1013
CLOSE_IDLE = 4000
CLOSE_AUTH = 4401
CLOSE_NOT_FOUND = 4404


async def endpoint(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    address = ws.client.host if ws.client else "unknown"
    refusal = services.admission.admit(address)
    if refusal is not None:
        # Accepted only to say why: a close code and reason a client can act on (retry later),
        # where refusing the handshake would give it a bare HTTP 403.
        log.info("connection refused: %s", refusal.code, extra=refusal_record(f"admission:{refusal.code}"))
        with contextlib.suppress(Exception):
            await ws.accept()
            await ws.send_text(wire.bye(refusal.code, refusal.message, retry_after=refusal.retry_after))
            await ws.close(CLOSE_TRY_AGAIN, refusal.code)
        return
    try:
        await ws.accept()
        await _session(ws, services)
    finally:
        services.admission.release(address)


async def _session(ws: WebSocket, services: Services) -> None:
    limits = services.settings.limits
    try:
        hello = await _hello(ws, services)
        if hello is None:
            return
        who, message = hello
        # Held for as long as the connection lives, so keep only what is read after the hello.
        resume = {point.ch: Position(point.epoch, point.seq) for point in message.resume}
        del hello, message
        release_handshake(ws.scope)
        conn = Connection(ws, who, tuned_transport(ws.scope), frame_writer(ws.scope))
        bucket = services.throttle.acquire(who.actor)
        try:
            await ws.send_text(
                wire.welcome(
                    role=who.role,
                    event_id=who.event_id,
                    participant=who.public() if who.participant_id is not None else None,
                    server_time=time.time(),
                    limits={"max_message_bytes": limits.max_message_bytes},
                )
            )
            for kind in ("public", "staff") if who.is_staff else ("public",):
                name = f"ev:{who.event_id}:{kind}"
                await services.hub.attach(conn, kind, resume.get(name))
            await _command_loop(ws, services, conn, bucket)
        finally:
            services.throttle.release(who.actor)
            services.hub.detach(conn)
            if who.first_visit:
                services.conference.arrivals.forget(who.participant_id)
    except WebSocketDisconnect:
        pass
    except Unavailable as exc:
        log.warning("connection refused for now: %s", exc.code, extra=refusal_record(f"session:{exc.code}"))
        await _refuse(ws, None, exc, CLOSE_TRY_AGAIN)
    except Exception:
        # A bug: still a close frame with a reason, never a bare drop.
        log.exception("connection failed")
        await _refuse(ws, None, PlenariaError("internal error", code="internal"), CLOSE_INTERNAL)


async def _hello(ws: WebSocket, services: Services) -> tuple[Identity, wire.Hello] | None:
    """The hello, checked before anything is stored: a refused Origin creates no participant."""
    limits = services.settings.limits
    try:
        async with asyncio.timeout(limits.hello_timeout_seconds):
            frame = await _receive(ws)
    except TimeoutError:
        await _refuse(ws, None, InvalidMessage("send hello first", code="hello_timeout"), CLOSE_POLICY)
        return None
    try:
        message = wire.parse(frame, limits.max_message_bytes)
        if not isinstance(message, wire.Hello):
            raise InvalidMessage("the first message must be hello", code="hello_required")
        who = await services.conference.join(message.event, message.device, message.token,
                                             origin=foreign_origin(ws, services))
    except PlenariaError as exc:
        code = {"unauthorized": CLOSE_AUTH, "not_found": CLOSE_NOT_FOUND}.get(type(exc).code, CLOSE_POLICY)
        await _refuse(ws, None, exc, CLOSE_TRY_AGAIN if isinstance(exc, Unavailable) else code)
        return None
    return who, message


async def _command_loop(ws: WebSocket, services: Services, conn: Connection, bucket: TokenBucket) -> None:
    limits = services.settings.limits
    while True:
        if services.hub.behind(conn):
            # It does not read what it is sent: read nothing more from it until it has drained
            # or has been closed for it.
            await services.hub.until_drained(conn)
        if conn.closed:
            return
        try:
            # A timeout scope, not wait_for: no task of its own per idle connection.
            async with asyncio.timeout(limits.idle_timeout_seconds):
                frame = await _receive(ws)
        except TimeoutError:
            await services.hub.close(conn, CLOSE_IDLE, "idle", "no message for too long")
            return
        reply = await _answer(services, conn, frame, bucket)
        try:
            written = await services.hub.write(conn, reply)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            written = False
            cause: BaseException | None = exc
        else:
            cause = None
        if not written and not conn.closed:
            # The peer left before its answer: the command's effect (if any) is durable and a
            # retry with the same id gets the same answer.
            raise WebSocketDisconnect(1006) from cause


async def _answer(services: Services, conn: Connection, frame: str | bytes, bucket: TokenBucket) -> str:
    """Run one inbound frame and return the frame that answers it (pong, ack or error)."""
    command_id: str | None = None
    kind = "?"
    try:
        raw = wire.decode(frame, services.settings.limits.max_message_bytes)
        kind = raw["type"]
        command_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        wait = bucket.take()  # pings too: each costs a reply
        if wait:
            raise RateLimited("too many messages, slow down", retry_after=wait)
        if kind == "ping":
            return wire.pong(getattr(wire.validate(raw), "t", None), time.time())
        declared = COMMANDS.get(kind)
        if declared is not None:
            # Roles first: a forbidden command costs no validation and learns nothing.
            require(conn.identity.role, declared.roles, kind)
        message = wire.validate(raw)
        if declared is None:
            raise InvalidMessage("hello was already received", code="unexpected_message")
        await _check_standing(services, conn)
        result = await declared.call(services, conn.identity, message)
        return wire.ack(cast(str, command_id), result)
    except PlenariaError as exc:
        return wire.error(command_id if command_id is not None else exc.details.get("id"), exc)
    except Exception:
        log.exception("command %s failed", kind)
        return wire.error(command_id, PlenariaError("internal error", code="internal"))


async def _check_standing(services: Services, conn: Connection) -> None:
    """A first visit's command runs once its participant is stored (server/service/arrivals.py);
    should it not be, the connection is closed for the device to join again. A staff command
    runs only while its link (or organizer secret) is in force; once it is not, the connection
    is closed, here and by the hub of every process."""
    if not conn.identity.is_staff:
        try:
            await services.conference.written(conn.identity)
        except PlenariaError as exc:
            services.hub.close_soon(conn, CLOSE_TRY_AGAIN, exc.code, "join again")
            raise
        return
    if not conn.revoked and await services.conference.still_valid(conn.identity):
        return
    services.hub.revoke(conn)
    raise Unauthorized("this staff link was revoked", code="revoked")


async def _receive(ws: WebSocket) -> str | bytes:
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text: str | None = message.get("text")
    if text is not None:
        return text
    data: bytes = message.get("bytes") or b""
    return data


async def _refuse(ws: WebSocket, command_id: str | None, exc: PlenariaError, code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(wire.error(command_id, exc))
        await ws.close(code, exc.code)


def foreign_origin(ws: WebSocket, services: Services) -> str | None:
    """The Origin of a browser on another site, or None when it is this host or server-allowed.

    Against cross-site websocket hijacking, a foreign origin must be one the event's
    organizer listed (embed_origins). Clients that send no Origin (not browsers) pass:
    they carry no victim's credentials, and every command is authorised by its own token.
    """
    origin = ws.headers.get("origin")
    if not origin:
        return None
    allowed = services.settings.allowed_origins
    if origin in allowed or "*" in allowed or urlsplit(origin).netloc == ws.headers.get("host", ""):
        return None
    return origin
