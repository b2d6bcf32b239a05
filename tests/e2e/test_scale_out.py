"""Several server processes on one Redis and one PostgreSQL, and what happens when parts fail."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.settings import Settings
from tests.client import Client
from tests.conftest import RedisServer
from tests.faults import CuttableProxy
from tests.harness import ServerProcess, add_sessions, create_event, running_server

pytestmark = [pytest.mark.slow]


async def conference(base: str, sessions: int = 4) -> dict[str, Any]:
    code = f"S{secrets.token_hex(3).upper()}"
    created = await create_event(base, code=code)
    created["code"] = code
    created["sessions"] = await add_sessions(base, code, created["organizer_secret"],
                                             [f"Mesa {i}" for i in range(1, sessions + 1)])
    created["presenter"] = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    created["moderator"] = next(s["token"] for s in created["staff"] if s["role"] == "moderator")
    return created


def sees_live(client: Client, public: str, session_id: int) -> bool:
    """Whether the client's state (snapshot, then the events after it) has `session_id` live."""
    live = client.snapshots.get(public, {}).get("live_session")
    for event in client.events[client.snapshot_index.get(public, 0):]:
        if event["name"] == "session.updated" and event["ch"] == public:
            if event["data"]["status"] == "live":
                live = event["data"]["id"]
            elif live == event["data"]["id"]:
                live = None
    return live == session_id


def two_servers(redis_url: str, database: str, tmp_path: Path) -> tuple[ServerProcess, ServerProcess]:
    options = ("--redis", redis_url, "--database", database)
    a = ServerProcess(*options).start(tmp_path / "a.log")
    b = ServerProcess(*options).start(tmp_path / "b.log")
    return a, b


