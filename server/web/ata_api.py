"""HTTP routes of the ata (the organizer, as the conference's secretary).

`GET /api/events/{code}/ata`: the document, whether it is final, its fingerprint and the notes.
`GET /api/events/{code}/ata.html` and `/ata.pdf`: the ata to print or download.
`PUT /api/events/{code}/ata/notes/{session_id}`: `{"text": ...}`, the secretary's note of a session.
`POST /api/events/{code}/ata/final`: freeze the ata (asking again returns the same fingerprint).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server import pdf
from server.errors import InvalidMessage
from server.service.presentation import ATA_LABELS, ata_language
from server.web import (
    ata_page,
    urls,  # noqa: F401  (registers the {name:id} path convertor)
)
from server.web.api import body_of, heavy_response, json_errors, organizer_event
from server.web.services import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def footer(view: dict[str, Any]) -> str:
    """The line on every page: final and its fingerprint, or that this is a draft."""
    t = ATA_LABELS[ata_language(str(view["document"].get("lang", "")))]
    if view["final"]:
        return f"{t['final']} · {t['fingerprint']}: {view['fingerprint']}"
    return t["draft"]


@json_errors
async def show(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).ata.view(event_id))


@json_errors
async def printable(request: Request) -> Response:
    event_id = await organizer_event(request)
    services = _services(request)
    view = await services.ata.view(event_id)
    base = services.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return await heavy_response(request, "text/html; charset=utf-8", ata_page.render, view["document"], footer(view),
                                base_url=base)


@json_errors
async def download(request: Request) -> Response:
    event_id = await organizer_event(request)
    services = _services(request)
    view = await services.ata.view(event_id)
    body = await services.heavy.run(pdf.render, view["document"], footer(view))
    code = request.path_params["code"].upper()
    suffix = "" if view["final"] else "-minuta"
    return Response(body, media_type="application/pdf", headers={
        "cache-control": "no-store", "content-disposition": f'attachment; filename="ata-{code}{suffix}.pdf"'})


@json_errors
async def note(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    text = body.get("text")
    if not isinstance(text, str) or set(body) != {"text"}:
        raise InvalidMessage('send {"text": "..."}', code="invalid_message")
    session_id: int = request.path_params["session_id"]
    return JSONResponse(await _services(request).ata.set_note(event_id, session_id, text))


@json_errors
async def finalize(request: Request) -> Response:
    event_id = await organizer_event(request)
    frozen = await _services(request).ata.finalize(event_id)
    return JSONResponse({"final": True, "fingerprint": frozen.fingerprint, "finalized_at": frozen.finalized_at})


routes = [
    Route("/api/events/{code}/ata", show),
    Route("/api/events/{code}/ata.html", printable),
    Route("/api/events/{code}/ata.pdf", download),
    Route("/api/events/{code}/ata/notes/{session_id:id}", note, methods=["PUT"]),
    Route("/api/events/{code}/ata/final", finalize, methods=["POST"]),
]
