"""`create_app(settings)`: the ASGI application of one Plenária process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server.collector import Collector
from server.settings import Settings, settings_from_env
from server.web import (
    api,
    ata_api,
    attendance_api,
    certificates_api,
    exports_api,
    pages,
    platforms_api,
    polls_api,
    preconference_api,
    privacy_api,
    qa_api,
    qr,
)
from server.web.headers import SecurityHeaders
from server.web.services import Services
from server.web.transport import TransportProbe
from server.web.urls import CleanUrls, has_nul
from server.web.ws import endpoint


def create_app(settings: Settings) -> Starlette:
    services = Services.build(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.start()
        heap = Collector()
        heap.start()
        try:
            yield
        finally:
            await heap.stop()
            await services.stop()

    app = Starlette(
        routes=[
            WebSocketRoute("/ws", endpoint),
            *api.routes,
            *polls_api.routes,
            *qa_api.routes,
            *attendance_api.routes,
            *ata_api.routes,
            *certificates_api.routes,
            *privacy_api.routes,
            *exports_api.routes,
            *platforms_api.routes,
            *preconference_api.routes,
            *pages.routes,
            *qr.routes,
            Mount("/static", StaticFiles(directory=settings.static_dir), name="static"),
        ],
        # Pages and modules compress well (120 KB to 35 KB for the participant page): it matters
        # on a phone at the back of a town hall. Websockets pass through untouched.
        middleware=[
            Middleware(TransportProbe, path="/ws", endpoint=endpoint, refuse=has_nul),
            Middleware(CleanUrls),
            Middleware(SecurityHeaders),
            Middleware(GZipMiddleware, minimum_size=1024),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    return app


def app_from_env() -> Starlette:
    """uvicorn factory for `--workers N`: every worker builds its app from PLENARIA_* variables."""
    return create_app(settings_from_env())
