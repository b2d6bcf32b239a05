"""Hostile and broken input at the edge, on SQLite and PostgreSQL: numbers no store can hold,
text no store can hold or no client can read, nesting that would exhaust the stack, a refused
Origin. Each gets its own error code, changes nothing, and the connection stays usable (before
hello: an error, then a close frame with the code as its reason, never a bare drop)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import func
from sqlmodel import select

from server.settings import Limits, Settings
from server.store.tables import ParticipantRow
from tests.client import Client
from tests.harness import Running, add_sessions, create_event, running_server

CODE = "EDGE1"
OUT_OF_RANGE = (2**31, 2**63, 2**70, 0, -1)
STRICT = {"parse_constant": lambda name: pytest.fail(f"the server sent {name}, which is not JSON")}

# (frame, the error code it gets): text no store or client can hold, numbers that are not numbers.
STRANGE = [
    ('{"type": "chat.send", "id": "t1", "text": "ol\\ud800a"}', "invalid_unicode"),
    ('{"type": "profile.update", "id": "t2", "name": "\\udfff"}', "invalid_unicode"),
    ('{"type": "chat.send", "id": "t3", "text": "ok", "\\ud83d": 1}', "invalid_unicode"),
    ('{"type": "chat.send", "id": "t4", "text": "a\\u0000b"}', "nul_character"),
    ('{"type": "question.ask", "id": "t5", "text": "\\u0000"}', "nul_character"),
    ('{"type": "ping", "t": NaN}', "invalid_number"),
    ('{"type": "ping", "t": -Infinity}', "invalid_number"),
    ('{"type": "ping", "t": 1e400}', "invalid_number"),
    ('{"type": "ping", "t": ' + "9" * 5000 + "}", "invalid_number"),
    ("[" * 5000 + "]" * 5000, "too_deep"),
    ('{"type": "vote.cast", "id": "t6", "poll": 1, "ballot": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}", "too_deep"),
    ("{'type': 'ping'}", "invalid_json"),
]


@pytest.fixture
async def server(store_url: str) -> AsyncIterator[Running]:
    limits = Limits(commands_per_second=1000, command_burst=1000)
    async with running_server(Settings(database_url=store_url, limits=limits)) as running:
        yield running


@pytest.fixture
async def event(server: Running) -> AsyncIterator[dict[str, Any]]:
    created = await create_event(server.base, code=CODE)
    created["sessions"] = await add_sessions(server.base, CODE, created["organizer_secret"], ["Abertura"])
    created["tokens"] = {s["role"]: s["token"] for s in created["staff"]}
    yield created


async def test_ids_and_numbers_beyond_the_stores_are_refused_at_the_edge(
    server: Running, event: dict[str, Any]
) -> None:
    """Pass: every id a command names, at 2^31, 2^63, 2^70, 0 or -1, is `invalid_message` naming
    the field (never `internal`), over the websocket and in HTTP paths and bodies, and the same
    connections go on working."""
    presenter = await Client(server.ws_url, CODE, token=event["tokens"]["presenter"]).connect()
    moderator = await Client(server.ws_url, CODE, token=event["tokens"]["moderator"]).connect()
    participant = await Client(server.ws_url, CODE).connect()
    commands: list[tuple[Client, str, str, dict[str, Any]]] = [
        (presenter, "session.start", "session", {}),
        (presenter, "screen.show", "ref", {"kind": "poll"}),
        (presenter, "poll.open", "poll", {}),
        (presenter, "poll.create", "session", {"spec": {"kind": "yes_no_abstain", "question": "?"}}),
        (moderator, "mod.approve", "item", {"kind": "chat"}),
        (moderator, "question.merge", "into", {"question": 1}),
        (participant, "question.upvote", "question", {}),
        (participant, "vote.cast", "poll", {"ballot": {"choice": "yes"}}),
    ]
    for client, kind, field, fields in commands:
        for value in OUT_OF_RANGE:
            answer = await client.command(kind, **{field: value, **fields})
            assert (answer["code"], answer["details"]["field"]) == ("invalid_message", field), (kind, value, answer)
    screen = await presenter.command("screen.show", kind="timer", seconds=2**63)
    assert screen["code"] == "invalid_message"

    auth = {"authorization": f"Bearer {event['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        for path, method, code in (
            (f"/api/events/{CODE}/sessions/{2**31}", "PATCH", "session_not_found"),
            (f"/api/events/{CODE}/sessions/{'9' * 400}", "DELETE", "session_not_found"),
            (f"/api/events/{CODE}/staff/{2**63}", "DELETE", "staff_not_found"),
            (f"/api/events/{CODE}/polls/{2**70}/export.json", "GET", "poll_not_found"),
            (f"/api/events/{CODE}/delegates/{2**40}/revoke", "POST", "not_found"),
        ):
            response = await http.request(method, path, json={"title": "x"})
            assert response.status_code == 404 and response.json()["error"]["code"].endswith(code), (path, response)
        for body in ({"spec": {"kind": "yes_no_abstain", "question": "?"}, "session": 2**40},
                     {"spec": {"kind": "yes_no_abstain", "question": "?"}, "position": 2**70}):
            response = await http.post(f"/api/events/{CODE}/polls", json=body)
            assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_field", response.text
        session = await http.post(f"/api/events/{CODE}/sessions", json={"title": "x", "position": 2**63})
        assert session.status_code == 422, session.text

    assert (await presenter.ok("session.start", session=event["sessions"][0]["id"]))["changed"]
    assert (await participant.ok("profile.update", name="Ainda aqui"))["participant"]["name"] == "Ainda aqui"
    for client in (presenter, moderator, participant):
        await client.close()


async def test_strange_text_gets_its_own_code_and_the_connection_stays(server: Running, event: dict[str, Any]) -> None:
    """Pass: lone surrogates, NUL, NaN/Infinity, huge literals and deep nesting are each answered
    with valid JSON carrying their code, nothing is stored, and the next command is acked."""
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "event": CODE, "device": "strange-text-device-01"}))
        assert json.loads(await ws.recv())["type"] == "welcome"
        for frame, code in STRANGE:
            await ws.send(frame)
            answer = await next_answer(ws)
            assert answer["type"] == "error" and answer["code"] == code, (frame[:60], answer)
            await ws.send(json.dumps({"type": "profile.update", "id": f"after-{code}", "name": "Maria"}))
            assert (await next_answer(ws))["type"] == "ack"
        await ws.send(b"\xff\xfe\x00")
        assert (await next_answer(ws))["code"] == "invalid_json"
    state = await Client(server.ws_url, CODE).connect()
    snapshot = await state.wait_for(lambda: state.snapshots.get(f"ev:{event['event']['id']}:public"))
    assert snapshot["chat"] == [] and snapshot["questions"] == [], "a refused message was stored"
    await state.close()


async def next_answer(ws: websockets.ClientConnection) -> dict[str, Any]:
    """The next ack, error or pong (snapshots and events skipped), parsed as strict JSON."""
    while True:
        answer: dict[str, Any] = json.loads(await ws.recv(), **STRICT)
        if answer["type"] in ("ack", "error", "pong"):
            return answer


async def test_strange_first_frames_get_an_error_and_a_close_frame(server: Running, event: dict[str, Any]) -> None:
    """Pass: before hello, each strange frame (and a strange hello) gets its error then a close
    frame (1008) whose reason is the code: the client learns why."""
    hellos = [
        ('{"type": "hello", "event": "EDGE\\u0000", "device": "' + "d" * 20 + '"}', "nul_character"),
        ('{"type": "hello", "event": "\\ud800", "device": "' + "d" * 20 + '"}', "invalid_unicode"),
    ]
    for frame, code in [*STRANGE, *hellos]:
        async with websockets.connect(server.ws_url) as ws:
            await ws.send(frame)
            answer = await next_answer(ws)
            assert answer["type"] == "error" and answer["code"] == code, (frame[:60], answer)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None, "dropped without a close frame"
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, code)


async def test_http_refuses_text_no_store_can_hold(server: Running, event: dict[str, Any]) -> None:
    """Pass: NUL in a path or query, and NUL, lone surrogates or NaN in a JSON body, get a 400 with
    their code on both stores (PostgreSQL text cannot hold NUL: this was a 500)."""
    auth = {"authorization": f"Bearer {event['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        for path in ("/api/events/A%00B", "/e/A%00B", f"/api/events/{CODE}/participants/%00/export",
                     f"/api/events/{CODE}/audit?format=%00"):
            response = await http.get(path)
            assert response.status_code == 400 and response.json()["error"]["code"] == "nul_character", path
        for body, code in (('{"title": "a\\u0000"}', "nul_character"), ('{"title": "\\ud800"}', "invalid_unicode"),
                           ('{"title": NaN}', "invalid_number"), ("[" * 3000 + "]" * 3000, "too_deep")):
            response = await http.patch(f"/api/events/{CODE}", content=body,
                                        headers={"content-type": "application/json"})
            assert response.status_code == 400 and response.json()["error"]["code"] == code, (body[:30], response)
        csv = await http.post(f"/api/events/{CODE}/delegates", content="Ana\x00,Usuários\n".encode(),
                              headers={"content-type": "text/csv"})
        assert csv.status_code == 400 and csv.json()["error"]["code"] == "nul_character"
        assert (await http.get(f"/api/events/{CODE}")).json()["title"] == "Conferência de teste"


async def test_a_refused_origin_stores_nothing(server: Running, event: dict[str, Any]) -> None:
    """Pass: a cross-site websocket refused for its Origin creates no participant row (it used to
    inflate turnout's "eligible"); an allowed one does."""

    async def participants() -> int:
        async with server.services.db.session() as db:
            return int((await db.exec(select(func.count()).select_from(ParticipantRow))).one())

    before = await participants()
    hello = json.dumps({"type": "hello", "event": CODE, "device": "cross-site-device-0001"})
    async with websockets.connect(server.ws_url, origin="https://evil.example") as ws:  # type: ignore[arg-type]
        await ws.send(hello)
        assert json.loads(await ws.recv())["code"] == "origin_not_allowed"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert await participants() == before
    async with websockets.connect(server.ws_url, origin=server.base) as ws:  # type: ignore[arg-type]
        await ws.send(hello)
        assert json.loads(await ws.recv())["type"] == "welcome"
    # A first visit is written off the join's path (server/service/arrivals.py): wait for it.
    await server.services.conference.arrivals.settled()
    assert await participants() == before + 1
