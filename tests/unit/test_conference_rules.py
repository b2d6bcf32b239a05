"""Pure rules of the agenda, the screen and stream embeds."""

from __future__ import annotations

import pytest

from server.domain.agenda import AgendaItem, end_session, live_session, start_session
from server.domain.screen import choose_screen
from server.domain.stream import embed_for, hls_origin
from server.errors import Conflict, InvalidCommand, NotFound

AGENDA = [AgendaItem(1, "Abertura", 1), AgendaItem(2, "Plenária", 2), AgendaItem(3, "Eleição", 3)]


def test_starting_a_session_ends_the_live_one() -> None:
    changed = start_session(AGENDA, 1, now=10.0)
    assert [(i.id, i.status) for i in changed] == [(1, "live")]
    agenda = [changed[0], *AGENDA[1:]]
    changed = start_session(agenda, 2, now=20.0)
    assert [(i.id, i.status, i.ended_at or i.started_at) for i in changed] == [(1, "ended", 20.0), (2, "live", 20.0)]


def test_at_most_one_session_is_live() -> None:
    agenda = list(AGENDA)
    for session_id, now in ((1, 1.0), (3, 2.0), (2, 3.0), (1, 4.0)):
        for item in start_session(agenda, session_id, now):
            agenda = [item if i.id == item.id else i for i in agenda]
        assert sum(i.status == "live" for i in agenda) == 1
        current = live_session(agenda)
        assert current is not None and current.id == session_id


def test_starting_the_live_session_changes_nothing_and_ending_needs_live() -> None:
    live = [start_session(AGENDA, 1, 1.0)[0], *AGENDA[1:]]
    assert start_session(live, 1, 2.0) == []
    assert end_session(live, 1, 3.0)[0].status == "ended"
    with pytest.raises(Conflict):
        end_session(AGENDA, 2, 3.0)
    with pytest.raises(NotFound):
        start_session(AGENDA, 99, 3.0)


def test_screen_choices_are_validated() -> None:
    assert choose_screen("qr", ref=None, text="", seconds=None, now=0).kind == "qr"
    timer = choose_screen("timer", ref=None, text="Intervalo", seconds=600, now=100.0)
    assert timer.ends_at == 700.0
    assert choose_screen("poll", ref=4, text="", seconds=None, now=0).ref == 4
    assert choose_screen("qr", ref=4, text="", seconds=None, now=0).ref is None
    for kind, ref, text, seconds in (
        ("poll", None, "", None),
        ("bogus", None, "", None),
        ("message", None, "  ", None),
        ("timer", None, "", 0),
        ("timer", None, "", None),
        ("message", None, "x" * 281, None),
    ):
        with pytest.raises(InvalidCommand):
            choose_screen(kind, ref=ref, text=text, seconds=seconds, now=0)


@pytest.mark.parametrize(
    ("url", "provider", "src"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=5", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/abcDEF12345", "youtube", "https://www.youtube-nocookie.com/embed/abcDEF12345"),
        ("https://vimeo.com/123456", "vimeo", "https://player.vimeo.com/video/123456"),
        ("https://vimeo.com/event/42", "vimeo", "https://player.vimeo.com/event/42"),
        ("https://cdn.example.org/live/stream.m3u8", "hls", "https://cdn.example.org/live/stream.m3u8"),
        ("https://meet.example.org/room", "iframe", "https://meet.example.org/room"),
    ],
)
def test_stream_embeds(url: str, provider: str, src: str) -> None:
    embed = embed_for(url)
    assert (embed.provider, embed.src) == (provider, src)


def test_facebook_embed_and_bad_urls() -> None:
    embed = embed_for("https://www.facebook.com/PrefeituraDeSonora/videos/123/")
    assert embed.provider == "facebook" and embed.src.startswith("https://www.facebook.com/plugins/video.php?href=")
    assert embed_for("").kind == "none"
    for bad in ("javascript:alert(1)", "ftp://x.org/a", "https://"):
        with pytest.raises(InvalidCommand):
            embed_for(bad)


def test_the_origin_an_hls_stream_is_fetched_from() -> None:
    assert hls_origin("https://cdn.example.org/live/stream.m3u8?token=1") == "https://cdn.example.org"
    assert hls_origin("http://127.0.0.1:8081/hls/stream.m3u8") == "http://127.0.0.1:8081"
    assert hls_origin("https://[2001:db8::1]:8443/a.m3u8") == "https://[2001:db8::1]:8443"
    assert hls_origin("https://CDN.Example.org/a.m3u8") == "https://cdn.example.org"
    for other in ("", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://cdn.example.org/a.mp4",
                  "https://evil.example;script-src%20*/a.m3u8", "https://a b.example/a.m3u8"):
        assert hls_origin(other) is None, other
