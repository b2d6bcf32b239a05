"""Security headers on every HTTP response (pure ASGI middleware, so websockets pass untouched)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script anywhere: every page loads its ES modules from /static.
# Workers (hls.js's transmuxer) fall back to script-src: only scripts from /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' https: blob:; frame-src https:; connect-src 'self' ws: wss:{streams}; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


def content_security_policy(
    embed_origins: list[str] | tuple[str, ...] = (), stream_origins: list[str] | tuple[str, ...] = ()
) -> str:
    """The CSP of a page; `embed_origins` are the sites allowed to frame it ('none' when empty),
    `stream_origins` where the page may fetch an HLS stream's playlist and segments from."""
    ancestors = " ".join(["'self'", *embed_origins]) if embed_origins else "'none'"
    streams = "".join(f" {origin}" for origin in stream_origins)
    return CSP.format(ancestors=ancestors, streams=streams)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A page of an event that may be embedded sets its own CSP (its frame-ancestors);
                # everything else refuses to be framed (clickjacking).
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", content_security_policy().encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
