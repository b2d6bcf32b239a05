"""The live hub over a real server, real port and real websocket clients."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
import websockets

from server.settings import Limits, Settings
from tests.client import Client
from tests.harness import Running, add_sessions, create_event, running_server


async def conference(server: Running, sessions: int = 3) -> dict[str, Any]:
    created = await create_event(server.base, code="TESTE1", stream_url="https://youtu.be/dQw4w9WgXcQ")
    created["sessions"] = await add_sessions(
        server.base, "TESTE1", created["organizer_secret"], [f"Mesa {i}" for i in range(1, sessions + 1)]
    )
    created["presenter"] = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    created["moderator"] = next(s["token"] for s in created["staff"] if s["role"] == "moderator")
    return created


async def test_join_gets_welcome_and_snapshot(server: Running) -> None:
    conf = await conference(server)
    alice = await Client(server.ws_url, "teste1").connect()
    assert alice.welcome["role"] == "participant"
    assert alice.welcome["participant"]["id"]
    state = await alice.wait_for(lambda: alice.snapshots.get(f"ev:{conf['event']['id']}:public"))
    assert state["event"]["title"] == "Conferência de teste"
    assert state["event"]["stream"] == {
        "provider": "youtube",
        "kind": "iframe",
        "src": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    }
    assert [s["title"] for s in state["agenda"]] == ["Mesa 1", "Mesa 2", "Mesa 3"]
    assert state["live_session"] is None
    await alice.close()


async def test_a_joined_connection_keeps_nothing_of_its_handshake(server: Running) -> None:
    """Ten thousand held connections: the upgrade request, its response and the raw headers
    are dropped once the hello is accepted, and the connection works as before."""
    conf = await conference(server)
    alice = await Client(server.ws_url, "teste1").connect()
    public = f"ev:{conf['event']['id']}:public"
    await alice.wait_for(lambda: public in alice.snapshots)
    (held,) = server.services.hub._subs[public]
    scope = held.socket.scope
    protocol = scope["plenaria.protocol"]
    assert type(protocol).__name__ == "WebSocketsSansIOProtocol"
    assert scope["headers"] == [] and protocol.request is None and protocol.response is None
    await alice.send_raw(json.dumps({"type": "ping", "t": 1.5}))
    assert (await alice.wait_for(lambda: next((m for m in alice.others if m["type"] == "pong"), None)))["t"] == 1.5
    await alice.close()


async def test_same_device_is_the_same_participant(server: Running) -> None:
    await conference(server)
    first = await Client(server.ws_url, "TESTE1", device="device-0123456789abcdef").connect()
    again = await Client(server.ws_url, "TESTE1", device="device-0123456789abcdef").connect()
    other = await Client(server.ws_url, "TESTE1").connect()
    assert first.welcome["participant"]["id"] == again.welcome["participant"]["id"]
    assert other.welcome["participant"]["id"] != first.welcome["participant"]["id"]
    await first.ok("profile.update", name="Maria", segment="Usuários")
    third = await Client(server.ws_url, "TESTE1", device="device-0123456789abcdef").connect()
    assert third.welcome["participant"] == {"id": first.welcome["participant"]["id"], "name": "Maria",
                                            "segment": "Usuários"}
    refused = await first.command("profile.update", name="Maria", segment="Marcianos")
    assert refused["code"] == "invalid_segment"
    for client in (first, again, other, third):
        await client.close()


async def test_live_session_change_seen_by_two_participants(server: Running) -> None:
    conf = await conference(server)
    public = f"ev:{conf['event']['id']}:public"
    alice = await Client(server.ws_url, "TESTE1").connect()
    bob = await Client(server.ws_url, "TESTE1").connect()
    presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
    assert presenter.welcome["role"] == "presenter"
    first, second = conf["sessions"][0]["id"], conf["sessions"][1]["id"]

    await presenter.ok("session.start", session=first)
    await presenter.ok("session.start", session=second)
    await presenter.ok("screen.show", kind="qr")

    for client in (alice, bob):
        await client.wait_for(lambda c=client: len(c.named("screen.updated")) == 1)
        updates = [(e["data"]["id"], e["data"]["status"]) for e in client.named("session.updated")]
        assert updates == [(first, "live"), (first, "ended"), (second, "live")]
        assert client.relative_seqs(public) == list(range(1, 5))
        assert client.named("screen.updated")[0]["data"]["kind"] == "qr"
    assert server.services.hub.stats["prebuilt_frames"] >= 8, "fan-out wrote pre-built frames"

    late = await Client(server.ws_url, "TESTE1").connect()
    state = await late.wait_for(lambda: late.snapshots.get(public))
    assert state["live_session"] == second
    assert state["screen"]["kind"] == "qr"
    assert late.positions[public][1] == alice.positions[public][1]
    for client in (alice, bob, presenter, late):
        await client.close()


async def test_reconnect_resumes_with_no_gap_and_no_duplicate(server: Running) -> None:
    conf = await conference(server, sessions=6)
    public = f"ev:{conf['event']['id']}:public"
    presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
    alice = await Client(server.ws_url, "TESTE1").connect()
    ids = [s["id"] for s in conf["sessions"]]

    await presenter.ok("session.start", session=ids[0])
    await alice.wait_for(lambda: alice.relative_seqs(public) == [1])
    await alice.close()
    for session in ids[1:4]:
        await presenter.ok("session.start", session=session)  # two events each while alice is away

    await alice.connect(resume=True)
    await presenter.ok("session.start", session=ids[4])
    await alice.wait_for(lambda: len(alice.seqs(public)) == 9)
    assert alice.relative_seqs(public) == list(range(1, 10))
    assert len(alice.snapshots) == 1, "a resume within history must not need a snapshot"
    await alice.close()
    await presenter.close()


async def test_resume_from_a_forgotten_position_gets_a_snapshot(tmp_path: Any) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=Limits(history_per_channel=2))
    async with running_server(settings) as server:
        conf = await conference(server, sessions=5)
        public = f"ev:{conf['event']['id']}:public"
        presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
        alice = await Client(server.ws_url, "TESTE1").connect()
        await alice.wait_for(lambda: public in alice.snapshots)
        await alice.close()
        for session in conf["sessions"]:
            await presenter.ok("session.start", session=session["id"])
        alice.snapshots.clear()
        await alice.connect(resume=True)
        state = await alice.wait_for(lambda: alice.snapshots.get(public))
        assert state["live_session"] == conf["sessions"][-1]["id"]
        assert alice.positions[public][1] == 5 + 9
        await alice.close()
        await presenter.close()


async def test_retrying_a_command_id_has_no_second_effect(server: Running) -> None:
    conf = await conference(server)
    public = f"ev:{conf['event']['id']}:public"
    presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
    watcher = await Client(server.ws_url, "TESTE1").connect()
    first = await presenter.command("session.start", command_id="same-id", session=conf["sessions"][0]["id"])
    presenter.answers.clear()
    retry = await presenter.command("session.start", command_id="same-id", session=conf["sessions"][1]["id"])
    assert first["type"] == retry["type"] == "ack"
    assert retry["result"] == first["result"]
    await presenter.ok("screen.show", kind="message", text="Intervalo")
    await watcher.wait_for(lambda: watcher.named("screen.updated"))
    assert [e["data"]["id"] for e in watcher.named("session.updated")] == [conf["sessions"][0]["id"]]
    assert watcher.relative_seqs(public) == [1, 2]
    await presenter.close()
    await watcher.close()


async def test_invalid_messages_get_errors_and_change_nothing(server: Running) -> None:
    conf = await conference(server)
    presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
    alice = await Client(server.ws_url, "TESTE1").connect()

    async def error_for(raw: str) -> dict[str, Any]:
        """The answer to a frame that has no usable command id."""
        before = len(presenter.others)
        await presenter.send_raw(raw)
        await presenter.wait_for(lambda: len(presenter.others) > before)
        return presenter.others[-1]

    assert (await error_for("not json"))["code"] == "invalid_json"
    assert (await error_for("[1, 2]"))["code"] == "invalid_message"
    assert (await error_for('{"type": "vote.steal"}'))["code"] == "unknown_type"
    assert (await presenter.command("vote.steal"))["code"] == "unknown_type"
    bad = await presenter.command("session.start", session="first")
    assert bad["code"] == "invalid_message" and bad["details"]["field"] == "session"
    extra = await presenter.command("session.start", session=1, sneaky=True)
    assert extra["code"] == "invalid_message" and extra["details"]["field"] == "sneaky"
    missing = await presenter.command("session.start", session=999)
    assert missing["code"] == "session_not_found"
    bad_screen = await presenter.command("screen.show", kind="poll")
    assert bad_screen["code"] == "invalid_screen"
    forbidden = await alice.command("session.start", session=conf["sessions"][0]["id"])
    assert forbidden["code"] == "forbidden"
    no_id = await error_for('{"type": "session.start", "session": 1}')
    assert no_id["code"] == "invalid_message" and no_id["details"]["field"] == "id"

    await presenter.ok("screen.show", kind="qr")
    await alice.wait_for(lambda: alice.named("screen.updated"))
    assert [e["name"] for e in alice.events] == ["screen.updated"], "refused commands published nothing"
    await presenter.close()
    await alice.close()


async def test_hello_is_required_and_checked(server: Running) -> None:
    await conference(server)
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        reply = json.loads(await ws.recv())
        assert reply["code"] == "hello_required"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1008
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "event": "NOPE99", "device": "d" * 20}))
        assert json.loads(await ws.recv())["code"] == "event_not_found"
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "event": "TESTE1", "device": "d" * 20, "token": "forged"}))
        assert json.loads(await ws.recv())["code"] == "invalid_token"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4401


async def test_oversize_messages_are_refused(server: Running) -> None:
    await conference(server)
    alice = await Client(server.ws_url, "TESTE1").connect()
    big = json.dumps({"type": "profile.update", "id": "big", "name": "x" * 20_000})
    await alice.send_raw(big)
    answer = await alice.wait_for(lambda: alice.answers.get("big"))
    assert answer["code"] == "too_large"
    assert not alice.closed.is_set()
    await alice.ok("profile.update", name="still here")
    await alice.send_raw("x" * 100_000)  # past the 64 KiB frame cap: the server closes with 1009
    await asyncio.wait_for(alice.closed.wait(), 5)
    assert alice.close_code == 1009


async def test_ping_answers_with_server_time(server: Running) -> None:
    await conference(server)
    alice = await Client(server.ws_url, "TESTE1").connect()
    await alice.send_raw(json.dumps({"type": "ping", "t": 123.5}))
    pong = await alice.wait_for(lambda: next((m for m in alice.others if m["type"] == "pong"), None))
    assert pong["t"] == 123.5 and abs(pong["server_time"] - time.time()) < 5
    await alice.close()


async def test_commands_are_rate_limited(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}", limits=Limits(commands_per_second=1.0, command_burst=3)
    )
    async with running_server(settings) as server:
        await conference(server)
        alice = await Client(server.ws_url, "TESTE1").connect()
        answers = [await alice.command("profile.update", name=f"n{i}") for i in range(5)]
        assert [a["type"] for a in answers[:3]] == ["ack"] * 3
        assert answers[3]["code"] == "rate_limited" and answers[3]["details"]["retry_after"] > 0
        await alice.close()


async def test_presence_is_visible_to_staff(server: Running) -> None:
    conf = await conference(server)
    staff = f"ev:{conf['event']['id']}:staff"
    moderator = await Client(server.ws_url, "TESTE1", token=conf["moderator"]).connect()
    assert "presence" in (await moderator.wait_for(lambda: moderator.snapshots.get(staff)))
    people = [await Client(server.ws_url, "TESTE1").connect() for _ in range(3)]
    twin = await Client(server.ws_url, "TESTE1", device=people[0].device).connect()
    await moderator.wait_for(
        lambda: any(e["data"]["online"] == 3 for e in moderator.named("presence.updated")), timeout=8
    )
    participant_view = people[1]
    assert not any(ch.endswith(":staff") for ch in participant_view.snapshots)
    for person in (*people, twin):
        await person.close()
    await moderator.wait_for(lambda: moderator.named("presence.updated")[-1]["data"]["online"] == 0, timeout=8)
    await moderator.close()


async def test_slow_consumer_does_not_delay_others(tmp_path: Any) -> None:
    """A client that stops reading is cut off from live events and then disconnected with a reason,
    while a normal client keeps receiving every event promptly."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        limits=Limits(send_buffer_limit=16 * 1024, stale_grace_seconds=2.0, commands_per_second=1000,
                      command_burst=1000),
    )
    async with running_server(settings) as server:
        conf = await conference(server)
        public = f"ev:{conf['event']['id']}:public"
        presenter = await Client(server.ws_url, "TESTE1", token=conf["presenter"]).connect()
        fast = await Client(server.ws_url, "TESTE1").connect()
        slow = await _stalled_socket(server.settings.port)

        text = "Aviso " + "x" * 250
        started = time.monotonic()
        for i in range(600):
            await presenter.ok("screen.show", kind="message", text=f"{text}{i}"[:280])
        await fast.wait_for(lambda: len(fast.seqs(public)) == 600, timeout=30)
        elapsed = time.monotonic() - started
        assert fast.relative_seqs(public) == list(range(1, 601))
        hub = server.services.hub
        assert hub.stats["slow"] >= 1, "the stalled reader was detected"
        assert elapsed < 20
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and hub.stats["dropped_slow"] == 0:
            await asyncio.sleep(0.2)
        assert hub.stats["dropped_slow"] == 1
        slow.close()
        await fast.close()
        await presenter.close()


