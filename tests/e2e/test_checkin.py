"""Credenciamento over real websockets: a check-in staff link at the door, live attendance per segment."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.settings import Settings
from tests.client import Client
from tests.harness import Running, create_event

CODE = "CRED17"
SEGMENTS = ["Usuários", "Trabalhadores", "Entidades", "Governo"]


class Door:
    def __init__(self, server: Running, created: dict[str, Any], http: httpx.AsyncClient) -> None:
        self.server, self.created, self.http = server, created, http
        self.staff = f"ev:{created['event']['id']}:staff"

    async def delegates(self, names: list[tuple[str, str]]) -> list[dict[str, Any]]:
        text = "".join(f"{name},{segment}\n" for name, segment in names)
        response = await self.http.post(f"/api/events/{CODE}/delegates", content=text.encode(),
                                        headers={"content-type": "text/csv"})
        assert response.status_code == 201, response.text
        return list(response.json()["delegates"])

    async def staff_link(self, role: str) -> tuple[str, str]:
        response = await self.http.post(f"/api/events/{CODE}/staff", json={"role": role, "label": "Porta 1"})
        assert response.status_code == 201, response.text
        body = response.json()
        return body["token"], body["links"][role]

    async def client(self, token: str = "") -> Client:
        client = await Client(self.server.ws_url, CODE, token=token).connect()
        wanted = [f"ev:{self.created['event']['id']}:public", *([self.staff] if token else [])]
        await client.wait_for(lambda: all(ch in client.snapshots for ch in wanted))
        return client


@pytest.fixture
def settings(store_url: str) -> Settings:
    """Every test here on SQLite and on PostgreSQL: check-ins race on both engines' locks."""
    return Settings(database_url=store_url)


