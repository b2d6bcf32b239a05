"""What the importer asks of a platform, and the one place that maps transport trouble to health."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from server.domain.platforms import Page, Platform, PlatformFailure, Source

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RESPONSE = 4 * 1024 * 1024  # a page of comments is a few hundred KiB at most


class PlatformClient(Protocol):
    async def resolve(self, source: Source, token: str) -> str:
        """The id to poll for `source` (YouTube: the video's activeLiveChatId; Facebook: the live
        video id itself). Raises PlatformFailure."""

    async def page(self, source: Source, chat_id: str, token: str) -> Page:
        """The comments after `source.cursor`. Raises PlatformFailure."""

    async def post_reply(self, source: Source, chat_id: str, parent_id: str, text: str, token: str) -> str:
        """Post a moderator's reply to the comment `parent_id`; the id the platform gave it.
        Raises PlatformFailure."""


def client_for(platform: Platform, http: httpx.AsyncClient, base_url: str, interval: float) -> PlatformClient:
    """The client of `platform` at `base_url` ("" for the real API); `interval` is the wait
    between polls of a platform that names none (Facebook)."""
    if platform == "youtube":
        from server.platforms.youtube import YouTubeClient

        return YouTubeClient(http, base_url)
    from server.platforms.facebook import FacebookClient

    return FacebookClient(http, base_url, interval)


async def get_json(http: httpx.AsyncClient, url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[
    int, dict[str, Any], float | None
]:
    """(status, JSON object, Retry-After seconds). Network trouble and bodies that are not a JSON
    object become `unreachable` (a proxy's HTML error page is no answer of the platform)."""
    return await send_json(http, "GET", url, params, headers)


async def send_json(http: httpx.AsyncClient, method: str, url: str, params: dict[str, str],
                    headers: dict[str, str], body: dict[str, Any] | None = None,
                    form: dict[str, str] | None = None) -> tuple[int, dict[str, Any], float | None]:
    """`get_json` for any method, with an optional JSON `body` or `form` fields."""
    try:
        response = await http.request(method, url, params=params, headers=headers, json=body, data=form,
                                      timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise PlatformFailure("unreachable", type(exc).__name__) from exc
    if len(response.content) > MAX_RESPONSE:
        raise PlatformFailure("unreachable", "response too large")
    try:
        body = response.json()
    except ValueError as exc:
        raise PlatformFailure("unreachable", f"HTTP {response.status_code}, not JSON") from exc
    if not isinstance(body, dict):
        raise PlatformFailure("unreachable", f"HTTP {response.status_code}, not a JSON object")
    return response.status_code, body, retry_after(response.headers.get("retry-after"))


def retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the back-off applies


def text(value: Any, limit: int = 10_000) -> str:
    return value[:limit] if isinstance(value, str) else ""
