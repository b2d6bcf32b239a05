"""Live comments of YouTube and Facebook in the moderators' queue: a real server on a real port
imports from the local stand-ins over HTTP, real websocket clients watch the staff and public
channels."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.cli import main as cli_main
from server.settings import Settings
from tests.client import Client
from tests.harness import Running, create_event, running_server
from tests.platform_standins import FacebookStandIn, YouTubeStandIn, serving

KEY, TOKEN = "AIzaSy-sonora-key", "EAAB-sonora-page-token"
TOKEN_KEY = "a server key the tests use, long enough"


@dataclass
class Stage:
    settings: Settings
    youtube: YouTubeStandIn
    facebook: FacebookStandIn


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    youtube, facebook = YouTubeStandIn(KEY, polling_ms=50), FacebookStandIn(TOKEN)
    with serving(youtube) as youtube_url, serving(facebook) as facebook_url:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}", token_key=TOKEN_KEY,
                            youtube_url=youtube_url, facebook_url=facebook_url)
        yield Stage(settings, youtube, facebook)


@pytest.fixture
async def server(stage: Stage) -> AsyncIterator[Running]:
    async with running_server(stage.settings) as running:
        quick(running)
        yield running


def quick(running: Running) -> None:
    """Poll Facebook every 0.2 s (clamped to the 1 s minimum) and back off from there: seconds, not
    minutes; store one comment per transaction, so a page of several is stored in chunks."""
    importer = running.services.importer
    importer.config = replace(importer.config, interval=0.2, scan_seconds=0.2, chunk=1)


def organizer(server: Running, created: dict[str, Any]) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base, headers={"authorization": f"Bearer {created['organizer_secret']}"})


async def moderator(server: Running, code: str, created: dict[str, Any]) -> Client:
    token = next(s["token"] for s in created["staff"] if s["role"] == "moderator")
    client = await Client(server.ws_url, code, token=token).connect()
    await client.wait_for(lambda: f"ev:{created['event']['id']}:staff" in client.snapshots)
    return client


def imported(client: Client) -> dict[str, dict[str, Any]]:
    """The latest staff view of every imported item, by text: the staff snapshot, then the events."""
    items: dict[str, dict[str, Any]] = {}
    for state in client.snapshots.values():
        console = state.get("moderation", {})
        for item in [*console.get("recent", []), *console.get("queue", []), *console.get("blocked", [])]:
            if item.get("origin"):
                items[item["text"]] = item
    for event in client.named("mod.item"):
        item = event["data"]["item"]
        if item.get("origin"):
            items[item["text"]] = item
    return items


def health(client: Client, source_id: int) -> str | None:
    states = [e["data"]["source"]["health"] for e in client.named("platform.health")
              if e["data"]["source"]["id"] == source_id]
    return states[-1] if states else None


async def test_youtube_comments_pass_the_event_moderation_once_and_become_questions(stage: Stage) -> None:
    """Pass: comments reach the moderators marked with their source and the author's name; the
    event's own blocked term holds one back; a moderator turns one into a question that a
    participant upvotes and the public sees "via YouTube"; the token is in no answer; a
    restart imports nothing twice and resumes from the persisted page token."""
    async with running_server(stage.settings) as server:
        quick(server)
        created = await create_event(server.base, code="SONORA")
        async with organizer(server, created) as http:
            policy = await http.put("/api/events/SONORA/moderation",
                                    json={"rules": {"blocked_terms": ["boi de piranha"]}})
            assert policy.status_code == 200, policy.text
            chat = stage.youtube.broadcast("live-sonora")
            stage.youtube.say(chat.video_id, "Maria do CRAS", "Quando abre a inscrição do BPC?")
            stage.youtube.say(chat.video_id, "Anônimo", "esse secretário é um boi de piranha")
            mod = await moderator(server, "SONORA", created)
            connected = await http.post("/api/events/SONORA/platforms",
                                        json={"platform": "youtube", "target": chat.video_id, "token": KEY})
            assert connected.status_code == 201, connected.text
            source = connected.json()["source"]
            assert KEY not in connected.text
            await mod.wait_for(lambda: len(imported(mod)) == 2)
            items = imported(mod)
            question = items["Quando abre a inscrição do BPC?"]
            assert question["origin"] == "youtube" and question["author"]["name"] == "Maria do CRAS"
            assert question["status"] == "published"
            assert items["esse secretário é um boi de piranha"]["status"] == "rejected"
            await mod.wait_for(lambda: health(mod, source["id"]) == "ok")
            listing = await http.get("/api/events/SONORA/platforms")
            assert listing.json()["sources"][0]["imported"] == 2 and KEY not in listing.text

            participant = await Client(server.ws_url, "SONORA").connect()
            public = f"ev:{created['event']['id']}:public"
            await participant.wait_for(lambda: public in participant.snapshots)
            promoted = await mod.ok("mod.promote", item=question["id"])
            assert promoted["item"]["kind"] == "question"
            await participant.wait_for(lambda: any(
                e["data"]["question"]["id"] == question["id"] for e in participant.named("question.updated")))
            shown = next(e["data"]["question"] for e in participant.named("question.updated"))
            assert shown["origin"] == "youtube" and shown["author"]["name"] == "Maria do CRAS"
            upvoted = await participant.ok("question.upvote", question=question["id"], up=True)
            assert upvoted["upvotes"] == 1
            staff_state = json.dumps(mod.snapshots)
            assert KEY not in staff_state and '"platforms"' in staff_state
            await participant.close()
            await mod.close()
    calls_before = len(stage.youtube.calls("liveChat"))
    assert calls_before >= 1

    stage.youtube.say(chat.video_id, "João", "E o cofinanciamento estadual?")
    async with running_server(stage.settings) as again:
        quick(again)
        mod = await moderator(again, "SONORA", created)
        await mod.wait_for(lambda: "E o cofinanciamento estadual?" in imported(mod))
        first_after_restart = stage.youtube.calls("liveChat")[calls_before]
        assert first_after_restart.params.get("pageToken"), "resumed from the persisted page token"
        async with organizer(again, created) as http:
            listing = (await http.get("/api/events/SONORA/platforms")).json()
            stored = (await http.get("/api/events/SONORA/exports/messages")).json()["messages"]
        assert listing["sources"][0]["imported"] == 3, "nothing imported twice"
        texts = sorted(m["text"] for m in stored)
        assert texts == sorted(["Quando abre a inscrição do BPC?", "esse secretário é um boi de piranha",
                                "E o cofinanciamento estadual?"]), texts
        await mod.close()


async def test_facebook_failures_are_health_for_staff_and_polling_goes_on(stage: Stage, server: Running) -> None:
    """Pass: a rate limit (code 613) is shown to staff as rate_limited and polling resumes by itself;
    a revoked page token (190) stops polling as revoked until the organizer connects it again."""
    created = await create_event(server.base, code="FBLIVE")
    video = stage.facebook.live_video()
    stage.facebook.comment(video, "Ana Paula", "Cadê a ata da última plenária?")
    stage.facebook.fail(613, "Calls to this api have exceeded the rate limit.")
    mod = await moderator(server, "FBLIVE", created)
    async with organizer(server, created) as http:
        connected = await http.post("/api/events/FBLIVE/platforms",
                                    json={"platform": "facebook", "target": video, "token": TOKEN})
        source_id = connected.json()["source"]["id"]
        await mod.wait_for(lambda: health(mod, source_id) == "rate_limited")
        await mod.wait_for(lambda: "Cadê a ata da última plenária?" in imported(mod), timeout=10)
        assert imported(mod)["Cadê a ata da última plenária?"]["origin"] == "facebook"
        stage.facebook.tokens.clear()  # the page's token is revoked
        await mod.wait_for(lambda: health(mod, source_id) == "revoked", timeout=15)
        polls = len(stage.facebook.calls("comments"))
        stage.facebook.tokens.add(TOKEN)
        stage.facebook.comment(video, "Ana Paula", "Obrigada!")
        again = await http.post("/api/events/FBLIVE/platforms",
                                json={"platform": "facebook", "target": video, "token": TOKEN})
        assert again.json()["source"]["id"] == source_id
        await mod.wait_for(lambda: "Obrigada!" in imported(mod), timeout=10)
        assert len(stage.facebook.calls("comments")) > polls
        # A platform account is a participant of the event: banned here, its next comment is blocked.
        await mod.ok("mod.ban", participant=imported(mod)["Obrigada!"]["author"]["id"])
        stage.facebook.comment(video, "Ana Paula", "Mais uma coisa")
        await mod.wait_for(lambda: "Mais uma coisa" in imported(mod), timeout=10)
        blocked = imported(mod)["Mais uma coisa"]
        assert blocked["status"] == "rejected" and [r["rule"] for r in blocked["reasons"]] == ["banned"]
        refused = await http.post("/api/events/FBLIVE/platforms", json={"platform": "twitch", "target": video})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_platform"
    await mod.close()


async def test_retention_purges_imported_comments_like_any_chat(stage: Stage, server: Running) -> None:
    """Pass: `plenaria purge --days 0` deletes imported chat messages too (the import keys stay, so
    a later page never brings them back), and the source keeps importing what comes next."""
    created = await create_event(server.base, code="PURGA")
    chat = stage.youtube.broadcast("purga-ao-vivo")
    stage.youtube.say(chat.video_id, "Seu Antônio", "Mensagem da transmissão")
    async with organizer(server, created) as http:
        await http.post("/api/events/PURGA/platforms", json={"platform": "youtube", "target": chat.video_id,
                                                            "token": KEY})

        async def texts() -> set[str]:
            response = await http.get("/api/events/PURGA/exports/messages")
            return {m["text"] for m in response.json()["messages"]}

        mod = await moderator(server, "PURGA", created)
        await mod.wait_for(lambda: "Mensagem da transmissão" in imported(mod))
        database = server.settings.database_url
        with contextlib.redirect_stdout(io.StringIO()):
            code = await asyncio.to_thread(cli_main, ["purge", "--database", database, "--event", "PURGA",
                                                      "--days", "0"])
        assert code == 0
        assert await texts() == set()
        stage.youtube.say(chat.video_id, "Seu Antônio", "Depois da limpeza")
        await mod.wait_for(lambda: "Depois da limpeza" in imported(mod))
        assert await texts() == {"Depois da limpeza"}
        await mod.close()


async def test_a_token_named_in_the_environment_is_never_stored(stage: Stage) -> None:
    """Pass: without PLENARIA_TOKEN_KEY a token is refused rather than stored in clear; naming an
    environment variable works, and the database holds no token at all."""
    async with running_server(replace(stage.settings, token_key="")) as server:
        quick(server)
        server.services.importer.environ = {"PLENARIA_YT_SONORA": KEY}
        created = await create_event(server.base, code="AMBIENTE")
        chat = stage.youtube.broadcast("ambiente-ao-vivo")
        stage.youtube.say(chat.video_id, "Dona Lurdes", "Vai ter intérprete de Libras?")
        async with organizer(server, created) as http:
            refused = await http.post("/api/events/AMBIENTE/platforms",
                                      json={"platform": "youtube", "target": chat.video_id, "token": KEY})
            assert refused.status_code == 422 and refused.json()["error"]["code"] == "token_key_missing"
            empty = await http.post("/api/events/AMBIENTE/platforms", json={"platform": "youtube",
                                                                           "target": chat.video_id})
            assert empty.json()["error"]["code"] == "platform_token_required"
            connected = await http.post("/api/events/AMBIENTE/platforms", json={
                "platform": "youtube", "target": chat.video_id, "token_env": "PLENARIA_YT_SONORA"})
            source = connected.json()["source"]
            assert source["token_from_env"] is True
        mod = await moderator(server, "AMBIENTE", created)
        await mod.wait_for(lambda: "Vai ter intérprete de Libras?" in imported(mod))
        async with server.services.db.session() as db:
            assert await db.platforms.sealed_token(source["id"]) is None
        await mod.close()
