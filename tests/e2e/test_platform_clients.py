"""The real YouTube and Facebook clients over HTTP against the local stand-ins
(tests/platform_standins.py): paging from a persisted cursor, the polling interval, and every
documented failure mapped to the health staff see."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from server.domain.platforms import PlatformFailure, Source
from server.platforms.facebook import FacebookClient
from server.platforms.youtube import YouTubeClient
from tests.platform_standins import FacebookStandIn, YouTubeStandIn, serving
from tests.services import free_port

KEY, TOKEN = "AIzaSy-test-key", "EAAB-page-token"


@pytest.fixture
def youtube() -> Iterator[tuple[YouTubeStandIn, str]]:
    stand_in = YouTubeStandIn(KEY, polling_ms=2500)
    with serving(stand_in) as base:
        yield stand_in, base


@pytest.fixture
def facebook() -> Iterator[tuple[FacebookStandIn, str]]:
    stand_in = FacebookStandIn(TOKEN)
    with serving(stand_in) as base:
        yield stand_in, base


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def source(platform: str, target: str, cursor: str | None = None) -> Source:
    return Source(id=1, event_id=1, platform=platform, target=target, cursor=cursor)  # type: ignore[arg-type]


async def failure_of(call: object) -> PlatformFailure:
    with pytest.raises(PlatformFailure) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_youtube_pages_resume_from_the_token_and_honour_the_interval(
    youtube: tuple[YouTubeStandIn, str], http: httpx.AsyncClient
) -> None:
    """Pass: the video's activeLiveChatId is looked up, the first page brings the history, the next
    page (from nextPageToken) only what came after, with pollingIntervalMillis as the wait."""
    stand_in, base = youtube
    chat = stand_in.broadcast("dQw4w9WgXcQ")
    stand_in.say(chat.video_id, "Maria do CRAS", "Quando abre a inscrição?")
    client = YouTubeClient(http, base)
    chat_id = await client.resolve(source("youtube", chat.video_id), KEY)
    assert chat_id == chat.chat_id
    first = await client.page(source("youtube", chat.video_id), chat_id, KEY)
    assert [(c.author_name, c.text) for c in first.comments] == [("Maria do CRAS", "Quando abre a inscrição?")]
    assert first.wait_seconds == 2.5 and first.cursor
    stand_in.say(chat.video_id, "João", "E o orçamento da assistência?")
    second = await client.page(source("youtube", chat.video_id, first.cursor), chat_id, KEY)
    assert [c.text for c in second.comments] == ["E o orçamento da assistência?"]
    assert stand_in.calls("liveChat")[-1].params["pageToken"] == first.cursor
    assert stand_in.calls("liveChat")[-1].params["part"] == "snippet,authorDetails"
    empty = await client.page(source("youtube", chat.video_id, second.cursor), chat_id, KEY)
    assert empty.comments == () and empty.cursor == second.cursor


@pytest.mark.parametrize(("status", "reason", "domain", "health"), [
    (403, "quotaExceeded", "youtube.quota", "quota"),
    (403, "rateLimitExceeded", "youtube.liveChat", "rate_limited"),
    (403, "forbidden", "youtube.liveChat", "revoked"),
    (500, "backendError", "global", "unreachable"),
])
async def test_youtube_errors_become_health(youtube: tuple[YouTubeStandIn, str], http: httpx.AsyncClient,
                                            status: int, reason: str, domain: str, health: str) -> None:
    stand_in, base = youtube
    chat = stand_in.broadcast("abc123")
    stand_in.fail(status, reason, domain)
    failure = await failure_of(YouTubeClient(http, base).page(source("youtube", "abc123"), chat.chat_id, KEY))
    assert failure.health == health and reason in failure.detail


async def test_youtube_ended_missing_and_bad_key(youtube: tuple[YouTubeStandIn, str], http: httpx.AsyncClient) -> None:
    """Pass: 403 liveChatEnded and 404 liveChatNotFound are `ended`, a video without an active chat
    too; 401 authError (a bad or revoked key) is `revoked`."""
    stand_in, base = youtube
    client = YouTubeClient(http, base)
    chat = stand_in.broadcast("ended1")
    assert (await failure_of(client.page(source("youtube", "x"), "no-such-chat", KEY))).health == "ended"
    chat.ended = True
    assert (await failure_of(client.page(source("youtube", "ended1"), chat.chat_id, KEY))).health == "ended"
    assert (await failure_of(client.resolve(source("youtube", "ended1"), KEY))).health == "ended"
    assert (await failure_of(client.resolve(source("youtube", "ended1"), "wrong-key"))).health == "revoked"


async def test_facebook_pages_follow_the_after_cursor(facebook: tuple[FacebookStandIn, str],
                                                      http: httpx.AsyncClient) -> None:
    """Pass: comments come oldest first; a full page says more is waiting (poll at once); the
    cursor of the last page brings only newer comments; an empty page keeps the cursor."""
    stand_in, base = facebook
    video = stand_in.live_video()
    for i in range(120):
        stand_in.comment(video, f"Pessoa {i}", f"comentário {i}")
    client = FacebookClient(http, base)
    first = await client.page(source("facebook", video), video, TOKEN)
    assert len(first.comments) == 100 and first.comments[0].text == "comentário 0"
    assert first.wait_seconds == 1.0
    second = await client.page(source("facebook", video, first.cursor), video, TOKEN)
    assert [c.text for c in second.comments] == [f"comentário {i}" for i in range(100, 120)]
    assert second.wait_seconds == 5.0
    stand_in.comment(video, "Ana", "Cadê a ata?")
    third = await client.page(source("facebook", video, second.cursor), video, TOKEN)
    assert [(c.author_name, c.text) for c in third.comments] == [("Ana", "Cadê a ata?")]
    empty = await client.page(source("facebook", video, third.cursor), video, TOKEN)
    assert empty.comments == () and empty.cursor == third.cursor
    assert stand_in.calls("comments")[-1].params["order"] == "chronological"


@pytest.mark.parametrize(("code", "kind", "health"), [
    (4, "OAuthException", "rate_limited"), (17, "OAuthException", "rate_limited"),
    (32, "OAuthException", "rate_limited"), (613, "OAuthException", "rate_limited"),
    (2, "OAuthException", "unreachable"),
])
async def test_facebook_errors_become_health(facebook: tuple[FacebookStandIn, str], http: httpx.AsyncClient,
                                             code: int, kind: str, health: str) -> None:
    stand_in, base = facebook
    video = stand_in.live_video()
    stand_in.fail(code, "Application request limit reached", kind)
    failure = await failure_of(FacebookClient(http, base).page(source("facebook", video), video, TOKEN))
    assert failure.health == health and "fbtrace_id" in failure.detail


async def test_facebook_revoked_token_and_missing_video(facebook: tuple[FacebookStandIn, str],
                                                        http: httpx.AsyncClient) -> None:
    stand_in, base = facebook
    client = FacebookClient(http, base)
    video = stand_in.live_video()
    revoked = await failure_of(client.page(source("facebook", video), video, "EAAB-revoked"))
    assert revoked.health == "revoked" and revoked.detail.startswith("190:")
    assert (await failure_of(client.page(source("facebook", "1"), "1", TOKEN))).health == "ended"


async def test_a_platform_that_cannot_be_reached_is_unreachable(http: httpx.AsyncClient) -> None:
    base = f"http://127.0.0.1:{free_port()}/youtube/v3"
    failure = await failure_of(YouTubeClient(http, base).page(source("youtube", "v"), "c", KEY))
    assert failure.health == "unreachable"
