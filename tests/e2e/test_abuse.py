"""The hub under abuse: connection caps, shared rate limits, cross-site requests, private logs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import websockets

from server.settings import Limits, Settings
from tests.client import Client
from tests.harness import ServerProcess, create_event, running_server


async def test_connections_per_address_are_capped(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=Limits(connections_per_address=3))
    async with running_server(settings) as server:
        await create_event(server.base, code="CAP1")
        held = [await Client(server.ws_url, "CAP1").connect() for _ in range(3)]
        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(server.ws_url)
        await held[0].close()
        await asyncio.sleep(0.1)
        again = await Client(server.ws_url, "CAP1").connect()
        for client in (*held[1:], again):
            await client.close()


async def test_rate_limit_is_per_participant_not_per_tab(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=Limits(commands_per_second=0.5, command_burst=4)
    )
    async with running_server(settings) as server:
        await create_event(server.base, code="RATE1")
        tab1 = await Client(server.ws_url, "RATE1", device="same-device-0123456789").connect()
        tab2 = await Client(server.ws_url, "RATE1", device="same-device-0123456789").connect()
        other = await Client(server.ws_url, "RATE1").connect()
        answers = []
        for i in range(3):
            answers.append(await tab1.command("profile.update", name=f"a{i}"))
            answers.append(await tab2.command("profile.update", name=f"b{i}"))
        assert [a["type"] for a in answers].count("ack") == 4
        assert answers[-1]["code"] == "rate_limited"
        assert (await other.command("profile.update", name="livre"))["type"] == "ack"
        for client in (tab1, tab2, other):
            await client.close()


async def test_state_changing_http_needs_json(tmp_path: Path) -> None:
    """A cross-site HTML form can only send form or text/plain bodies: refused, nothing created."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}")
    async with running_server(settings) as server, httpx.AsyncClient(base_url=server.base) as http:
        forged = await http.post(
            "/api/events",
            content=json.dumps({"title": "Forjada", "code": "FORGE1"}),
            headers={"content-type": "text/plain"},
        )
        assert forged.status_code == 400 and forged.json()["error"]["code"] == "json_required"
        assert (await http.get("/api/events/FORGE1")).status_code == 404


async def test_logs_hold_no_addresses_or_message_text(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = ServerProcess("--database", str(tmp_path / "p.db")).start(log)
    try:
        created = await create_event(server.base, code="LOGS1")
        presenter = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        client = await Client(server.ws_url, "LOGS1", token=presenter).connect()
        await client.ok("screen.show", kind="message", text="Maria Silva, CPF 123.456.789-09")
        await client.close()
    finally:
        server.stop()
    text = log.read_text()
    assert "Application startup complete" in text, "the log is being written"
    for private in ("127.0.0.1:", "Maria", "123.456", presenter, "/ws"):
        assert private not in text.replace(f"http://127.0.0.1:{server.port}", ""), private