@pytest.fixture
async def door(server: Running) -> AsyncIterator[Door]:
    created = await create_event(server.base, code=CODE, segments=SEGMENTS)
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        yield Door(server, created, http)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def segment_counts(attendance: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {row["segment"]: (row["present"], row["entitled"]) for row in attendance["segments"]}


async def test_door_checks_in_by_scanned_or_typed_code_and_out_again(door: Door) -> None:
    credentials = await door.delegates([(f"Delegada {i}", SEGMENTS[i % 4]) for i in range(8)])
    token, link = await door.staff_link("checkin")
    assert link.endswith(f"/c/{CODE}#k={token}")
    gate = await door.client(token)
    moderator_token = next(s["token"] for s in door.created["staff"] if s["role"] == "moderator")
    moderator = await door.client(moderator_token)
    assert moderator.snapshots[door.staff]["attendance"]["total"] == {
        "entitled": 8, "present": 0, "in_room": 0, "online": 0}

    first = credentials[0]
    scanned = await gate.ok("checkin.in", code=first["code"], method="scan")
    assert scanned["delegate"] == {"id": first["id"], "name": "Delegada 0", "segment": "Usuários", "in_room": True,
                                   "online": False, "revoked": False}
    assert segment_counts(scanned["attendance"])["Usuários"] == (1, 2)
    typed = await gate.ok("checkin.in", code=credentials[1]["code"].lower().replace("-", " "), method="typed")
    assert typed["attendance"]["total"]["present"] == 2

    again = await gate.command("checkin.in", code=first["code"])
    assert again["type"] == "error" and again["code"] == "already_checked_in"
    unknown = await gate.command("checkin.in", code="ZZZZ-ZZZZ")
    assert unknown["code"] == "invalid_code"
    both = await gate.command("checkin.in", code=first["code"], delegate=first["id"])
    assert both["code"] == "invalid_field"

    # A retried command (same id) is applied once and answered the same.
    out = await gate.command("checkin.out", command_id="out-1", delegate=first["id"])
    retried = await gate.command("checkin.out", command_id="out-1", delegate=first["id"])
    assert out["type"] == retried["type"] == "ack" and out["result"] == retried["result"]
    assert out["result"]["attendance"]["total"]["present"] == 1
    not_in = await gate.command("checkin.out", delegate=first["id"])
    assert not_in["code"] == "not_checked_in"

    # Staff screens follow live.
    def latest_present() -> int | None:
        updates = moderator.named("attendance.updated")
        return updates[-1]["data"]["attendance"]["total"]["present"] if len(updates) >= 3 else None

    assert await moderator.wait_for(latest_present) == 1

    # The door link may do nothing else; participants may not check in.
    refused = await gate.command("poll.create", spec={"kind": "yes_no_abstain", "question": "?"})
    assert refused["code"] == "forbidden"
    anyone = await door.client()
    assert (await anyone.command("checkin.in", code=first["code"]))["code"] == "forbidden"

    listing = await door.http.get(f"/api/events/{CODE}/attendance", headers={"authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    assert [d["in_room"] for d in listing.json()["delegates"]][:2] == [False, True]
    record = (await door.http.get(f"/api/events/{CODE}/checkins.json")).json()["checkins"]
    assert [(e["name"], e["action"], e["method"]) for e in record] == [
        ("Delegada 0", "in", "scan"), ("Delegada 1", "in", "typed"), ("Delegada 0", "out", "list")]
    record_csv = rows_of((await door.http.get(f"/api/events/{CODE}/checkins.csv")).text)
    assert record_csv[0] == ["id", "at", "delegate", "name", "segment", "action", "method", "actor"]
    assert [row[3] for row in record_csv[1:]] == ["Delegada 0", "Delegada 1", "Delegada 0"]
    forbidden = await door.http.get(f"/api/events/{CODE}/checkins.json", headers={"authorization": f"Bearer {token}"})
    assert forbidden.status_code in (401, 403)
    for client in (gate, moderator, anyone):
        await client.close()


async def test_online_delegates_count_as_present_only_when_allowed(door: Door) -> None:
    credentials = await door.delegates([("Ana", "Usuários"), ("Bruno", "Governo"), ("Carla", "Governo")])
    organizer = await door.client(door.created["organizer_secret"])
    phone = await door.client()
    await phone.ok("delegate.redeem", code=credentials[0]["code"])
    await organizer.ok("checkin.in", delegate=credentials[1]["id"])
    revoked = await door.http.post(f"/api/events/{CODE}/delegates/{credentials[2]['id']}/revoke")
    assert revoked.status_code == 200
    assert (await organizer.command("checkin.in", delegate=credentials[2]["id"]))["code"] == "code_revoked"

    def latest() -> dict[str, Any] | None:
        updates = organizer.named("attendance.updated")
        return updates[-1]["data"]["attendance"] if updates else None

    settings = await organizer.ok("plenary.settings", online_participation=True, stream_delay=20)
    assert settings["settings"] == {"online_participation": True, "stream_delay": 20, "max_stream_delay": 0,
                                    "motion_share": 20}
    seen = await organizer.wait_for(lambda: (a := latest()) and a["online_participation"] and a)
    assert seen["total"] == {"entitled": 2, "present": 2, "in_room": 1, "online": 1}
    assert segment_counts(seen) == {"Usuários": (1, 1), "Trabalhadores": (0, 0), "Entidades": (0, 0),
                                    "Governo": (1, 1)}
    await phone.wait_for(lambda: phone.named("plenary.settings"))
    bad = await organizer.command("plenary.settings", stream_delay=30, max_stream_delay=10)
    assert bad["code"] == "invalid_field" and bad["details"]["field"] == "max_stream_delay"
    presenter_token = next(s["token"] for s in door.created["staff"] if s["role"] == "presenter")
    presenter = await door.client(presenter_token)
    assert (await presenter.command("plenary.settings", online_participation=False))["code"] == "forbidden"
    assert presenter.snapshots[f"ev:{door.created['event']['id']}:public"]["event"]["plenary"]["stream_delay"] == 20
    for client in (organizer, phone, presenter):
        await client.close()


async def test_a_decision_vote_needs_quorum_and_keeps_its_attendance_with_the_result(door: Door) -> None:
    credentials = await door.delegates([(f"Delegado {i}", SEGMENTS[i % 4]) for i in range(10)])
    organizer = await door.client(door.created["organizer_secret"])
    rule = {"majority": "two_thirds", "base": "present", "quorum_numerator": 1, "quorum_denominator": 2}
    spec = {"kind": "yes_no_abstain", "question": "Aprova o destaque 3?", "rule": rule}
    everyone = await door.http.post(f"/api/events/{CODE}/polls", json={"spec": spec})
    assert everyone.status_code == 422, everyone.text
    assert everyone.json()["error"]["details"]["field"] == "eligibility", everyone.text
    bad = await door.http.post(f"/api/events/{CODE}/polls", json={
        "spec": {**spec, "rule": {"majority": "most"}}, "eligibility": "delegates"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_rule"
    created = await door.http.post(f"/api/events/{CODE}/polls", json={"spec": spec, "eligibility": "delegates"})
    assert created.status_code == 201, created.text
    poll = created.json()
    assert poll["spec"]["rule"] == {**rule, "numerator": 1, "denominator": 2}

    phones = []
    for credential in credentials[:4]:
        phone = await door.client()
        await phone.ok("delegate.redeem", code=credential["code"])
        await organizer.ok("checkin.in", code=credential["code"], method="scan")
        phones.append(phone)
    refused = await organizer.command("poll.open", poll=poll["id"])
    assert refused["code"] == "no_quorum" and refused["details"] == {"present": 4, "entitled": 10, "needed": 5}
    for credential in credentials[4:6]:
        phone = await door.client()
        await phone.ok("delegate.redeem", code=credential["code"])
        await organizer.ok("checkin.in", delegate=credential["id"])
        phones.append(phone)
    await organizer.ok("poll.open", poll=poll["id"])
    for phone, choice in zip(phones, ["yes", "yes", "yes", "yes", "yes", "no"], strict=True):
        await phone.ok("vote.cast", poll=poll["id"], ballot={"choice": choice})
    outside = await door.client()
    await outside.ok("delegate.redeem", code=credentials[7]["code"])
    absent = await outside.command("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    assert absent["code"] == "not_present", "a delegate who is not checked in does not vote"
    await organizer.ok("checkin.in", delegate=credentials[9]["id"])  # a latecomer, before the close
    closed = await organizer.ok("poll.close", poll=poll["id"])
    assert closed["poll"]["status"] == "closed"
    await organizer.ok("checkin.in", delegate=credentials[8]["id"])  # after the close: changes nothing

    def decision() -> dict[str, Any] | None:
        results = [e["data"] for e in phones[0].named("poll.result") if e["data"]["poll"] == poll["id"]]
        return results[-1]["decision"] if results else None

    kept = await phones[0].wait_for(decision)
    assert kept["verdict"] == "approved" and kept["label"] == "aprovada" and kept["lang"] == "pt-BR"
    assert (kept["opened"]["present"], kept["closed"]["present"], kept["closed"]["entitled"]) == (6, 7, 10)
    assert (kept["required"], kept["base_value"], kept["quorum_required"]) == (5, 7, 5)
    assert kept["explanation"].startswith("aprovada: 5 sim, 1 não, 0 abstenções")
    export = (await door.http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.json")).json()
    assert export["result"]["decision"]["verdict"] == "approved"
    one = rows_of((await door.http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.csv")).text)
    assert one[0][-2:] == ["decision", "decision_arithmetic"]
    assert one[1][-2] == "aprovada" and one[1][-1] == kept["explanation"]
    every = rows_of((await door.http.get(f"/api/events/{CODE}/exports/polls?format=csv")).text)
    assert every[0][-2:] == ["decision", "decision_arithmetic"] and every[1][-2] == "aprovada"
    for client in (organizer, outside, *phones):
        await client.close()


async def test_online_viewers_vote_until_the_deadline_plus_their_bounded_delay(door: Door) -> None:
    organizer = await door.client(door.created["organizer_secret"])
    await organizer.ok("plenary.settings", stream_delay=1, max_stream_delay=2)
    created = await door.http.post(f"/api/events/{CODE}/polls", json={
        "spec": {"kind": "yes_no_abstain", "question": "Aprova a moção?"}})
    poll = created.json()
    in_room, far, unmeasured = await door.client(), await door.client(), await door.client()
    assert (await in_room.ok("stream.delay", seconds=0))["delay"] == 0
    assert (await far.ok("stream.delay", seconds=3600 / 8))["delay"] == 2, "a claim is bounded by the maximum"
    assert (await organizer.command("stream.delay", seconds=1))["code"] == "forbidden"
    opened = await organizer.ok("poll.open", poll=poll["id"], seconds=1)
    deadline = opened["poll"]["deadline"]

    async def after(moment: float) -> None:
        while time.time() < moment:
            await asyncio.sleep(0.05)

    await after(deadline + 0.1)
    late_in_room = await in_room.command("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    assert late_in_room["code"] == "poll_closed"
    await unmeasured.ok("vote.cast", poll=poll["id"], ballot={"choice": "no"})  # the organizer's 1 s
    await after(deadline + 1.2)
    assert (await unmeasured.command("vote.cast", poll=poll["id"], ballot={"choice": "no"}))["code"] == "poll_closed"
    await far.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})

    def final() -> dict[str, Any] | None:
        return next((e["data"] for e in organizer.named("poll.result") if e["data"]["poll"] == poll["id"]), None)

    result = await organizer.wait_for(final, timeout=5)
    assert result["tally"]["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert time.time() >= deadline + 2, "the poll closes once the longest delay has passed"
    for client in (organizer, in_room, far, unmeasured):
        await client.close()
