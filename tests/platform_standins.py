"""Local stand-ins of the YouTube Data API v3 live chat and the Facebook Graph API live video
comments, on 127.0.0.1, with the request and response shapes of their public reference:

YouTube
    GET /youtube/v3/videos?part=liveStreamingDetails&id=V&key=K
        {"kind": "youtube#videoListResponse", "items": [{"id", "liveStreamingDetails":
        {"activeLiveChatId", "actualStartTime"}}]}
    GET /youtube/v3/liveChat/messages?liveChatId=C&part=snippet,authorDetails[&pageToken=T][&maxResults=N]
        {"kind": "youtube#liveChatMessageListResponse", "pollingIntervalMillis", "nextPageToken",
        "pageInfo": {"totalResults", "resultsPerPage"}, "items": [{"kind": "youtube#liveChatMessage",
        "id", "snippet": {"type": "textMessageEvent", "liveChatId", "authorChannelId", "publishedAt",
        "hasDisplayContent", "displayMessage", "textMessageDetails": {"messageText"}},
        "authorDetails": {"channelId", "displayName", ...}}]}, and "offlineAt" once ended.
    POST /youtube/v3/liveChat/messages?part=snippet, `Authorization: Bearer <OAuth token>`,
        {"snippet": {"liveChatId", "type": "textMessageEvent", "textMessageDetails": {"messageText"}}}
        -> the inserted liveChatMessage resource {"kind", "etag", "id", "snippet", "authorDetails"};
        an API key alone cannot post (401 "Login Required", reason "required").
    errors {"error": {"code", "message", "errors": [{"message", "domain", "reason"}]}}:
        401 authError (bad key), 403 quotaExceeded / rateLimitExceeded / forbidden,
        403 liveChatEnded, 404 liveChatNotFound.
    Reads take the key as `key=` or an OAuth token as `Authorization: Bearer`.

Facebook
    GET /v21.0/{live-video-id}/comments?access_token=T&order=chronological&fields=...&limit=N[&after=C]
        {"data": [{"id", "message", "created_time", "from": {"id", "name"}}],
         "paging": {"cursors": {"before", "after"}, "next"?}}; an empty page has no "paging".
    POST /v21.0/{comment-id}/comments with `message` (JSON or form) and access_token=T
        -> {"id": "<comment id>"}: a reply under that comment, as the page.
    errors {"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}, HTTP 400
        (190 OAuthException for a bad token, 4/17/32/613 rate limits, 100 for a missing object).

A script drives each: comments are added as the test goes, and `fail(...)` queues errors for the
next requests. Every request is recorded, so tests check what the client asked, and every message
posted is kept in `posted`, so tests count what reached the platform.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.services import free_port


@dataclass
class Recorded:
    path: str
    params: dict[str, str]
    at: float


@dataclass
class StandIn:
    tokens: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    post_failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(Recorded(request.url.path, dict(request.query_params), time.monotonic()))

    def next_failure(self) -> JSONResponse | None:
        with self.lock:
            if not self.failures:
                return None
            status, body = self.failures.pop(0)
        return JSONResponse(body, status_code=status)

    def next_post_failure(self) -> JSONResponse | None:
        with self.lock:
            if not self.post_failures:
                return None
            status, body = self.post_failures.pop(0)
        return JSONResponse(body, status_code=status)

    def calls(self, fragment: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if fragment in r.path]


@dataclass
class YouTubeChat:
    video_id: str
    chat_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False


class YouTubeStandIn(StandIn):
    def __init__(self, key: str, polling_ms: int = 100) -> None:
        super().__init__(tokens={key})
        self.polling_ms = polling_ms
        self.chats: dict[str, YouTubeChat] = {}

    def broadcast(self, video_id: str) -> YouTubeChat:
        chat = YouTubeChat(video_id, f"Cg0KC{secrets.token_hex(8)}")
        self.chats[video_id] = chat
        return chat

    def say(self, video_id: str, author: str, text: str, channel_id: str | None = None) -> str:
        chat = self.chats[video_id]
        message_id = f"LCC.{secrets.token_urlsafe(12)}"
        channel = channel_id or "UC" + base64.urlsafe_b64encode(author.encode()).decode().rstrip("=")[:22]
        with self.lock:
            chat.messages.append({
                "kind": "youtube#liveChatMessage",
                "etag": secrets.token_hex(8),
                "id": message_id,
                "snippet": {
                    "type": "textMessageEvent", "liveChatId": chat.chat_id, "authorChannelId": channel,
                    "publishedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime()),
                    "hasDisplayContent": True, "displayMessage": text,
                    "textMessageDetails": {"messageText": text},
                },
                "authorDetails": {
                    "channelId": channel, "channelUrl": f"http://www.youtube.com/channel/{channel}",
                    "displayName": author, "profileImageUrl": "", "isVerified": False, "isChatOwner": False,
                    "isChatSponsor": False, "isChatModerator": False,
                },
            })
        return message_id

    def fail(self, status: int, reason: str, domain: str = "youtube.liveChat", times: int = 1,
             posting: bool = False) -> None:
        """Queue errors for the next reads, or (`posting`) for the next inserts."""
        body = {"error": {"code": status, "message": f"The request failed: {reason}.",
                          "errors": [{"message": f"The request failed: {reason}.", "domain": domain,
                                      "reason": reason}]}}
        with self.lock:
            (self.post_failures if posting else self.failures).extend([(status, body)] * times)

    def _bearer(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None

    def _refused(self, request: Request) -> JSONResponse | None:
        self.record(request)
        if request.query_params.get("key") not in self.tokens and self._bearer(request) not in self.tokens:
            body = {"error": {"code": 401, "message": "API key not valid. Please pass a valid API key.",
                              "errors": [{"message": "API key not valid.", "domain": "global",
                                          "reason": "authError", "location": "key", "locationType": "parameter"}]}}
            return JSONResponse(body, status_code=401)
        return self.next_failure()

    async def videos(self, request: Request) -> JSONResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        chat = self.chats.get(request.query_params.get("id", ""))
        items = [] if chat is None else [{
            "kind": "youtube#video", "id": chat.video_id,
            "liveStreamingDetails": {"actualStartTime": "2026-12-01T22:00:00Z",
                                     **({} if chat.ended else {"activeLiveChatId": chat.chat_id})},
        }]
        return JSONResponse({"kind": "youtube#videoListResponse", "items": items,
                             "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})

    async def messages(self, request: Request) -> JSONResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        chat = next((c for c in self.chats.values() if c.chat_id == request.query_params.get("liveChatId")), None)
        if chat is None:
            return self._error(404, "liveChatNotFound", "The live chat you are trying to retrieve cannot be found.")
        if chat.ended:
            return self._error(403, "liveChatEnded", "The specified live chat is no longer live.")
        token = request.query_params.get("pageToken", "")
        start = int(token[1:]) if token.startswith("p") and token[1:].isdigit() else 0
        size = min(int(request.query_params.get("maxResults", "500")), 2000)
        with self.lock:
            items = chat.messages[start:start + size]
        body = {"kind": "youtube#liveChatMessageListResponse", "etag": secrets.token_hex(8),
                "pollingIntervalMillis": self.polling_ms, "nextPageToken": f"p{start + len(items)}",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}, "items": items}
        return JSONResponse(body)

    async def insert(self, request: Request) -> JSONResponse:
        """liveChatMessages.insert: OAuth only; the message joins the chat, as the channel."""
        self.record(request)
        bearer = self._bearer(request)
        if bearer is None:
            return self._error(401, "required", "Login Required.", domain="global")
        if bearer not in self.tokens:
            return self._error(401, "authError", "Invalid Credentials", domain="global")
        failure = self.next_post_failure()
        if failure is not None:
            return failure
        snippet = (await request.json()).get("snippet", {})
        chat = next((c for c in self.chats.values() if c.chat_id == snippet.get("liveChatId")), None)
        if chat is None:
            return self._error(404, "liveChatNotFound", "The live chat you are trying to retrieve cannot be found.")
        text = snippet.get("textMessageDetails", {}).get("messageText", "")
        if snippet.get("type") != "textMessageEvent" or not text or len(text) > 200:
            return self._error(400, "invalidMessageText", "The message text is invalid.")
        message_id = f"LCC.{secrets.token_urlsafe(12)}"
        resource = {"kind": "youtube#liveChatMessage", "etag": secrets.token_hex(8), "id": message_id,
                    "snippet": {**snippet, "hasDisplayContent": True, "displayMessage": text,
                                "authorChannelId": "UCthe-broadcaster",
                                "publishedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())},
                    "authorDetails": {"channelId": "UCthe-broadcaster", "displayName": "Prefeitura",
                                      "isChatOwner": True}}
        with self.lock:
            self.posted.append(resource)
        return JSONResponse(resource)

    @staticmethod
    def _error(status: int, reason: str, message: str, domain: str = "youtube.liveChat") -> JSONResponse:
        return JSONResponse({"error": {"code": status, "message": message, "errors": [
            {"message": message, "domain": domain, "reason": reason}]}}, status_code=status)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/youtube/v3/videos", self.videos),
                                 Route("/youtube/v3/liveChat/messages", self.messages),
                                 Route("/youtube/v3/liveChat/messages", self.insert, methods=["POST"])])


class FacebookStandIn(StandIn):
    def __init__(self, token: str, version: str = "v21.0") -> None:
        super().__init__(tokens={token})
        self.version = version
        self.videos: dict[str, list[dict[str, Any]]] = {}

    def live_video(self) -> str:
        video_id = str(10**15 + secrets.randbelow(10**15))
        self.videos[video_id] = []
        return video_id

    def comment(self, video_id: str, name: str, text: str, user_id: str | None = None) -> str:
        comment_id = f"{video_id}_{secrets.randbelow(10**15)}"
        with self.lock:
            self.videos[video_id].append({
                "id": comment_id, "message": text,
                "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                "from": {"id": user_id or str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16)), "name": name},
            })
        return comment_id

    def fail(self, code: int, message: str, kind: str = "OAuthException", status: int = 400, times: int = 1,
             posting: bool = False) -> None:
        """Queue errors for the next reads, or (`posting`) for the next replies."""
        body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_urlsafe(8)}}
        with self.lock:
            (self.post_failures if posting else self.failures).extend([(status, body)] * times)

    async def comments(self, request: Request) -> JSONResponse:
        self.record(request)
        params = request.query_params
        if params.get("access_token") not in self.tokens:
            return JSONResponse({"error": {
                "message": "Error validating access token: The session has been invalidated.",
                "type": "OAuthException", "code": 190, "error_subcode": 460,
                "fbtrace_id": secrets.token_urlsafe(8)}}, status_code=400)
        failure = self.next_failure()
        if failure is not None:
            return failure
        video = self.videos.get(request.path_params["video"])
        if video is None:
            return JSONResponse({"error": {
                "message": "Unsupported get request. Object with ID does not exist.",
                "type": "GraphMethodException", "code": 100, "error_subcode": 33,
                "fbtrace_id": secrets.token_urlsafe(8)}}, status_code=400)
        with self.lock:
            ordered = list(video) if params.get("order", "chronological") == "chronological" else video[::-1]
        after = params.get("after")
        start = int(base64.b64decode(after).decode()) + 1 if after else 0
        limit = min(int(params.get("limit", "25")), 100)
        page = ordered[start:start + limit]
        body: dict[str, Any] = {"data": page}
        if page:
            first, last = start, start + len(page) - 1
            body["paging"] = {"cursors": {"before": base64.b64encode(str(first).encode()).decode(),
                                          "after": base64.b64encode(str(last).encode()).decode()}}
            if last + 1 < len(ordered):
                body["paging"]["next"] = f"{request.url}&after={body['paging']['cursors']['after']}"
        return JSONResponse(body)

    async def reply(self, request: Request) -> JSONResponse:
        """A comment under a comment (`{video}_{n}`) of a live video, as the page."""
        self.record(request)
        if request.query_params.get("access_token") not in self.tokens:
            return JSONResponse({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                           "code": 190, "fbtrace_id": secrets.token_urlsafe(8)}}, status_code=400)
        failure = self.next_post_failure()
        if failure is not None:
            return failure
        parent = request.path_params["video"]
        with self.lock:
            known = any(c["id"] == parent for comments in self.videos.values() for c in comments)
        if not known:
            return JSONResponse({"error": {
                "message": "Unsupported post request. Object with ID does not exist.",
                "type": "GraphMethodException", "code": 100, "error_subcode": 33,
                "fbtrace_id": secrets.token_urlsafe(8)}}, status_code=400)
        if request.headers.get("content-type", "").startswith("application/json"):
            message = (await request.json()).get("message", "")
        else:  # application/x-www-form-urlencoded, as the reference's examples post it
            message = urllib.parse.parse_qs((await request.body()).decode()).get("message", [""])[0]
        comment_id = f"{parent.split('_')[0]}_{secrets.randbelow(10**15)}"
        with self.lock:
            self.posted.append({"id": comment_id, "parent": parent, "message": message})
        return JSONResponse({"id": comment_id})

    def app(self) -> Starlette:
        return Starlette(routes=[Route(f"/{self.version}/{{video}}/comments", self.comments),
                                 Route(f"/{self.version}/{{video}}/comments", self.reply, methods=["POST"])])


@contextlib.contextmanager
def serving(stand_in: YouTubeStandIn | FacebookStandIn) -> Iterator[str]:
    """Serve the stand-in on 127.0.0.1 in a thread; yields its base URL (the client's base URL)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(stand_in.app(), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("stand-in did not start")
        time.sleep(0.02)
    try:
        base = f"http://127.0.0.1:{port}"
        yield f"{base}/youtube/v3" if isinstance(stand_in, YouTubeStandIn) else f"{base}/{stand_in.version}"
    finally:
        server.should_exit = True
        thread.join(10)
