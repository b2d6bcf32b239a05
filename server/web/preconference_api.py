"""The organizer's HTTP API of pre-conferences (docs/preconferences.md).

Authorization: `Bearer <organizer secret>` of the conference. Every change is one transaction
with an entry in the conference's audit log.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import InvalidMessage
from server.web.api import body_of, json_errors, links, organizer_event
from server.web.services import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@json_errors
async def get_state(request: Request) -> Response:
    """Eixos, levels, meetings, every contribution and the consolidated proposals with origins."""
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).preconference.state(event_id))


@json_errors
async def put_eixos(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    return JSONResponse(await _services(request).preconference.set_eixos(event_id, body.get("eixos")))


@json_errors
async def add_meeting(request: Request) -> Response:
    """A meeting with its own event; the answer holds that event's organizer secret and links, once."""
    event_id = await organizer_event(request)
    meeting, created = await _services(request).preconference.add_meeting(event_id, await body_of(request))
    secret = created.organizer_secret
    return JSONResponse({"meeting": meeting, "event": created.event, "organizer_secret": secret,
                         "staff": created.staff, "links": links(request, created.event["code"], created.staff, secret)},
                        status_code=201)


@json_errors
async def merge(request: Request) -> Response:
    event_id = await organizer_event(request)
    made = await _services(request).preconference.merge(event_id, await body_of(request))
    return JSONResponse(made["proposal"], status_code=201)


@json_errors
async def edit(request: Request) -> Response:
    event_id = await organizer_event(request)
    changed = await _services(request).preconference.edit(
        event_id, int(request.path_params["proposal_id"]), await body_of(request))
    return JSONResponse(changed["proposal"])


@json_errors
async def undo(request: Request) -> Response:
    event_id = await organizer_event(request)
    await _services(request).preconference.undo(event_id, int(request.path_params["proposal_id"]))
    return Response(status_code=204)


@json_errors
async def make_ballot(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    if not isinstance(body.get("limits", {}), dict):
        raise InvalidMessage("limits must be an object", code="invalid_field", field="limits")
    return JSONResponse(await _services(request).preconference.make_ballot(event_id, body), status_code=201)


routes = [
    Route("/api/events/{code}/preconference", get_state),
    Route("/api/events/{code}/preconference/eixos", put_eixos, methods=["PUT"]),
    Route("/api/events/{code}/preconference/meetings", add_meeting, methods=["POST"]),
    Route("/api/events/{code}/preconference/proposals", merge, methods=["POST"]),
    Route("/api/events/{code}/preconference/proposals/{proposal_id:id}", edit, methods=["PATCH"]),
    Route("/api/events/{code}/preconference/proposals/{proposal_id:id}", undo, methods=["DELETE"]),
    Route("/api/events/{code}/preconference/ballot", make_ballot, methods=["POST"]),
]
