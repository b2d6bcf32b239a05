"""The speakers' list over real websockets: asking for the floor, the chair's timing, totals, exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.settings import Limits, Settings
from tests.client import Client
from tests.harness import Running, add_sessions, create_event, running_server

CODE = "FALA17"


class Room:
    def __init__(self, server: Running, created: dict[str, Any], session: int, chair: Client,
                 moderator: Client) -> None:
        self.server = server
        self.created = created
        self.session = session
        self.chair = chair
        self.moderator = moderator
        self.public = f"ev:{created['event']['id']}:public"

    async def person(self, name: str, segment: str) -> Client:
        client = await Client(self.server.ws_url, CODE).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        await client.ok("profile.update", name=name, segment=segment)
        return client


@pytest.fixture
def settings(store_url: str) -> Settings:
    """Every test here runs on a SQLite file and on a real PostgreSQL."""
    return Settings(database_url=store_url)


@pytest.fixture
async def room(server: Running) -> AsyncIterator[Room]:
    created = await create_event(server.base, code=CODE, segments=["Usuários", "Trabalhadores", "Governo"])
    [session] = await add_sessions(server.base, CODE, created["organizer_secret"], ["Plenária final"])
    tokens = {s["role"]: s["token"] for s in created["staff"]}
    chair = await Client(server.ws_url, CODE, token=tokens["presenter"]).connect()
    moderator = await Client(server.ws_url, CODE, token=tokens["moderator"]).connect()
    yield Room(server, created, session["id"], chair, moderator)
    await chair.close()
    await moderator.close()


def latest(client: Client, public: str) -> dict[str, Any]:
    """The list as this client's screen shows it now: the last event, else the snapshot."""
    events = client.named("speakers.updated")
    if events:
        return dict(events[-1]["data"])
    return dict(client.snapshots[public]["speakers"][0])


