"""Moderators' replies posted back to the broadcast's platform, only when the organizer turns it
on: a real server on a real port, the local stand-ins of YouTube and Facebook over HTTP counting
what was posted, real websocket clients for the moderator."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from server.settings import Settings
from tests.client import Client
from tests.e2e.test_platforms import Stage, imported, moderator, organizer, quick
from tests.harness import Running, create_event, running_server
from tests.platform_standins import FacebookStandIn, YouTubeStandIn, serving

OAUTH, PAGE_TOKEN, KEY = "ya29.sonora-oauth", "EAAB-sonora-page-token", "AIzaSy-sonora-key"
TOKEN_KEY = "a server key the tests use, long enough"


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    youtube, facebook = YouTubeStandIn(OAUTH, polling_ms=50), FacebookStandIn(PAGE_TOKEN)
    youtube.tokens.add(KEY)
    with serving(youtube) as youtube_url, serving(facebook) as facebook_url:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}", token_key=TOKEN_KEY,
                            youtube_url=youtube_url, facebook_url=facebook_url)
        yield Stage(settings, youtube, facebook)


def source_view(client: Client, source_id: int) -> dict[str, Any]:
    """The latest staff view of one source (`platform.health` events)."""
    views = [e["data"]["source"] for e in client.named("platform.health") if e["data"]["source"]["id"] == source_id]
    return views[-1] if views else {}


def outbox(server: Running) -> list[tuple[str, str, str]]:
    """(state, posted_id, text) of every reply in the outbox, read straight from the database."""
    path = server.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT state, posted_id, text FROM platform_reply ORDER BY id"))


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Wait for a condition of a stand-in (which no websocket message announces)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def polls_later(stage: Stage, count: int = 3) -> None:
    """Wait until the importer has polled YouTube `count` more times (its replies go out after each)."""
    start = len(stage.youtube.calls("liveChat"))
    await until(lambda: len(stage.youtube.calls("liveChat")) >= start + count)


async def question_from(mod: Client, text: str) -> int:
    await mod.wait_for(lambda: text in imported(mod), timeout=10)
    promoted = await mod.ok("mod.promote", item=imported(mod)[text]["id"])
    question_id: int = promoted["item"]["id"]
    return question_id


async def test_replies_go_back_only_when_turned_on_and_exactly_once_across_restarts(stage: Stage) -> None:
    """Pass: with the switch off (the default) a reply posts nothing; turned on, a reply that
    failed once (503) is retried, and posted once even though the server restarts before the
    retry and again after it; the platform's id is recorded."""
    chat = stage.youtube.broadcast("live-sonora")
    stage.youtube.say(chat.video_id, "Maria do CRAS", "Quando abre a inscrição do BPC?")
    stage.youtube.say(chat.video_id, "Seu Zé", "E o transporte para a conferência?")
    async with running_server(stage.settings) as server:
        quick(server)
        # The failed reply is due again in 4 s (twice this interval): after this server has stopped.
        server.services.importer.config = replace(server.services.importer.config, interval=2.0)
        created = await create_event(server.base, code="SONORA")
        mod = await moderator(server, "SONORA", created)
        async with organizer(server, created) as http:
            connected = await http.post("/api/events/SONORA/platforms", json={
                "platform": "youtube", "target": chat.video_id, "token": f"Bearer {OAUTH}"})
            source = connected.json()["source"]
            assert source["post_replies"] is False and OAUTH not in connected.text
            first = await question_from(mod, "Quando abre a inscrição do BPC?")
            await mod.ok("question.reply", question=first, text="Em março, no CRAS do seu bairro.")
            await polls_later(stage)
            assert stage.youtube.posted == [] and outbox(server) == []

            switched = await http.patch(f"/api/events/SONORA/platforms/{source['id']}", json={"post_replies": True})
            assert switched.status_code == 200 and switched.json()["source"]["post_replies"] is True
            bad = await http.patch(f"/api/events/SONORA/platforms/{source['id']}", json={"post_replies": "yes"})
            assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_post_replies"
            second = await question_from(mod, "E o transporte para a conferência?")
            stage.youtube.fail(503, "backendError", domain="global", posting=True)
            await mod.ok("question.reply", question=second, text="Sai ônibus da praça às 7h.")
            await mod.wait_for(lambda: source_view(mod, source["id"]).get("reply_health") == "unreachable",
                               timeout=10)
        assert [row[0] for row in outbox(server)] == ["pending"]
        await mod.close()

    async with running_server(stage.settings) as again:
        quick(again)
        mod = await moderator(again, "SONORA", created)
        await until(lambda: len(stage.youtube.posted) == 1, timeout=15)
        await mod.wait_for(lambda: source_view(mod, source["id"]).get("replies_posted") == 1, timeout=10)
        await polls_later(stage)
        await mod.close()
    posted = stage.youtube.posted[0]
    assert posted["snippet"]["liveChatId"] == chat.chat_id
    assert posted["snippet"]["textMessageDetails"]["messageText"] == "Sai ônibus da praça às 7h."
    inserts = [r for r in stage.youtube.calls("liveChat") if r.params.get("part") == "snippet"]
    assert len(inserts) == 2, "one failed attempt, one success"
    assert outbox(again) == [("sent", posted["id"], "Sai ônibus da praça às 7h.")]

    async with running_server(stage.settings) as third:
        quick(third)
        mod = await moderator(third, "SONORA", created)
        await polls_later(stage)
        await mod.close()
    assert len(stage.youtube.posted) == 1, "never posted twice after a restart"


