"""YouTube Data API v3: `videos.list` (part=liveStreamingDetails) for the video's activeLiveChatId,
then `liveChatMessages.list` (part=snippet,authorDetails) from the persisted `nextPageToken`,
waiting `pollingIntervalMillis` between calls. Each list call costs 5 quota units.

The token is an API key (`key=`), or an OAuth access token when given as "Bearer <token>". Errors
arrive as `{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}`; their
`reason` decides the health (server/domain/platforms.py).
"""

from __future__ import annotations

from typing import Any

import httpx

from server.domain.platforms import DEFAULT_INTERVAL, Comment, Health, Page, PlatformFailure, Source
from server.platforms.client import send_json, text

BASE_URL = "https://www.googleapis.com/youtube/v3"
PAGE_SIZE = "2000"  # the documented maximum of maxResults

REASONS: dict[str, Health] = {
    "quotaExceeded": "quota",
    "dailyLimitExceeded": "quota",
    "rateLimitExceeded": "rate_limited",
    "userRateLimitExceeded": "rate_limited",
    "liveChatEnded": "ended",
    "liveChatNotFound": "ended",
    "liveChatDisabled": "ended",
    "videoNotFound": "ended",
    "forbidden": "revoked",
    "authError": "revoked",
    "keyInvalid": "revoked",
    "keyExpired": "revoked",
    "accessNotConfigured": "revoked",
    "insufficientPermissions": "revoked",
}
TEXT_TYPES = {"textMessageEvent": ("textMessageDetails", "messageText"),
              "superChatEvent": ("superChatDetails", "userComment")}


class YouTubeClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str = BASE_URL) -> None:
        self.http = http
        self.base_url = (base_url or BASE_URL).rstrip("/")

    async def resolve(self, source: Source, token: str) -> str:
        body = await self._get("/videos", {"part": "liveStreamingDetails", "id": source.target}, token)
        items = body.get("items")
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise PlatformFailure("ended", "no such video")
        details = items[0].get("liveStreamingDetails")
        chat_id = details.get("activeLiveChatId") if isinstance(details, dict) else None
        if not isinstance(chat_id, str) or not chat_id:
            raise PlatformFailure("ended", "the video has no active live chat")
        return chat_id

    async def page(self, source: Source, chat_id: str, token: str) -> Page:
        params = {"liveChatId": chat_id, "part": "snippet,authorDetails", "maxResults": PAGE_SIZE}
        if source.cursor:
            params["pageToken"] = source.cursor
        body = await self._get("/liveChat/messages", params, token)
        interval = body.get("pollingIntervalMillis")
        wait = interval / 1000 if isinstance(interval, int | float) and interval >= 0 else DEFAULT_INTERVAL
        cursor = body.get("nextPageToken")
        items = body.get("items")
        comments = tuple(c for c in map(_comment, items if isinstance(items, list) else []) if c is not None)
        return Page(comments, cursor if isinstance(cursor, str) and cursor else source.cursor, wait,
                    ended=bool(body.get("offlineAt")))

    async def post_reply(self, source: Source, chat_id: str, parent_id: str, text: str, token: str) -> str:
        """`liveChatMessages.insert`: a plain text message in the chat (YouTube has no replies to
        one message). Only an OAuth token of the channel or one of its moderators may post."""
        if not token.startswith("Bearer "):
            raise PlatformFailure("revoked", "an API key cannot post to the live chat: connect with an OAuth token")
        body = await self._send("POST", "/liveChat/messages", {"part": "snippet"}, token, {
            "snippet": {"liveChatId": chat_id, "type": "textMessageEvent",
                        "textMessageDetails": {"messageText": text}}})
        posted = body.get("id")
        if not isinstance(posted, str) or not posted:
            raise PlatformFailure("unreachable", "the posted message has no id")
        return posted

    async def _get(self, path: str, params: dict[str, str], token: str) -> dict[str, Any]:
        return await self._send("GET", path, params, token)

    async def _send(self, method: str, path: str, params: dict[str, str], token: str,
                    json_body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers: dict[str, str] = {"accept": "application/json"}
        if token.startswith("Bearer "):
            headers["authorization"] = token
        else:
            params = {**params, "key": token}
        status, body, retry = await send_json(self.http, method, self.base_url + path, params, headers, json_body)
        if status < 400 and "error" not in body:
            return body
        raise failure(status, body, retry)


def failure(status: int, body: dict[str, Any], retry: float | None) -> PlatformFailure:
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    errors = error.get("errors")
    reasons = [e.get("reason") for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    message = text(error.get("message"), 300) or f"HTTP {status}"
    for reason in reasons:
        if isinstance(reason, str) and reason in REASONS:
            return PlatformFailure(REASONS[reason], f"{reason}: {message}", retry_after=retry)
    if status == 401:
        return PlatformFailure("revoked", message)
    if status == 429:
        return PlatformFailure("rate_limited", message, retry_after=retry)
    if status == 404:
        return PlatformFailure("ended", message)
    if status == 403:
        return PlatformFailure("revoked", message)
    return PlatformFailure("unreachable", message, retry_after=retry)


def _comment(item: Any) -> Comment | None:
    """A text message or a Super Chat's comment; other events (deletions, bans, polls) are skipped."""
    if not isinstance(item, dict):
        return None
    snippet, author = item.get("snippet"), item.get("authorDetails")
    if not isinstance(snippet, dict) or not isinstance(item.get("id"), str):
        return None
    where = TEXT_TYPES.get(text(snippet.get("type")))
    if where is None:
        return None
    details = snippet.get(where[0])
    body = text(details.get(where[1])) if isinstance(details, dict) else ""
    body = body or text(snippet.get("displayMessage"))
    if not body.strip():
        return None
    author = author if isinstance(author, dict) else {}
    return Comment(
        message_id=item["id"][:200],
        author_id=text(author.get("channelId") or snippet.get("authorChannelId"), 100),
        author_name=text(author.get("displayName"), 200),
        text=body,
        published_at=text(snippet.get("publishedAt"), 40),
    )
