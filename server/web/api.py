"""The organizer's HTTP JSON API. Authorization: `Bearer <organizer secret>`.

A bearer header is never sent by a browser on its own, so these routes are not
exposed to cross-site request forgery the way cookie-authenticated routes are.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server import inbound
from server.errors import InvalidMessage, NotFound, PlenariaError
from server.identity import Identity
from server.service.presentation import spreadsheet_csv
from server.web import urls  # noqa: F401  (registers the {name:id} path convertor)
from server.web.services import Services

MAX_BODY = 256 * 1024

Endpoint = Callable[[Request], Awaitable[Response]]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def json_errors(handler: Endpoint) -> Endpoint:
    """Map PlenariaError to `{"error": {code, message, details}}` with its HTTP status."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except PlenariaError as exc:
            body: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if exc.details:
                body["details"] = exc.details
            return JSONResponse({"error": body}, status_code=exc.http_status)

    return wrapped


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON object body. Requiring `Content-Type: application/json` means a cross-site
    form cannot post here: such a request needs a CORS preflight, which this server refuses."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise InvalidMessage("send JSON with Content-Type: application/json", code="json_required")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidMessage("request body too large", code="too_large")
    data = inbound.loads(raw or b"{}")
    if not isinstance(data, dict):
        raise InvalidMessage("body must be a JSON object", code="invalid_message")
    return data


