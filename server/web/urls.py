"""URL parts that reach the store: row ids bounded, text that no store can hold refused.

A path like `/api/events/A%00B` decodes to a NUL character, which PostgreSQL text
refuses, and `/polls/99999999999` to an integer beyond PostgreSQL's INTEGER: both
used to surface as a 500 from the database driver. `CleanUrls` answers 400
`nul_character` for any path or query holding NUL before a route runs, and the
`id` path convertor maps an id no store can hold to 0, which names no row, so
every route answers its ordinary 404.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from server.inbound import MAX_ID


class RowIdConvertor(Convertor[int]):
    """`{name:id}`: digits; values above MAX_ID become 0 (no such row)."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            return 0
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowIdConvertor())


class CleanUrls:
    """Refuse (400, JSON error `nul_character`) HTTP requests and websocket handshakes whose
    path or query string carries a NUL; ASCII-only query strings are checked as sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and has_nul(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "nul_character"})
                return
            body = {"error": {"code": "nul_character", "message": "the URL holds a NUL character"}}
            await JSONResponse(body, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query
