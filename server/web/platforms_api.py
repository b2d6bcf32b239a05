"""The organizer's HTTP routes for live-chat sources (docs/platforms.md). Authorization: `Bearer
<organizer secret>`. No answer ever carries a token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.identity import Identity
from server.web import urls  # noqa: F401  (registers the {name:id} path convertor)
from server.web.api import body_of, json_errors, organizer_event
from server.web.services import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@json_errors
async def listing(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse({"sources": await _services(request).platforms.listing(event_id)})


@json_errors
async def connect(request: Request) -> Response:
    event_id = await organizer_event(request)
    fields = await body_of(request)
    result = await _services(request).platforms.connect(Identity(event_id, "organizer"), fields)
    return JSONResponse(result, status_code=201)


@json_errors
async def disconnect(request: Request) -> Response:
    event_id = await organizer_event(request)
    source_id: int = request.path_params["source"]
    return JSONResponse(await _services(request).platforms.disconnect(Identity(event_id, "organizer"), source_id))


@json_errors
async def change(request: Request) -> Response:
    event_id = await organizer_event(request)
    source_id: int = request.path_params["source"]
    fields = await body_of(request)
    return JSONResponse(await _services(request).platforms.set_post_replies(Identity(event_id, "organizer"),
                                                                            source_id, fields))


routes = [
    Route("/api/events/{code}/platforms", listing),
    Route("/api/events/{code}/platforms", connect, methods=["POST"]),
    Route("/api/events/{code}/platforms/{source:id}", disconnect, methods=["DELETE"]),
    Route("/api/events/{code}/platforms/{source:id}", change, methods=["PATCH"]),
]
