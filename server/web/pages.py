"""HTML pages. Each is a static file; its ES module reads the join code from the URL."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from server.service.presentation import hls_origin
from server.web.headers import content_security_policy
from server.web.services import Services

PAGES = {
    "/": "index.html",
    "/organizer": "organizer.html",
    "/privacy": "privacy.html",
    "/e/{code}": "participant.html",
    "/e/{code}/poll/{poll_id:int}": "ballotbox.html",
    "/m/{code}": "moderator.html",
    "/p/{code}": "presenter.html",
    "/c/{code}": "checkin.html",
    "/o/{code}": "organizer.html",
    "/screen/{code}": "screen.html",
    "/overlay/{code}": "overlay.html",
}


# Pages an organizer may embed in the event's own site (embed_origins); staff pages never.
EMBEDDABLE = ("participant.html", "screen.html", "overlay.html")


def page(filename: str) -> Route:
    async def serve(request: Request) -> Response:
        services: Services = request.app.state.services
        code = request.path_params.get("code")
        if code is not None and code != code.upper():
            return RedirectResponse(request.url.path.replace(code, code.upper()), status_code=308)
        headers = {}
        if code is not None and filename in EMBEDDABLE:
            event = await services.conference.event_by_code(code)
            if event is not None:
                # The participant page plays an HLS stream with hls.js, which fetches it itself.
                stream = hls_origin(event["stream_url"]) if filename == "participant.html" else None
                headers["content-security-policy"] = content_security_policy(
                    event["embed_origins"], [stream] if stream else []
                )
        return FileResponse(
            services.settings.static_dir / filename, media_type="text/html; charset=utf-8", headers=headers
        )

    return serve  # type: ignore[return-value]


routes = [Route(path, page(name)) for path, name in PAGES.items()]
