"""HTTP routes of the credenciamento: the door's list of delegates and the check-in record.

`GET /api/events/{code}/attendance`: every delegate with whether they are in the room, and
the counts per segment (a staff link that may check in: check-in, presenter, organizer).
`GET /api/events/{code}/checkins.{json,csv}`: every check-in and check-out (organizer).
`GET|PUT /api/events/{code}/plenary`: the plenária settings (organizer), the fields of the
`plenary.settings` command; a PUT applies those given and answers `{settings}`.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.identity import DOOR, Identity, require
from server.service.presentation import spreadsheet_csv
from server.web.api import body_of, heavy_response, json_errors, organizer_event, staff_member
from server.web.services import Services

CHECKIN_COLUMNS = ("id", "at", "delegate", "name", "segment", "action", "method", "actor")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@json_errors
async def attendance(request: Request) -> Response:
    who = await staff_member(request)
    require(who.role, DOOR, "checkin.in")
    services = _services(request)
    return JSONResponse({"delegates": await services.attendance.delegates(who.event_id),
                         "attendance": await services.attendance.view(who.event_id)})


@json_errors
async def checkins_json(request: Request) -> Response:
    event_id = await organizer_event(request)
    entries = await _services(request).attendance.history(event_id)
    return await heavy_response(request, "application/json", json.dumps, {"checkins": entries}, ensure_ascii=False)


@json_errors
async def checkins_csv(request: Request) -> Response:
    event_id = await organizer_event(request)
    entries = await _services(request).attendance.history(event_id)
    rows = [[entry[column] for column in CHECKIN_COLUMNS] for entry in entries]
    code = request.path_params["code"].upper()
    return await heavy_response(request, "text/csv; charset=utf-8", spreadsheet_csv, CHECKIN_COLUMNS, rows,
                                filename=f"plenaria-{code}-checkins.csv")


@json_errors
async def get_plenary(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).attendance.settings(event_id))


@json_errors
async def put_plenary(request: Request) -> Response:
    event_id = await organizer_event(request)
    changes = await body_of(request)
    return JSONResponse(await _services(request).attendance.set_settings(Identity(event_id, "organizer"), None,
                                                                         changes))


routes = [
    Route("/api/events/{code}/attendance", attendance),
    Route("/api/events/{code}/checkins.json", checkins_json),
    Route("/api/events/{code}/checkins.csv", checkins_csv),
    Route("/api/events/{code}/plenary", get_plenary),
    Route("/api/events/{code}/plenary", put_plenary, methods=["PUT", "PATCH"]),
]
