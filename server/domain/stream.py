"""Turn the stream URL an organizer pastes into something a page can embed.

Organizers paste whatever their browser shows (a YouTube watch link, a Facebook
video page, a Vimeo link, an HLS playlist); participants' pages need an iframe
`src` or a video `src`. Unknown https URLs are embedded as-is in an iframe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, quote, urlsplit

from server.errors import InvalidCommand

EmbedKind = Literal["iframe", "video", "none"]

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
# What may stand in a Content-Security-Policy source as a host: a DNS name or an IP address.
_PLAIN_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$")


@dataclass(frozen=True, slots=True)
class StreamEmbed:
    provider: str
    kind: EmbedKind
    src: str

    def to_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "kind": self.kind, "src": self.src}


NO_STREAM = StreamEmbed("none", "none", "")


def embed_for(url: str) -> StreamEmbed:
    """Return the embed for `url`; raises InvalidCommand for a non-http(s) or malformed URL."""
    url = url.strip()
    if not url:
        return NO_STREAM
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidCommand("stream URL must be an http(s) address", code="invalid_stream_url")
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtu.be", "youtube-nocookie.com"):
        video = _youtube_id(host, parts.path, parts.query)
        if video:
            return StreamEmbed("youtube", "iframe", f"https://www.youtube-nocookie.com/embed/{video}")
    if host in ("facebook.com", "fb.watch"):
        href = quote(url, safe="")
        return StreamEmbed(
            "facebook", "iframe", f"https://www.facebook.com/plugins/video.php?href={href}&show_text=false"
        )
    if host == "vimeo.com":
        match = re.match(r"^/(?:event/)?(\d+)", parts.path)
        if match:
            prefix = "event" if parts.path.startswith("/event/") else "video"
            return StreamEmbed("vimeo", "iframe", f"https://player.vimeo.com/{prefix}/{match.group(1)}")
    if parts.path.endswith((".m3u8", ".mp4", ".webm")):
        return StreamEmbed("hls" if parts.path.endswith(".m3u8") else "file", "video", url)
    return StreamEmbed("iframe", "iframe", url)


def _youtube_id(host: str, path: str, query: str) -> str | None:
    candidate: str | None = None
    if host == "youtu.be":
        candidate = path.strip("/").split("/")[0]
    elif path == "/watch":
        candidate = (parse_qs(query).get("v") or [""])[0]
    else:
        match = re.match(r"^/(?:live|embed|shorts|v)/([^/?#]+)", path)
        candidate = match.group(1) if match else None
    if candidate and _YOUTUBE_ID.match(candidate):
        return candidate
    return None


def hls_origin(url: str) -> str | None:
    """The origin (`scheme://host[:port]`) an HLS stream's playlist and segments come from.

    hls.js fetches them itself, so the participant page must allow that origin in
    `connect-src`. None for every other stream, and for a host that is not a plain
    DNS name or IP address (it would go into a header).
    """
    if not url.strip() or embed_for(url).provider != "hls":
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    if not _PLAIN_HOST.match(host):
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")