async def _stalled_socket(port: int) -> socket.socket:
    """A websocket client that completes the handshake and hello, then never reads again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await asyncio.sleep(0.2)
    payload = json.dumps({"type": "hello", "event": "TESTE1", "device": "s" * 20}).encode()
    mask = b"\x00\x00\x00\x00"
    header = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") if len(payload) > 125 else bytes(
        [0x81, 0x80 | len(payload)]
    )
    sock.sendall(header + mask + payload)
    await asyncio.sleep(0.3)
    return sock


async def test_organizer_api_requires_the_secret(server: Running) -> None:
    conf = await conference(server)
    async with httpx.AsyncClient(base_url=server.base) as http:
        anonymous = await http.post("/api/events/TESTE1/sessions", json={"title": "Intrusa"})
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
        wrong = await http.patch("/api/events/TESTE1", json={"title": "x"}, headers={"authorization": "Bearer no"})
        assert wrong.status_code == 401
        auth = {"authorization": f"Bearer {conf['organizer_secret']}"}
        bad = await http.post("/api/events/TESTE1/sessions", json={"title": ""}, headers=auth)
        assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "title"
        taken = await http.post("/api/events", json={"title": "Outra", "code": "TESTE1"})
        assert taken.status_code == 422 and taken.json()["error"]["code"] == "code_taken"
        staff = await http.post("/api/events/TESTE1/staff", json={"role": "moderator", "label": "Ana"}, headers=auth)
        assert staff.status_code == 201 and "#k=" in staff.json()["links"]["moderator"]
        token = staff.json()["token"]
        ana = await Client(server.ws_url, "TESTE1", token=token).connect()
        assert ana.welcome["role"] == "moderator"
        await ana.close()
        revoked = await http.delete(f"/api/events/TESTE1/staff/{staff.json()['id']}", headers=auth)
        assert revoked.json()["revoked"] is True
        with pytest.raises(RuntimeError, match="invalid_token"):
            await Client(server.ws_url, "TESTE1", token=token).connect()
        assert conf["links"]["participant"].endswith("/e/TESTE1")
        page = await http.get("/e/TESTE1")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]


async def test_event_update_reaches_participants(server: Running) -> None:
    conf = await conference(server)
    alice = await Client(server.ws_url, "TESTE1").connect()
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.patch(
            "/api/events/TESTE1",
            json={"stream_url": "https://vimeo.com/123456"},
            headers={"authorization": f"Bearer {conf['organizer_secret']}"},
        )
        assert response.status_code == 200
    update = await alice.wait_for(lambda: alice.named("event.updated"))
    assert update[0]["data"]["stream"]["src"] == "https://player.vimeo.com/video/123456"
    await alice.close()


def test_settings_reject_unknown_database() -> None:
    with pytest.raises(ValueError):
        _ = replace(Settings(), database_url="mysql://x").async_database_url


async def test_silent_connections_are_closed_with_a_reason(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        limits=Limits(idle_timeout_seconds=1.0, hello_timeout_seconds=1.0),
    )
    async with running_server(settings) as server:
        await conference(server)
        async with websockets.connect(server.ws_url) as mute:  # never says hello
            reply = json.loads(await asyncio.wait_for(mute.recv(), 5))
            assert reply["code"] == "hello_timeout"
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(mute.recv(), 5)
        pinging = await Client(server.ws_url, "TESTE1").connect()
        idle = await Client(server.ws_url, "TESTE1").connect()
        for _ in range(4):
            await pinging.send_raw(json.dumps({"type": "ping"}))
            await asyncio.sleep(0.4)
        await asyncio.wait_for(idle.closed.wait(), 5)
        assert idle.close_code == 4000
        assert {"type": "bye", "code": "idle", "message": "no message for too long"} in idle.others
        assert not pinging.closed.is_set(), "a client that pings stays connected"
        await pinging.close()
