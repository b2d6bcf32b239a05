"""QR codes of the join URL, drawn on the server (segno) so pages need no QR library.

`GET /qr/{code}.svg` answers an SVG of `<public url>/e/CODE`, scaled by its viewBox
(no width or height), black on white with a quiet zone, for the projector and the
overlay. Cached for an hour: the join URL of a code never changes.
"""

from __future__ import annotations

import functools
import io
import re

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.web.services import Services

_CODE = re.compile(r"^[A-Za-z0-9]{3,32}$")


def join_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/e/{code.upper()}"


@functools.lru_cache(maxsize=256)
def svg_of(text: str) -> bytes:
    """An SVG drawing of `text` as a QR code (error correction M or better). Remembered: the
    route is public and a join URL's drawing never changes, so asking again costs no CPU."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", border=2, omitsize=True, xmldecl=False, dark="#000", light="#fff"
    )
    return buffer.getvalue()


async def qr_svg(request: Request) -> Response:
    services: Services = request.app.state.services
    code: str = request.path_params["code"]
    if not _CODE.match(code):
        return JSONResponse({"error": {"code": "invalid_message", "message": "bad join code"}}, status_code=400)
    if await services.conference.event_by_code(code) is None:
        return JSONResponse({"error": {"code": "event_not_found", "message": "no such event"}}, status_code=404)
    base = services.settings.public_url or str(request.base_url)
    headers = {"cache-control": "public, max-age=3600"}
    return Response(svg_of(join_url(base, code)), media_type="image/svg+xml", headers=headers)


routes = [Route("/qr/{code}.svg", qr_svg)]