async def test_a_participant_on_one_process_sees_changes_made_on_another(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: events made through process A reach clients of A and B with the same sequence numbers,
    in order; presence counts participants of both processes."""
    a, b = two_servers(redis_server.url, postgres_database, tmp_path)
    try:
        conf = await conference(a.base)
        public = f"ev:{conf['event']['id']}:public"
        on_a = await Client(a.ws_url, conf["code"]).connect()
        on_b = await Client(b.ws_url, conf["code"]).connect()
        moderator = await Client(b.ws_url, conf["code"], token=conf["moderator"]).connect()
        presenter = await Client(a.ws_url, conf["code"], token=conf["presenter"]).connect()
        for session in conf["sessions"]:
            await presenter.ok("session.start", session=session["id"])
        await presenter.ok("screen.show", kind="qr")
        for client in (on_a, on_b):
            await client.wait_for(lambda c=client: c.named("screen.updated"))
            assert client.relative_seqs(public) == list(range(1, 9))
        assert [e["seq"] for e in on_a.events] == [e["seq"] for e in on_b.events]
        await moderator.wait_for(
            lambda: any(e["data"]["online"] == 2 for e in moderator.named("presence.updated")), timeout=10
        )
        for client in (on_a, on_b, moderator, presenter):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_killed_process_clients_resume_on_the_other_with_no_gap(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: a client of a process that is killed reconnects to the other one with its resume
    point and receives exactly the events it missed (no gap, no duplicate, no snapshot)."""
    a, b = two_servers(redis_server.url, postgres_database, tmp_path)
    try:
        conf = await conference(a.base, sessions=6)
        public = f"ev:{conf['event']['id']}:public"
        presenter = await Client(a.ws_url, conf["code"], token=conf["presenter"]).connect()
        wanderer = await Client(b.ws_url, conf["code"]).connect()
        await presenter.ok("session.start", session=conf["sessions"][0]["id"])
        await wanderer.wait_for(lambda: wanderer.relative_seqs(public) == [1])
        b.kill()
        await asyncio.wait_for(wanderer.closed.wait(), 10)
        for session in conf["sessions"][1:4]:
            await presenter.ok("session.start", session=session["id"])
        wanderer.url = a.ws_url
        await wanderer.connect(resume=True)
        await presenter.ok("session.start", session=conf["sessions"][4]["id"])
        await wanderer.wait_for(lambda: len(wanderer.seqs(public)) == 9)
        assert wanderer.relative_seqs(public) == list(range(1, 10))
        assert len(wanderer.snapshots) == 1
        await wanderer.close()
        await presenter.close()
    finally:
        a.stop()
        b.stop()


async def test_redis_outage_keeps_local_service_and_recovers(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: with Redis stopped, each process keeps serving its own connections (a change made on A
    reaches A's participants), staff are told the broker is degraded; when Redis is back, every
    client converges on the store's state through a snapshot, staff see health ok, and changes flow
    between processes again."""
    a, b = two_servers(redis_server.url, postgres_database, tmp_path)
    try:
        conf = await conference(a.base)
        public = f"ev:{conf['event']['id']}:public"
        presenter = await Client(a.ws_url, conf["code"], token=conf["presenter"]).connect()
        moderator = await Client(a.ws_url, conf["code"], token=conf["moderator"]).connect()
        on_a = await Client(a.ws_url, conf["code"]).connect()
        on_b = await Client(b.ws_url, conf["code"]).connect()
        first, second, third = (s["id"] for s in conf["sessions"][:3])

        redis_server.stop()
        await presenter.ok("session.start", session=first)  # durable in PostgreSQL, fanned out locally
        # A's clients see the new local epoch and resynchronise: a snapshot with the change.
        await on_a.wait_for(lambda: sees_live(on_a, public, first))
        await moderator.wait_for(lambda: {"type": "health", "broker": "degraded"} in moderator.others)
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{a.base}/api/health")).json()["broker"] == "degraded"
        assert not on_b.named("session.updated")

        redis_server.start()
        await moderator.wait_for(lambda: {"type": "health", "broker": "ok"} in moderator.others, timeout=15)
        await on_b.wait_for(lambda: sees_live(on_b, public, first), timeout=15)
        await presenter.ok("session.start", session=second)
        await presenter.ok("session.start", session=third)
        for client in (on_a, on_b):
            await client.wait_for(lambda c=client: sees_live(c, public, third), timeout=10)
        late = await Client(b.ws_url, conf["code"]).connect()
        state = await late.wait_for(lambda: late.snapshots.get(public))
        assert state["live_session"] == third
        for client in (presenter, moderator, on_a, on_b, late):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_database_refusing_connections_refuses_commands_never_acks_them(
    postgres_database: str, tmp_path: Path
) -> None:
    """Pass: while PostgreSQL is unreachable a command gets an error with code store_unavailable
    and no event is published; once it is reachable again the same command id succeeds once."""
    proxy = await CuttableProxy("127.0.0.1", 5432).start()
    database = postgres_database.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    try:
        async with running_server(Settings(database_url=database)) as server:
            conf = await conference(server.base)
            public = f"ev:{conf['event']['id']}:public"
            presenter = await Client(server.ws_url, conf["code"], token=conf["presenter"]).connect()
            watcher = await Client(server.ws_url, conf["code"]).connect()
            staff = f"ev:{conf['event']['id']}:staff"
            await presenter.wait_for(lambda: staff in presenter.snapshots)
            await watcher.wait_for(lambda: public in watcher.snapshots)
            proxy.cut()
            refused = await presenter.command("session.start", command_id="during-outage",
                                              session=conf["sessions"][0]["id"])
            assert refused["type"] == "error" and refused["code"] == "store_unavailable"
            await asyncio.sleep(0.3)
            assert not watcher.named("session.updated")
            proxy.restore()
            presenter.answers.clear()
            retried = await presenter.command("session.start", command_id="during-outage",
                                              session=conf["sessions"][0]["id"])
            assert retried["type"] == "ack"
            await watcher.wait_for(lambda: watcher.named("session.updated"))
            assert watcher.relative_seqs(public) == [1]
            await presenter.close()
            await watcher.close()
    finally:
        await proxy.close()
