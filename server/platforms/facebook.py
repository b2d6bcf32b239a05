"""Facebook Graph API: `GET /{live-video-id}/comments` with a page access token, read in
chronological order from the persisted `after` cursor (so a restart resumes exactly where the last
committed page ended; `reverse_chronological` would need the whole list again to find the new
ones). The Graph API gives no polling interval: DEFAULT_INTERVAL, or at once while `paging.next`
says more is waiting.

Errors arrive as `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, mostly
with HTTP 400: code 190 (OAuthException) is a revoked or expired token, 4 / 17 / 32 / 613 and
80001-80014 are rate limits, 100 on the video means it is gone; 1 and 2 (temporary, though typed
OAuthException too) are outages.
"""

from __future__ import annotations

from typing import Any

import httpx

from server.domain.platforms import DEFAULT_INTERVAL, MIN_INTERVAL, Comment, Page, PlatformFailure, Source
from server.platforms.client import get_json, send_json, text

BASE_URL = "https://graph.facebook.com/v21.0"
PAGE_SIZE = "100"
RATE_LIMITS = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
REVOKED = frozenset({10, 102, 190}) | frozenset(range(200, 300))


class FacebookClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str = BASE_URL, interval: float = DEFAULT_INTERVAL) -> None:
        self.http = http
        self.base_url = (base_url or BASE_URL).rstrip("/")
        self.interval = interval

    async def resolve(self, source: Source, token: str) -> str:
        return source.target

    async def page(self, source: Source, chat_id: str, token: str) -> Page:
        params = {"access_token": token, "order": "chronological", "filter": "stream",
                  "fields": "id,message,created_time,from{id,name}", "limit": PAGE_SIZE}
        if source.cursor:
            params["after"] = source.cursor
        status, body, retry = await get_json(self.http, f"{self.base_url}/{chat_id}/comments", params,
                                             {"accept": "application/json"})
        if status >= 400 or "error" in body:
            raise failure(status, body, retry)
        data = body.get("data")
        comments = tuple(c for c in map(_comment, data if isinstance(data, list) else []) if c is not None)
        paging = body.get("paging")
        paging = paging if isinstance(paging, dict) else {}
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, dict) else None
        more = bool(paging.get("next"))
        # An empty page has no cursors: the old one still marks the end of what was read.
        cursor = after if isinstance(after, str) and after else source.cursor
        return Page(comments, cursor, MIN_INTERVAL if more else self.interval)

    async def post_reply(self, source: Source, chat_id: str, parent_id: str, text: str, token: str) -> str:
        """`POST /{comment-id}/comments` with `message`: a reply under that comment, as the page."""
        status, body, retry = await send_json(self.http, "POST", f"{self.base_url}/{parent_id}/comments",
                                              {"access_token": token}, {"accept": "application/json"},
                                              form={"message": text})
        if status >= 400 or "error" in body:
            raise failure(status, body, retry)
        posted = body.get("id")
        if not isinstance(posted, str) or not posted:
            raise PlatformFailure("unreachable", "the posted comment has no id")
        return posted


def failure(status: int, body: dict[str, Any], retry: float | None) -> PlatformFailure:
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    message = text(error.get("message"), 300) or f"HTTP {status}"
    trace = text(error.get("fbtrace_id"), 40)
    detail = f"{code}: {message}" + (f" (fbtrace_id {trace})" if trace else "")
    if code in RATE_LIMITS or status == 429:
        return PlatformFailure("rate_limited", detail, retry_after=retry)
    if code == 100 or status == 404:
        return PlatformFailure("ended", detail)
    if code in REVOKED or status == 401:
        return PlatformFailure("revoked", detail)
    return PlatformFailure("unreachable", detail, retry_after=retry)


def _comment(item: Any) -> Comment | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    body = text(item.get("message"))
    if not body.strip():
        return None  # a sticker or a photo alone
    author = item.get("from")
    author = author if isinstance(author, dict) else {}
    return Comment(
        message_id=item["id"][:200],
        author_id=text(author.get("id"), 100),
        author_name=text(author.get("name"), 200),
        text=body,
        published_at=text(item.get("created_time"), 40),
    )
