"""Revoking a staff link, or rotating the organizer secret, takes effect at once: its open
connections are closed on every process (two servers on one Redis and one PostgreSQL) within
a second, with code 4403 after a `bye`, and its commands are refused even where the news has
not arrived."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from server.settings import Settings
from server.store.tables import EventRow, StaffTokenRow
from tests.client import Client
from tests.conftest import RedisServer
from tests.e2e.test_scale_out import conference, two_servers
from tests.harness import create_event, running_server

pytestmark = [pytest.mark.slow]


async def closed_within(client: Client, seconds: float) -> float:
    started = time.monotonic()
    await asyncio.wait_for(client.closed.wait(), seconds)
    return time.monotonic() - started


def said_bye(client: Client, code: str) -> bool:
    return any(m["type"] == "bye" and m["code"] == code for m in client.others)


async def test_revocation_and_rotation_close_connections_on_every_process(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    a, b = two_servers(redis_server.url, postgres_database, tmp_path)
    try:
        conf = await conference(a.base)
        code, secret = conf["code"], conf["organizer_secret"]
        auth = {"authorization": f"Bearer {secret}"}
        on_a = await Client(a.ws_url, code, token=conf["moderator"]).connect()
        on_b = await Client(b.ws_url, code, token=conf["moderator"]).connect()
        presenter = await Client(b.ws_url, code, token=conf["presenter"]).connect()
        organizer = await Client(b.ws_url, code, token=secret).connect()
        async with httpx.AsyncClient(base_url=a.base, headers=auth) as http:
            staff = (await http.get(f"/api/events/{code}/staff")).json()
            moderator_id = next(s["id"] for s in staff if s["role"] == "moderator")
            assert (await http.delete(f"/api/events/{code}/staff/{moderator_id}")).status_code == 200
        for client in (on_a, on_b):
            assert await closed_within(client, 1.0) < 1.0
            assert client.close_code == 4403 and said_bye(client, "revoked")
        assert not presenter.closed.is_set() and not organizer.closed.is_set()
        await presenter.ok("screen.show", kind="qr")
        with pytest.raises(RuntimeError, match="invalid_token"):
            await Client(b.ws_url, code, token=conf["moderator"]).connect()

        async with httpx.AsyncClient(base_url=a.base, headers=auth) as http:
            rotated = (await http.post(f"/api/events/{code}/secret")).json()
            assert await closed_within(organizer, 1.0) < 1.0
            assert organizer.close_code == 4403 and said_bye(organizer, "revoked")
            assert (await http.get(f"/api/events/{code}/staff")).status_code == 401, "the old secret still works"
            fresh = {"authorization": f"Bearer {rotated['organizer_secret']}"}
            assert (await http.get(f"/api/events/{code}/staff", headers=fresh)).status_code == 200
            assert rotated["links"]["organizer"].endswith(f"/o/{code}#k={rotated['organizer_secret']}")
        again = await Client(b.ws_url, code, token=rotated["organizer_secret"]).connect()
        assert again.welcome["role"] == "organizer"
        assert not presenter.closed.is_set()
        for client in (presenter, again):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_a_revoked_links_commands_are_refused_before_the_news_arrives(tmp_path: Path) -> None:
    """The revocation is written to the store without its event (as on a process that has not
    received it yet, or during a broker outage): the next staff command is refused with
    `revoked` and the connection closed with 4403; so for a rotated organizer secret."""
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}")) as server:
        created = await create_event(server.base, code="REVOKE1")
        moderator = await Client(server.ws_url, "REVOKE1", token=next(
            s["token"] for s in created["staff"] if s["role"] == "moderator")).connect()
        organizer = await Client(server.ws_url, "REVOKE1", token=created["organizer_secret"]).connect()
        await moderator.ok("mod.policy", slow_mode_seconds=5)
        await organizer.ok("mod.policy", slow_mode_seconds=6)
        async with server.services.db.session() as db:
            await db.exec(update(StaffTokenRow).where(StaffTokenRow.role == "moderator").values(revoked_at=1.0))
            await db.exec(update(EventRow).values(organizer_secret_hash="0" * 64))
        for client in (moderator, organizer):
            refused = await client.command("mod.policy", slow_mode_seconds=7)
            assert refused["type"] == "error" and refused["code"] == "revoked"
            await asyncio.wait_for(client.closed.wait(), 2)
            assert client.close_code == 4403
        assert (await server.services.moderation.policy(created["event"]["id"]))["policy"]["slow_mode_seconds"] == 6


async def test_a_link_revoked_while_it_joins_is_closed_before_any_staff_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moderator's hello is accepted; the organizer revokes the link while the public
    snapshot is being built, before the connection listens to the staff channel (so the
    `staff.revoked` event is gone by then). The staff snapshot is refused: no moderation state
    reaches the revoked link, and it is closed with 4403 after a `bye` `revoked`."""
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}")) as server:
        created = await create_event(server.base, code="REVOKE2")
        token = next(s["token"] for s in created["staff"] if s["role"] == "moderator")
        staff = await server.services.conference.list_staff(created["event"]["id"])
        moderator_id = next(s["id"] for s in staff if s["role"] == "moderator")
        public = server.services.hub.public
        assert public is not None
        build = public.frame

        async def revoked_meanwhile(*args: object, **kwargs: object) -> str:
            await server.services.conference.revoke_staff(created["event"]["id"], moderator_id)
            return await build(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(public, "frame", revoked_meanwhile)
        client = await Client(server.ws_url, "REVOKE2", token=token).connect()
        await asyncio.wait_for(client.closed.wait(), 2)
        assert client.close_code == 4403 and said_bye(client, "revoked")
        assert not any(ch.endswith(":staff") for ch in client.snapshots), "staff state reached a revoked link"
