"""HTTP routes of the certificates.

Organizer: `GET /api/events/{code}/certificates` (attendance per delegate, threshold, codes),
`PUT /api/events/{code}/certificates/threshold` `{"min_minutes": N, "sources"?: "both" | "door" |
"online"}`, `POST /api/events/{code}/certificates/issue`, `GET /api/events/{code}/certificates.pdf`
(every issued certificate, one per page). A delegate, with the device secret their page says hello
with (in the body, never in a URL): `POST /api/events/{code}/my-certificate` (their attendance) and
`POST /api/events/{code}/my-certificate.pdf` (their certificate, issued if they reach the
threshold). Anyone: `GET /api/certificates/{code}` and the page `GET /verify/{code}`, which say
whether a code was issued, to whom, for which event and hours.
"""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from server import pdf
from server.errors import InvalidMessage, NotFound, Unauthorized
from server.service.presentation import certificate_language, hours_text
from server.web.api import body_of, json_errors, organizer_event
from server.web.services import Services

VERIFY_WORDS = {
    "pt-BR": ("Verificação de certificado", "Certificado válido", "Nenhum certificado com este código.", "horas"),
    "pl": ("Weryfikacja zaświadczenia", "Zaświadczenie ważne", "Brak zaświadczenia o tym kodzie.", "godzin"),
    "en": ("Certificate verification", "Valid certificate", "No certificate has this code.", "hours"),
    "es": ("Verificación de certificado", "Certificado válido", "Ningún certificado con este código.", "horas"),
}


DEVICE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # as wire.Hello's device


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _base(request: Request) -> str:
    return _services(request).settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")


@json_errors
async def show(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).certificates.view(event_id))


@json_errors
async def threshold(request: Request) -> Response:
    event_id = await organizer_event(request)
    body = await body_of(request)
    if "min_minutes" not in body or set(body) - {"min_minutes", "sources"}:
        raise InvalidMessage('send {"min_minutes": N, "sources"?: "both" | "door" | "online"}',
                             code="invalid_message")
    return JSONResponse(await _services(request).certificates.set_threshold(
        event_id, body["min_minutes"], body.get("sources")))


@json_errors
async def issue(request: Request) -> Response:
    event_id = await organizer_event(request)
    return JSONResponse(await _services(request).certificates.issue(event_id))


@json_errors
async def bulk_pdf(request: Request) -> Response:
    event_id = await organizer_event(request)
    services = _services(request)
    documents = await services.certificates.documents(event_id, _base(request))
    if not documents:
        raise NotFound("no certificate issued yet", code="no_certificates")
    body = await services.heavy.run(pdf.render_pages, documents, "Plenária", documents[0]["title"])
    code = request.path_params["code"].upper()
    return Response(body, media_type="application/pdf", headers={
        "cache-control": "no-store", "content-disposition": f'attachment; filename="certificados-{code}.pdf"'})


async def _device(request: Request) -> str:
    body = await body_of(request)
    device = body.get("device")
    if set(body) != {"device"} or not isinstance(device, str) or not DEVICE.match(device):
        raise Unauthorized('send {"device": "<the device id of this browser>"}', code="unknown_device")
    return device


@json_errors
async def my_status(request: Request) -> Response:
    found = await _services(request).certificates.status(request.path_params["code"], await _device(request))
    return JSONResponse(found, headers={"cache-control": "no-store"})


@json_errors
async def my_pdf(request: Request) -> Response:
    services = _services(request)
    document = await services.certificates.mine(request.path_params["code"], await _device(request), _base(request))
    body = await services.heavy.run(pdf.render_pages, [document], "Plenária", document["title"])
    name = f"certificate-{document['code']}.pdf"
    return Response(body, media_type="application/pdf", headers={
        "cache-control": "no-store", "content-disposition": f'attachment; filename="{name}"'})


async def check_json(request: Request) -> Response:
    found = await _services(request).certificates.verify(request.path_params["cert"])
    return JSONResponse({"valid": found is not None, "certificate": found})


async def check_page(request: Request) -> Response:
    found = await _services(request).certificates.verify(request.path_params["cert"])
    lang = found["lang"] if found else certificate_language(request.headers.get("accept-language", "pt-BR")[:5])
    title, valid, invalid, hours = VERIFY_WORDS[lang]
    if found:
        shown = hours_text(found["minutes"], lang)
        body = (f'<p class="verdict valid">✓ {html.escape(valid)}</p><dl><dt>{html.escape(found["code"])}</dt>'
                f'<dd>{html.escape(found["name"])}</dd><dd>{html.escape(found["event"])}</dd>'
                f"<dd>{html.escape(shown)} {html.escape(hours)}</dd></dl>")
    else:
        body = f'<p class="verdict invalid">✗ {html.escape(invalid)}</p>'
    page = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/static/css/ata.css"></head>'
            f'<body><main class="ata"><h1>{html.escape(title)}</h1>{body}</main></body></html>')
    return HTMLResponse(page, status_code=200 if found else 404, headers={"cache-control": "no-store"})


routes = [
    Route("/api/events/{code}/certificates", show),
    Route("/api/events/{code}/certificates/threshold", threshold, methods=["PUT"]),
    Route("/api/events/{code}/certificates/issue", issue, methods=["POST"]),
    Route("/api/events/{code}/certificates.pdf", bulk_pdf),
    Route("/api/events/{code}/my-certificate", my_status, methods=["POST"]),
    Route("/api/events/{code}/my-certificate.pdf", my_pdf, methods=["POST"]),
    Route("/api/certificates/{cert}", check_json),
    Route("/verify/{cert}", check_page),
]
