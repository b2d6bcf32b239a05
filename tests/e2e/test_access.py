"""Access control: roles on every command, origins, framing, and secrets kept off public pages."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import websockets

from server import wire
from server.settings import Limits, Settings
from server.web.commands import COMMANDS as DECLARED
from tests.client import Client
from tests.harness import create_event, running_server

COMMANDS = sorted(set(wire.INBOUND) - {"hello", "ping"})


def test_every_command_has_a_permission_entry() -> None:
    missing = [name for name in COMMANDS if not DECLARED[name].roles]
    assert not missing, f"commands with no role entry (forbidden to all): {missing}"


@pytest.fixture
async def event(tmp_path: Path) -> object:
    limits = Limits(commands_per_second=1000, command_burst=1000)
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=limits)) as server:
        created = await create_event(server.base, code="ACL1")
        yield server, created


async def test_roles_are_enforced_for_every_command(event: object) -> None:
    """A participant sending any staff command, whatever its payload, gets `forbidden`; so does
    a moderator sending a presenter command and a presenter sending a moderator command."""
    server, created = event  # type: ignore[misc]
    tokens = {s["role"]: s["token"] for s in created["staff"]}
    clients = {
        "participant": await Client(server.ws_url, "ACL1").connect(),
        "moderator": await Client(server.ws_url, "ACL1", token=tokens["moderator"]).connect(),
        "presenter": await Client(server.ws_url, "ACL1", token=tokens["presenter"]).connect(),
    }
    checked = 0
    for name in COMMANDS:
        for role, client in clients.items():
            if role in DECLARED[name].roles:
                continue
            answer = await client.command(name)
            assert answer["code"] == "forbidden", (role, name, answer)
            checked += 1
    assert checked >= len(COMMANDS)
    for client in clients.values():
        await client.close()


async def test_foreign_origins_are_refused_unless_the_organizer_lists_them(event: object) -> None:
    server, created = event  # type: ignore[misc]
    hello = json.dumps({"type": "hello", "event": "ACL1", "device": "o" * 20})
    async with websockets.connect(server.ws_url, origin="https://evil.example") as ws:  # type: ignore[arg-type]
        await ws.send(hello)
        assert json.loads(await ws.recv())["code"] == "origin_not_allowed"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1008
    own = f"http://127.0.0.1:{server.settings.port}"
    async with websockets.connect(server.ws_url, origin=own) as ws:  # type: ignore[arg-type]
        await ws.send(hello)
        assert json.loads(await ws.recv())["type"] == "welcome"
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.patch(
            "/api/events/ACL1", json={"embed_origins": ["https://prefeitura.example"]},
            headers={"authorization": f"Bearer {created['organizer_secret']}"},
        )
        assert response.status_code == 200
    async with websockets.connect(server.ws_url, origin="https://prefeitura.example") as ws:  # type: ignore[arg-type]
        await ws.send(hello)
        assert json.loads(await ws.recv())["type"] == "welcome"


async def test_framing_follows_the_event_embed_origins(event: object) -> None:
    server, created = event  # type: ignore[misc]
    async with httpx.AsyncClient(base_url=server.base) as http:
        for path in ("/e/ACL1", "/overlay/ACL1", "/m/ACL1", "/p/ACL1", "/o/ACL1", "/"):
            csp = (await http.get(path)).headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        await http.patch(
            "/api/events/ACL1", json={"embed_origins": ["https://prefeitura.example"]},
            headers={"authorization": f"Bearer {created['organizer_secret']}"},
        )
        for path in ("/e/ACL1", "/overlay/ACL1", "/screen/ACL1"):
            response = await http.get(path)
            assert "frame-ancestors 'self' https://prefeitura.example" in response.headers["content-security-policy"]
            assert "x-frame-options" not in response.headers
        moderator = await http.get("/m/ACL1")
        assert "frame-ancestors 'none'" in moderator.headers["content-security-policy"]
        assert moderator.headers["x-frame-options"] == "DENY"


async def test_staff_secrets_never_reach_participants(event: object) -> None:
    server, created = event  # type: ignore[misc]
    secrets = [created["organizer_secret"], *(s["token"] for s in created["staff"])]
    participant = await Client(server.ws_url, "ACL1").connect()
    await participant.wait_for(lambda: participant.snapshots)
    seen = json.dumps([participant.welcome, participant.snapshots, participant.events])
    async with httpx.AsyncClient(base_url=server.base) as http:
        seen += (await http.get("/e/ACL1")).text + (await http.get("/api/events/ACL1")).text
        seen += (await http.get("/api/events/ACL1/sessions")).text
    for secret in secrets:
        assert secret not in seen
    await participant.close()


async def test_pages_and_modules_are_compressed(event: object) -> None:
    server, _ = event  # type: ignore[misc]
    async with httpx.AsyncClient(base_url=server.base) as http:
        for path in ("/e/ACL1", "/static/js/hub.js"):
            response = await http.get(path, headers={"accept-encoding": "gzip"})
            assert response.status_code == 200 and response.headers["content-encoding"] == "gzip", path
            assert "content-security-policy" in response.headers
