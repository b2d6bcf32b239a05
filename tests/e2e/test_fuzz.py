"""Fuzzing the websocket protocol and the HTTP API: no crash, no 500, clear refusals, no state change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from server import wire
from server.settings import Limits, Settings
from tests.harness import ThreadedServer

pytestmark = [pytest.mark.slow]

JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=40)
JSON = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12), inner, max_size=4), max_leaves=12)
FIELD_NAMES = sorted({name for model in wire.INBOUND.values() for name in model.model_fields} | {"zzz"})


@st.composite
def frames(draw: st.DrawFn) -> str:
    """Mostly messages of known types with wrong, missing or extra fields; sometimes anything at all."""
    kind = draw(st.sampled_from([*wire.INBOUND, "nope", ""]))
    fields = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6))
    body: Any = {"type": kind, **fields}
    if draw(st.booleans()):
        body["id"] = draw(st.text(min_size=1, max_size=10))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.text(max_size=60))
    if choice == 1:
        body = draw(JSON)
    return json.dumps(body)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedServer, dict[str, Any]]]:
    path: Path = tmp_path_factory.mktemp("fuzz")
    limits = Limits(commands_per_second=10_000, command_burst=10_000)
    with ThreadedServer(Settings(database_url=f"sqlite:///{path / 'p.db'}", limits=limits)) as server:
        created = httpx.post(f"{server.base}/api/events", json={"title": "Fuzz", "code": "FUZZ1"}).json()
        secret = created["organizer_secret"]
        httpx.post(f"{server.base}/api/events/FUZZ1/sessions", json={"title": "Mesa"},
                   headers={"authorization": f"Bearer {secret}"})
        yield server, created


def hello(ws: ClientConnection, token: str = "") -> dict[str, Any]:
    ws.send(json.dumps({"type": "hello", "event": "FUZZ1", "device": "fuzz-device-000000", "token": token}))
    welcome: dict[str, Any] = json.loads(ws.recv(timeout=5))
    assert welcome["type"] == "welcome"
    while True:  # the snapshot(s)
        message = json.loads(ws.recv(timeout=5))
        if message["type"] == "snapshot":
            return message


def public_state(server: ThreadedServer) -> dict[str, Any]:
    with connect(server.ws_url) as ws:
        state: dict[str, Any] = hello(ws)["state"]
    return {key: state[key] for key in ("event", "agenda", "live_session", "screen")}


@pytest.mark.parametrize("role", ["participant", "organizer"])
def test_protocol_fuzz_gets_clear_refusals(fuzz_server: tuple[ThreadedServer, dict[str, Any]], role: str) -> None:
    """Pass: every frame gets an ack or an error with a code (never `internal`), the connection
    stays open throughout, and a participant's junk leaves the conference as it was."""
    server, created = fuzz_server
    before = public_state(server)
    token = created["organizer_secret"] if role == "organizer" else ""
    with connect(server.ws_url, max_size=None) as ws:
        hello(ws, token)

        @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(frames())
        def one(frame: str) -> None:
            ws.send(frame)
            while True:
                answer = json.loads(ws.recv(timeout=5))
                if answer["type"] in ("ack", "error", "pong"):
                    break
                assert answer["type"] in ("event", "snapshot", "health"), answer
            if answer["type"] == "error":
                assert answer["code"] != "internal" and answer["message"], answer

        one()
    if role == "participant":
        assert public_state(server) == before, "a participant's junk changed the conference"


def test_http_fuzz_never_fails_with_500(fuzz_server: tuple[ThreadedServer, dict[str, Any]]) -> None:
    server, created = fuzz_server
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    routes = [("POST", "/api/events"), ("PATCH", "/api/events/FUZZ1"), ("POST", "/api/events/FUZZ1/sessions"),
              ("PATCH", "/api/events/FUZZ1/sessions/1"), ("POST", "/api/events/FUZZ1/staff")]

    with httpx.Client(base_url=server.base) as http:

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(st.sampled_from(routes), JSON, st.booleans())
        def one(route: tuple[str, str], body: Any, authorised: bool) -> None:
            method, path = route
            headers = {"content-type": "application/json", **(auth if authorised else {})}
            response = http.request(method, path, content=json.dumps(body), headers=headers)
            assert response.status_code < 500, (route, body, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["code"]

        one()
