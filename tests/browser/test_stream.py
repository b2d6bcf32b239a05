"""An HLS stream plays in Debian's Chromium through the vendored hls.js (Media Source
Extensions), fetched only for HLS, from our own origin, under the page's CSP; a YouTube or
Facebook stream stays an iframe and never loads it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference
from tests.services import free_port

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "hls"


class StreamHandler(SimpleHTTPRequestHandler):
    """A CDN as HLS needs it: the playlist and segments, readable from another origin."""

    extensions_map = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", "": "application/octet-stream"}

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def cdn() -> Iterator[str]:
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(StreamHandler, directory=str(FIXTURE)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_an_hls_stream_plays_with_hls_js(browser: Browser, conference: Conference, cdn: str) -> None:
    await conference.api("PATCH", "", {"stream_url": f"{cdn}/stream.m3u8"})
    async with httpx.AsyncClient() as http:
        page_csp = (await http.get(conference.url("participant"))).headers["content-security-policy"]
    assert f"connect-src 'self' ws: wss: {cdn};" in page_csp, "the page may fetch the stream's origin, no other"
    assert "worker-src" not in page_csp and "blob:" not in page_csp.split("connect-src")[1].split(";")[0]
    requests: list[str] = []
    phone = await browser.page(viewport=PHONE)
    phone.on("request", lambda r: requests.append(r.url))
    await phone.goto(conference.url("participant"))
    video = phone.locator("#stream video")
    await expect(phone.locator("#stream")).to_have_attribute("data-player", "hls.js")
    assert any(u.endswith("/static/vendor/hls/hls.min.mjs") for u in requests)
    assert any(u.endswith("stream.m3u8") for u in requests), "the playlist is read"
    assert not any(u.endswith(".ts") for u in requests), "no video is fetched before play"
    await video.evaluate("v => { v.muted = true; return v.play(); }")
    await expect(video).to_have_js_property("readyState", 4, timeout=15_000)
    first = await video.evaluate("v => v.currentTime")
    await phone.wait_for_function("t => document.querySelector('#stream video').currentTime > t", arg=first + 0.5)
    played = await video.evaluate("v => ({src: v.src, w: v.videoWidth, h: v.videoHeight, error: v.error})")
    assert played["src"].startswith("blob:"), "fed through Media Source Extensions"
    assert (played["w"], played["h"]) == (160, 90) and played["error"] is None
    assert any(u.endswith("/static/vendor/hls/hls.worker.js") for u in requests), "the transmuxer's worker"
    assert any(u.endswith("seg0.ts") for u in requests)
    assert not browser.errors, browser.errors  # a CSP refusal would be a console error

    # Moved to another site while the page is open: the page's policy (read at load) refuses it,
    # and the viewer is told to reload rather than left with a black box.
    moved = cdn.replace("127.0.0.1", "localhost")
    await conference.api("PATCH", "", {"stream_url": f"{moved}/stream.m3u8"})
    await expect(phone.locator("#stream")).to_contain_text("A transmissão mudou de endereço", timeout=10_000)
    await phone.locator("#stream").get_by_role("button", name="Recarregar").click()
    await expect(phone.locator("#stream")).to_have_attribute("data-player", "hls.js")
    await phone.locator("#stream video").evaluate("v => { v.muted = true; return v.play(); }")
    await expect(phone.locator("#stream video")).to_have_js_property("readyState", 4, timeout=15_000)
    assert all("Content Security Policy" in e for e in browser.errors), browser.errors


@pytest.mark.parametrize("url", ["https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                 "https://www.facebook.com/PrefeituraDeSonora/videos/123/"])
async def test_youtube_and_facebook_streams_load_no_hls_js(browser: Browser, conference: Conference, url: str) -> None:
    await conference.api("PATCH", "", {"stream_url": url})
    requests: list[str] = []
    phone = await browser.page(viewport=PHONE)
    phone.on("request", lambda r: requests.append(r.url))
    await phone.goto(conference.url("participant"))
    await expect(phone.locator("#stream iframe")).to_have_attribute("src", re.compile(r"^https://www\."))
    await expect(phone.locator("#event-title")).not_to_be_empty()
    await phone.wait_for_timeout(300)
    assert not any("/vendor/hls/" in u for u in requests), requests
    async with httpx.AsyncClient() as http:
        assert "connect-src 'self' ws: wss:;" in (await http.get(conference.url("participant"))).headers[
            "content-security-policy"]
