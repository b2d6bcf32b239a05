"""Fuzzing the websocket protocol and the HTTP API: no crash, no 500, clear refusals, no state change.

The websocket fuzzer is benchmarks/fuzz.py (mutations of every example message of
docs/protocol.md, from every role, fixed seeds); here it runs a few thousand messages;
`python -m benchmarks fuzz --messages 100000` runs it for longer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import fuzz
from server import wire
from server.settings import Limits, Settings
from tests.harness import ThreadedServer

pytestmark = [pytest.mark.slow]

JSON_LEAVES = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
               | st.text(max_size=40))
JSON = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12), inner, max_size=4), max_leaves=12)
MESSAGES = 2000


def test_every_inbound_type_has_an_example_to_mutate() -> None:
    assert set(fuzz.seeds()) == set(wire.INBOUND)


@pytest.mark.timeout(110)
def test_protocol_fuzz_gets_clear_answers_from_every_role(tmp_path: Path) -> None:
    """Pass: thousands of mutated messages from a participant, a delegate, a moderator, a
    presenter, the organizer and fresh connections get no `internal` error, leave no traceback in
    the server log, drop no connection without a close frame, every answer is strict JSON, and a
    bystander's commands are all acknowledged meanwhile."""
    server = fuzz.fuzz_server(tmp_path).start()
    try:
        report = asyncio.run(fuzz.fuzz(server.ws_url, server.base, MESSAGES, seed=12, log=server.log_path))
    finally:
        server.stop()
    summary = report.to_dict()
    assert report.ok, json.dumps(summary, indent=1, ensure_ascii=False)[:6000]
    assert summary["messages"] >= MESSAGES and report.bystander["acked"] >= 10
    assert report.answers["ack"] >= 20, "valid commands were mixed in and acknowledged"
    for code in ("invalid_unicode", "nul_character", "invalid_number", "too_deep", "invalid_json"):
        assert report.codes[code] > 0, f"no frame drew {code}: the mutations lost a class"


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


ROUTES = [
    ("POST", "/api/events"), ("PATCH", "/api/events/FUZZ1"), ("POST", "/api/events/FUZZ1/sessions"),
    ("PATCH", "/api/events/FUZZ1/sessions/1"), ("POST", "/api/events/FUZZ1/staff"),
    ("POST", "/api/events/FUZZ1/polls"), ("PATCH", "/api/events/FUZZ1/polls/1"),
    ("POST", "/api/events/FUZZ1/delegates"), ("POST", "/api/events/FUZZ1/credentials.html"),
    ("PUT", "/api/events/FUZZ1/moderation"), ("PUT", "/api/events/FUZZ1/privacy"),
    ("POST", "/api/events/FUZZ1/privacy/purge"), ("PATCH", "/api/events/FUZZ1/sessions/99999999999"),
    ("GET", "/api/events/FUZZ1/polls/4294967296/export.json"), ("GET", "/api/events/FU%00ZZ1"),
]


def test_http_fuzz_never_fails_with_500(fuzz_server: tuple[ThreadedServer, dict[str, Any]]) -> None:
    server, created = fuzz_server
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}

    with httpx.Client(base_url=server.base, timeout=60) as http:

        @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(st.sampled_from(ROUTES), JSON, st.booleans(), st.sampled_from(["", "\\ud800", "\\u0000", "NaN"]))
        def one(route: tuple[str, str], body: Any, authorised: bool, poison: str) -> None:
            method, path = route
            headers = {"content-type": "application/json", **(auth if authorised else {})}
            content = json.dumps(body)
            if poison and content.startswith("{") and content != "{}":
                content = '{"x": ' + (poison if poison == "NaN" else f'"{poison}"') + ", " + content[1:]
            response = http.request(method, path, content=content, headers=headers)
            assert response.status_code < 500, (route, content, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["code"]

        one()