async def heavy_response(request: Request, media_type: str, work: Callable[..., str], *args: Any,
                         filename: str | None = None, **kwargs: Any) -> Response:
    """The text `work(*args, **kwargs)` returns, rendered (and gzipped, if the client takes it)
    in the worker process of server/web/heavy.py; an attachment when `filename` is given."""
    compress = "gzip" in request.headers.get("accept-encoding", "").lower()
    body = await _services(request).heavy.encoded(work, *args, compress=compress, **kwargs)
    headers = {"cache-control": "no-store", "vary": "accept-encoding"}
    if compress:
        headers["content-encoding"] = "gzip"  # the GZip middleware leaves it as it is
    if filename is not None:
        headers["content-disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers=headers)


async def csv_download(request: Request, header: Sequence[str], rows: Iterable[Sequence[Any]],
                       filename: str) -> Response:
    """The CSV file, written off the loop (an event's messages are tens of thousands of rows)."""
    return await heavy_response(request, "text/csv; charset=utf-8", spreadsheet_csv, header, list(rows),
                                filename=filename)


async def json_download(request: Request, data: Any, filename: str) -> Response:
    """The JSON file, encoded off the loop."""
    return await heavy_response(request, "application/json", json.dumps, data, filename=filename,
                                ensure_ascii=False, indent=1)


def bearer_secret(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def organizer_event(request: Request, form_secret: str = "") -> int:
    """The event id of the URL's join code, once the bearer secret is checked. `form_secret`:
    the secret a page's form posted in its body (a form cannot set headers); never in a URL."""
    secret = bearer_secret(request) or form_secret
    return await _services(request).conference.authorize_organizer(request.path_params["code"], secret)


async def staff_member(request: Request) -> Identity:
    """The organizer or staff member whose secret is the bearer token (routes then check the role)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return await _services(request).conference.authorize_staff(request.path_params["code"], token)


def links(request: Request, code: str, staff: list[dict[str, Any]], organizer_secret: str | None) -> dict[str, Any]:
    """Page URLs; staff secrets ride in the fragment, which browsers never send to servers or logs."""
    base = _services(request).settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    pages = {"moderator": "m", "presenter": "p", "checkin": "c"}
    result: dict[str, Any] = {
        "participant": f"{base}/e/{code}",
        "screen": f"{base}/screen/{code}",
        "overlay": f"{base}/overlay/{code}",
    }
    if organizer_secret:
        result["organizer"] = f"{base}/o/{code}#k={organizer_secret}"
    for entry in staff:
        if "token" in entry and entry["role"] in pages:
            result[entry["role"]] = f"{base}/{pages[entry['role']]}/{code}#k={entry['token']}"
    return result


@json_errors
async def create_event(request: Request) -> Response:
    created = await _services(request).conference.create_event(await body_of(request))
    code = created.event["code"]
    return JSONResponse(
        {
            "event": created.event,
            "organizer_secret": created.organizer_secret,
            "staff": created.staff,
            "links": links(request, code, created.staff, created.organizer_secret),
        },
        status_code=201,
    )


@json_errors
async def get_event(request: Request) -> Response:
    event = await _services(request).conference.event_by_code(request.path_params["code"])
    if event is None:
        raise NotFound("no event with this join code", code="event_not_found")
    return JSONResponse(event)


@json_errors
async def patch_event(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).conference.update_event(event_id, await body_of(request)))


@json_errors
async def list_sessions(request: Request) -> Response:
    services = _services(request)
    event = await services.conference.event_by_code(request.path_params["code"])
    if event is None:
        raise NotFound("no event with this join code", code="event_not_found")
    state = await services.conference.snapshot(event["id"], "public", "participant")
    return JSONResponse(state["agenda"])


@json_errors
async def add_session(request: Request) -> Response:
    event_id = await organizer_event(request)
    created = await _services(request).conference.add_session(event_id, await body_of(request))
    return JSONResponse(created, status_code=201)


@json_errors
async def patch_session(request: Request) -> Response:
    event_id = await organizer_event(request)
    session_id = int(request.path_params["session_id"])
    return JSONResponse(
        await _services(request).conference.update_session(event_id, session_id, await body_of(request))
    )


@json_errors
async def delete_session(request: Request) -> Response:
    event_id = await organizer_event(request)
    await _services(request).conference.delete_session(event_id, int(request.path_params["session_id"]))
    return Response(status_code=204)


@json_errors
async def list_staff(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).conference.list_staff(event_id))


@json_errors
async def add_staff(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    role, label = body.get("role"), body.get("label", "")
    if not isinstance(role, str) or not isinstance(label, str):
        raise InvalidMessage("role and label must be text", code="invalid_message")
    created = await _services(request).conference.add_staff(event_id, role, label)
    created["links"] = links(request, request.path_params["code"], [created], None)
    return JSONResponse(created, status_code=201)


@json_errors
async def revoke_staff(request: Request) -> Response:
    event_id = await organizer_event(request)
    services = _services(request)
    revoked = await services.conference.revoke_staff(event_id, int(request.path_params["staff_id"]))
    return JSONResponse(revoked)


@json_errors
async def rotate_secret(request: Request) -> Response:
    """A new organizer secret, shown this once; the old one stops working and its open
    connections are closed (a leaked organizer link is cut off with this)."""
    event_id = await organizer_event(request)
    code = request.path_params["code"].upper()
    secret = await _services(request).conference.rotate_organizer_secret(event_id)
    organizer = links(request, code, [], secret)["organizer"]
    return JSONResponse({"organizer_secret": secret, "links": {"organizer": organizer}})


async def health(request: Request) -> Response:
    services = _services(request)
    return JSONResponse(
        {
            "ok": True,
            "broker": "ok" if services.broker.healthy else "degraded",
            "connections": services.admission.total,
            "server_time": time.time(),
        }
    )


routes = [
    Route("/api/health", health),
    Route("/api/events", create_event, methods=["POST"]),
    Route("/api/events/{code}", get_event),
    Route("/api/events/{code}", patch_event, methods=["PATCH"]),
    Route("/api/events/{code}/sessions", list_sessions),
    Route("/api/events/{code}/sessions", add_session, methods=["POST"]),
    Route("/api/events/{code}/sessions/{session_id:id}", patch_session, methods=["PATCH"]),
    Route("/api/events/{code}/sessions/{session_id:id}", delete_session, methods=["DELETE"]),
    Route("/api/events/{code}/staff", list_staff),
    Route("/api/events/{code}/staff", add_staff, methods=["POST"]),
    Route("/api/events/{code}/staff/{staff_id:id}", revoke_staff, methods=["DELETE"]),
    Route("/api/events/{code}/secret", rotate_secret, methods=["POST"]),
]
