"""The organizer's HTTP routes for moderation: the audit log export and the chat/Q&A settings.

Authorization: `Bearer <organizer secret>`, as for the rest of server/web/api.py; the audit
log also takes a moderator's staff token.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import InvalidMessage
from server.identity import MODERATORS, Identity, require
from server.service.presentation import audit_csv
from server.web.api import body_of, heavy_response, json_errors, organizer_event, staff_member
from server.web.services import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@json_errors
async def audit(request: Request) -> Response:
    """`?format=json` (default): `{"entries": [...]}` oldest first; `?format=csv`: a download.
    The organizer's secret or a moderator's token (the console exports it too)."""
    who = await staff_member(request)
    require(who.role, MODERATORS, "audit.export")
    event_id = who.event_id
    form = request.query_params.get("format", "json")
    if form not in ("json", "csv"):
        raise InvalidMessage("format must be json or csv", code="invalid_format")
    entries = await _services(request).moderation.audit(event_id)
    if form == "json":
        return await heavy_response(request, "application/json", json.dumps,
                                    {"entries": [entry.to_dict() for entry in entries]}, ensure_ascii=False)
    code = request.path_params["code"].upper()
    return await heavy_response(request, "text/csv; charset=utf-8", audit_csv, entries,
                                filename=f"plenaria-{code}-audit.csv")


@json_errors
async def get_policy(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).moderation.policy(event_id))


@json_errors
async def put_policy(request: Request) -> Response:
    """Apply the fields given (same names as the `mod.policy` command); answers the whole policy."""
    event_id = await organizer_event(request)
    changes = await body_of(request)
    organizer = Identity(event_id, "organizer")
    return JSONResponse(await _services(request).moderation.set_policy(organizer, None, changes))


routes = [
    Route("/api/events/{code}/audit", audit),
    Route("/api/events/{code}/moderation", get_policy),
    Route("/api/events/{code}/moderation", put_policy, methods=["PUT", "PATCH"]),
]
