"""The hub under abuse: connection caps, shared rate limits, cross-site requests, private logs."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
from pathlib import Path

import httpx
import pytest
import websockets

from server.settings import Limits, Settings, limits_from_env, settings_from_env
from tests.client import Client
from tests.harness import ServerProcess, create_event, running_server


async def refused_with(url: str) -> tuple[int, str, dict[str, object]]:
    """Open a websocket the server refuses: its close code, close reason and `bye`."""
    async with websockets.connect(url) as ws:
        bye = json.loads(await ws.recv())
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None, "dropped without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason, bye


async def test_a_hall_behind_one_address_gets_in_and_a_flood_is_refused(tmp_path: Path) -> None:
    """Pass: 600 participants from one address (a town hall on one Wi-Fi) all get in, far above
    the old cap of 200; connections opened faster than the handshake rate are refused with 1013
    and the reason `handshake_rate` (and a `bye` saying when to retry), never silently."""
    hall = 600
    # The hall spends the burst; the flood then meets the rate (1 a second).
    limits = Limits(handshake_rate=1, handshake_burst=hall, hello_timeout_seconds=120)
    assert Limits().connections_per_address >= 2000, "the default admits a full hall behind one address"
    async with running_server(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=limits)) as server:
        await create_event(server.base, code="HALL1")
        sockets = []
        for _ in range(0, hall, 100):  # in waves, as people walk in; each says hello when its page is up
            sockets += await asyncio.gather(*(websockets.connect(server.ws_url, open_timeout=60) for _ in range(100)))
        assert server.services.admission.by_address["127.0.0.1"] == hall
        for n, ws in enumerate(sockets[::100]):
            await ws.send(json.dumps({"type": "hello", "event": "HALL1", "device": f"hall-device-{n:08d}"}))
            assert json.loads(await ws.recv())["type"] == "welcome"

        flood = await asyncio.gather(*(refused_or_admitted(server.ws_url) for _ in range(100)))
        refused = [f for f in flood if f is not None]
        assert len(refused) >= 80, f"only {len(refused)} of 100 refused"
        for code, reason, bye in refused:
            assert (code, reason, bye["code"]) == (1013, "handshake_rate", "handshake_rate")
            assert isinstance(bye["retry_after"], float) and bye["retry_after"] > 0
        assert server.services.admission.refused["handshake_rate"] == len(refused)
        for ws in sockets:
            await ws.close()


async def refused_or_admitted(url: str) -> tuple[int, str, dict[str, object]] | None:
    async with websockets.connect(url) as ws:
        with contextlib.suppress(websockets.ConnectionClosed):  # a refusal may close it before our hello
            await ws.send(json.dumps({"type": "hello", "event": "HALL1", "device": "flooding-device-0001"}))
        first = json.loads(await ws.recv())
        if first["type"] == "welcome":
            return None
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None, "dropped without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason, first


async def test_open_connections_per_address_are_capped(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=Limits(connections_per_address=3))
    async with running_server(settings) as server:
        await create_event(server.base, code="CAP1")
        held = [await Client(server.ws_url, "CAP1").connect() for _ in range(3)]
        code, reason, bye = await refused_with(server.ws_url)
        assert (code, reason, bye["code"]) == (1013, "too_many_connections", "too_many_connections")
        await held[0].close()
        await asyncio.sleep(0.1)
        again = await Client(server.ws_url, "CAP1").connect()
        for client in (*held[1:], again):
            await client.close()


def test_caps_are_set_by_flags_and_environment() -> None:
    from server.cli import _limit_options, _limits

    parser = argparse.ArgumentParser()
    _limit_options(parser)
    args = parser.parse_args(["--connections-per-address", "3000", "--handshake-rate", "5"])
    env = {"PLENARIA_HANDSHAKE_RATE": "7", "PLENARIA_HANDSHAKE_BURST": "70", "PLENARIA_MAX_CONNECTIONS": "9000"}
    with pytest.MonkeyPatch.context() as patch:
        for var, value in env.items():
            patch.setenv(var, value)
        limits = _limits(args)
        assert settings_from_env().limits.handshake_rate == 7.0
    assert (limits.connections_per_address, limits.handshake_rate, limits.handshake_burst, limits.max_connections) == (
        3000, 5.0, 70, 9000), "a flag wins over its variable, a variable over the default"
    with pytest.raises(ValueError, match="PLENARIA_HANDSHAKE_BURST"):
        limits_from_env({"PLENARIA_HANDSHAKE_BURST": "many"})


async def test_expected_refusals_log_one_line_never_a_traceback(tmp_path: Path) -> None:
    """Pass: invalid UTF-8 frames, broken HTTP requests and bad hellos, sent by the dozen, leave
    no traceback in the server log and at most a line or two each (one per 10 s per kind)."""
    log = tmp_path / "server.log"
    server = ServerProcess("--database", str(tmp_path / "p.db")).start(log)
    try:
        await create_event(server.base, code="LOGS2")
        for _ in range(12):
            async with websockets.connect(server.ws_url) as ws:
                await ws.send(b'{"type": "hello", "event": "\xff\xfe"}', text=True)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
            with socket.create_connection(("127.0.0.1", server.port)) as raw:
                raw.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
                raw.recv(100)
            async with websockets.connect(server.ws_url) as ws:
                await ws.send('{"type": "hello"}')
                await ws.recv()
    finally:
        server.stop()
    text = log.read_text()
    assert "Application startup complete" in text, "the log is being written"
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
    assert text.count("Invalid UTF-8") <= 2 and text.count("Invalid HTTP request") <= 2, text[-3000:]


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