async def test_floor_is_asked_ordered_timed_and_totalled(room: Room) -> None:
    ana = await room.person("Ana", "Usuários")
    bruno = await room.person("Bruno", "Trabalhadores")
    carla = await room.person("Carla", "Governo")
    s = room.session
    first = await ana.ok("speakers.request", session=s, stance="for")
    assert first["request"]["place"] == 1
    await bruno.ok("speakers.request", session=s, stance="against")
    # A question of order jumps the queue, once.
    order = await carla.ok("speakers.request", session=s, stance="order")
    assert order["request"]["place"] == 1
    again = await ana.command("speakers.request", session=s, stance="for")
    assert again["code"] == "already_requested"

    shown = await bruno.wait_for(lambda: len(latest(bruno, room.public)["queue"]) == 3 and latest(bruno, room.public))
    assert [r["name"] for r in shown["queue"]] == ["Carla", "Ana", "Bruno"]
    assert "participant" not in shown["queue"][0]  # internal ids never leave the server

    # Participants cannot chair; the chair cannot ask for the floor.
    assert (await ana.command("speakers.start", session=s))["code"] == "forbidden"
    assert (await room.chair.command("speakers.request", session=s, stance="for"))["code"] == "forbidden"
    assert (await room.moderator.command("speakers.start", session=s))["code"] == "forbidden"

    await room.chair.ok("speakers.default", session=s, seconds=120)
    started = await room.chair.ok("speakers.start", session=s, command_id="start-1")
    retried = await room.chair.command("speakers.start", session=s, command_id="start-1")
    assert retried["type"] == "ack" and retried["result"] == started  # exactly once
    current = started["speakers"]["current"]
    assert current["name"] == "Carla" and current["allowed"] == 120 and current["running_since"] is not None
    await room.chair.ok("speakers.pause", session=s)
    assert (await room.chair.command("speakers.pause", session=s))["code"] == "speech_paused"
    await room.chair.ok("speakers.resume", session=s)
    extended = await room.chair.ok("speakers.extend", session=s, seconds=60)
    assert extended["speakers"]["current"]["allowed"] == 180
    assert (await room.chair.command("speakers.start", session=s))["code"] == "speech_running"
    ended = await room.chair.ok("speakers.end", session=s)
    assert ended["speakers"]["current"] is None
    assert [p["name"] for p in ended["speakers"]["totals"]["people"]] == ["Carla"]
    assert set(ended["speakers"]["totals"]["segments"]) == {"Governo"}

    # Carla's question of order is spent: she may ask again, as an ordinary request at the end.
    assert (await carla.command("speakers.request", session=s, stance="order"))["code"] == "order_used"
    await carla.ok("speakers.request", session=s, stance="for")
    listed = (await room.chair.ok("speakers.open", session=s, open=False))["speakers"]
    assert listed["closed"] and [r["name"] for r in listed["queue"]] == ["Ana", "Bruno", "Carla"]
    late = await room.person("Davi", "Usuários")
    assert (await late.command("speakers.request", session=s, stance="for"))["code"] == "speakers_closed"

    ids = [r["id"] for r in listed["queue"]]
    reordered = await room.chair.ok("speakers.order", session=s, order=[ids[1], ids[0], ids[2]])
    assert [r["name"] for r in reordered["speakers"]["queue"]] == ["Bruno", "Ana", "Carla"]
    bad = await room.chair.command("speakers.order", session=s, order=[ids[0]])
    assert bad["code"] == "invalid_order"
    await ana.ok("speakers.withdraw", session=s)
    await room.chair.ok("speakers.start", session=s, seconds=30)
    await room.chair.ok("speakers.end", session=s)

    # A screen that connects now sees the same list, totals included.
    screen = await Client(room.server.ws_url, CODE).connect()
    await screen.wait_for(lambda: room.public in screen.snapshots)
    [snap] = screen.snapshots[room.public]["speakers"]
    assert [r["name"] for r in snap["queue"]] == ["Carla"]
    assert [sp["name"] for sp in snap["spoken"]] == ["Carla", "Bruno"]
    assert set(snap["totals"]["segments"]) == {"Governo", "Trabalhadores"}

    # Exported: one CSV row per speech, and the audit log of every change (the retry logged once).
    auth = {"authorization": f"Bearer {room.created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=room.server.base, headers=auth) as http:
        csv_text = (await http.get(f"/api/events/{CODE}/exports/speakers?format=csv")).text
        log = (await http.get(f"/api/events/{CODE}/exports/procedure?format=json")).json()["log"]
    lines = csv_text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("session,request,participant,name,segment,stance")
    assert [line.split(",")[3] for line in lines[1:]] == ["Carla", "Bruno"]
    assert [e["action"] for e in log].count("speakers.start") == 2
    assert {e["action"] for e in log} >= {"speakers.request", "speakers.pause", "speakers.extend", "speakers.open",
                                          "speakers.order", "speakers.withdraw", "speakers.end"}
    for client in (ana, bruno, carla, late, screen):
        await client.close()


async def test_bad_input_changes_nothing(room: Room) -> None:
    ana = await room.person("Ana", "Usuários")
    s = room.session
    assert (await ana.command("speakers.request", session=s, stance="maybe"))["code"] == "invalid_message"
    assert (await ana.command("speakers.request", session=999, stance="for"))["code"] == "session_not_found"
    assert (await room.chair.command("speakers.extend", session=s, seconds=5))["code"] == "invalid_message"
    assert (await room.chair.command("speakers.start", session=s))["code"] == "queue_empty"
    assert (await room.chair.command("speakers.end", session=s))["code"] == "no_speech"
    assert (await room.chair.command("destaque.window", poll=9999, open=True))["code"] == "poll_not_found"
    assert (await room.chair.command("plenary.decide", poll=9999))["code"] == "poll_not_found"
    auth = {"authorization": f"Bearer {room.created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=room.server.base, headers=auth) as http:
        listed = (await http.get(f"/api/events/{CODE}/exports/speakers?format=json")).json()
        log = (await http.get(f"/api/events/{CODE}/exports/procedure?format=json")).json()
    assert listed["speakers"] == [] and log["log"] == []
    await ana.close()


async def test_a_crowd_asking_at_once_is_queued_whole_on_each_store(store_url: str) -> None:
    """Thirty requests at the same moment all land: on PostgreSQL writers of one list wait for
    each other (the row is read for update), on SQLite the write gate orders them."""
    settings = Settings(database_url=store_url, limits=Limits(connections_per_address=100))
    async with running_server(settings) as server:
        created = await create_event(server.base, code=CODE, segments=["Usuários"])
        [session] = await add_sessions(server.base, CODE, created["organizer_secret"], ["Plenária final"])
        crowd = [await Client(server.ws_url, CODE).connect() for _ in range(30)]
        answers = await asyncio.gather(*(c.command("speakers.request", session=session["id"], stance="for")
                                         for c in crowd))
        assert [a["type"] for a in answers] == ["ack"] * 30, [a for a in answers if a["type"] != "ack"][:1]
        screen = await Client(server.ws_url, CODE).connect()
        public = f"ev:{created['event']['id']}:public"
        await screen.wait_for(lambda: public in screen.snapshots)
        [listed] = screen.snapshots[public]["speakers"]
        assert len(listed["queue"]) == 30 and len({r["id"] for r in listed["queue"]}) == 30
        for client in (*crowd, screen):
            await client.close()