async def test_a_403_from_youtube_is_the_reply_health_and_importing_goes_on(stage: Stage) -> None:
    """Pass: a 403 (forbidden) on posting is shown to staff as the source's reply health and the
    reply is not tried again; an API-key source cannot post at all and says so; importing goes on."""
    chat = stage.youtube.broadcast("live-403")
    keyed = stage.youtube.broadcast("live-key")
    stage.youtube.say(chat.video_id, "Ana", "Tem intérprete de Libras?")
    stage.youtube.say(keyed.video_id, "Bia", "Onde fica a sala 2?")
    async with running_server(stage.settings) as server:
        quick(server)
        created = await create_event(server.base, code="PROIBIDO")
        mod = await moderator(server, "PROIBIDO", created)
        async with organizer(server, created) as http:
            sources = []
            for video, token in ((chat.video_id, f"Bearer {OAUTH}"), (keyed.video_id, KEY)):
                connected = await http.post("/api/events/PROIBIDO/platforms",
                                            json={"platform": "youtube", "target": video, "token": token})
                source_id = connected.json()["source"]["id"]
                await http.patch(f"/api/events/PROIBIDO/platforms/{source_id}", json={"post_replies": True})
                sources.append(source_id)
        stage.youtube.fail(403, "forbidden", domain="youtube.liveChat", posting=True)
        await mod.ok("question.reply", question=await question_from(mod, "Tem intérprete de Libras?"), text="Sim.")
        await mod.ok("question.reply", question=await question_from(mod, "Onde fica a sala 2?"), text="2º andar.")
        for source_id in sources:
            await mod.wait_for(lambda s=source_id: source_view(mod, s).get("reply_health") == "revoked", timeout=10)
        assert "API key cannot post" in source_view(mod, sources[1])["reply_detail"]
        assert "forbidden" in source_view(mod, sources[0])["reply_detail"]
        stage.youtube.say(chat.video_id, "Ana", "Obrigada!")
        await mod.wait_for(lambda: "Obrigada!" in imported(mod), timeout=10)
        await polls_later(stage)
        assert stage.youtube.posted == []
        assert sorted(row[0] for row in outbox(server)) == ["failed", "failed"]
        assert all(source_view(mod, s)["health"] == "ok" for s in sources)
        await mod.close()


async def test_a_facebook_reply_is_posted_under_the_comment(stage: Stage) -> None:
    """Pass: turned on, a reply to a question imported from Facebook is posted once under that
    comment (`POST /{comment-id}/comments`), and the Graph API's id is recorded."""
    video = stage.facebook.live_video()
    comment_id = stage.facebook.comment(video, "Ana Paula", "Cadê a ata da última plenária?")
    async with running_server(stage.settings) as server:
        quick(server)
        created = await create_event(server.base, code="FBRESP")
        mod = await moderator(server, "FBRESP", created)
        async with organizer(server, created) as http:
            connected = await http.post("/api/events/FBRESP/platforms",
                                        json={"platform": "facebook", "target": video, "token": PAGE_TOKEN})
            source_id = connected.json()["source"]["id"]
            await http.patch(f"/api/events/FBRESP/platforms/{source_id}", json={"post_replies": True})
        question = await question_from(mod, "Cadê a ata da última plenária?")
        await mod.ok("question.reply", question=question, text="Está no site da prefeitura.")
        await mod.wait_for(lambda: source_view(mod, source_id).get("replies_posted") == 1, timeout=15)
        assert stage.facebook.posted == [{"id": stage.facebook.posted[0]["id"], "parent": comment_id,
                                          "message": "Está no site da prefeitura."}]
        assert outbox(server) == [("sent", stage.facebook.posted[0]["id"], "Está no site da prefeitura.")]
        await mod.close()


async def test_a_reply_caught_mid_post_by_a_crash_is_never_sent_again(stage: Stage) -> None:
    """Pass: a reply left `sending` by a process that died mid-request (the platform may or may
    not have it) becomes `uncertain` on the next holder and is not posted: never two copies."""
    chat = stage.youtube.broadcast("live-crash")
    stage.youtube.say(chat.video_id, "Dona Cida", "Vai ter lanche?")
    async with running_server(stage.settings) as server:
        quick(server)
        server.services.importer.config = replace(server.services.importer.config, interval=2.0)
        created = await create_event(server.base, code="QUEDA")
        mod = await moderator(server, "QUEDA", created)
        async with organizer(server, created) as http:
            connected = await http.post("/api/events/QUEDA/platforms", json={
                "platform": "youtube", "target": chat.video_id, "token": f"Bearer {OAUTH}"})
            source_id = connected.json()["source"]["id"]
            await http.patch(f"/api/events/QUEDA/platforms/{source_id}", json={"post_replies": True})
        stage.youtube.fail(503, "backendError", domain="global", posting=True)
        await mod.ok("question.reply", question=await question_from(mod, "Vai ter lanche?"), text="Sim, às 10h.")
        await mod.wait_for(lambda: source_view(mod, source_id).get("reply_health") == "unreachable", timeout=10)
        await mod.close()
    # What a crash between committing `sending` and recording the platform's answer leaves behind.
    with sqlite3.connect(server.settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE platform_reply SET state = 'sending', claimed_at = 0, next_at = 0")

    async with running_server(stage.settings) as again:
        quick(again)
        await until(lambda: [row[0] for row in outbox(again)] == ["uncertain"], timeout=10)
        await polls_later(stage)
    assert stage.youtube.posted == []
