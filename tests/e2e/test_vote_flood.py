"""Hundreds of honest votes while other clients send malicious ones, on SQLite and PostgreSQL:
no honest ballot is lost or refused because of someone else's input."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import httpx
import websockets

from server.settings import Limits, Settings
from server.store import polls as repo
from tests.client import Client
from tests.harness import create_event, running_server

HONEST = 200
ATTACKERS = 20
CODE = "FLOOD1"
CHOICES = ("yes", "no", "abstain")


def malicious(poll: int, n: int) -> list[str]:
    """Vote frames no store can hold or no rule allows: each must be refused alone."""
    frames = [
        {"type": "vote.cast", "id": f"m{n}-1", "poll": 2**40, "ballot": {"choice": "yes"}},
        {"type": "vote.cast", "id": f"m{n}-2", "poll": 2**70, "ballot": {"choice": "yes"}},
        {"type": "vote.cast", "id": f"m{n}-3", "poll": -5, "ballot": {"choice": "yes"}},
        {"type": "vote.cast", "id": f"m{n}-4", "poll": poll, "ballot": {"choice": 2**70}},
        {"type": "vote.cast", "id": f"m{n}-5", "poll": poll, "ballot": {"choice": "yes", "extra": [2**63] * 50}},
        {"type": "vote.cast", "id": f"m{n}-6", "poll": poll, "ballot": {"choices": ["yes"] * 500}},
    ]
    raw = [json.dumps(frame) for frame in frames]
    def head(k: int) -> str:
        return json.dumps({"type": "vote.cast", "id": f"m{n}-{k}", "poll": poll})[:-1] + ', "ballot": '

    raw += [
        head(7) + '{"choice": "\\ud800"}}',
        head(8) + '{"choice": "yes\\u0000"}}',
        head(9) + '{"choice": NaN}}',
        head(10) + "[" * 3000 + "]" * 3000 + "}",
    ]
    return raw


async def test_honest_votes_all_count_while_others_send_malicious_ones(store_url: str) -> None:
    settings = Settings(database_url=store_url, limits=Limits(commands_per_second=1000, command_burst=1000))
    async with running_server(settings) as server:
        created = await create_event(server.base, code=CODE)
        auth = {"authorization": f"Bearer {created['organizer_secret']}"}
        async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
            poll = (await http.post(f"/api/events/{CODE}/polls", json={
                "spec": {"kind": "yes_no_abstain", "question": "Aprova o regimento?"}})).json()["id"]
        presenter = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        staff = await Client(server.ws_url, CODE, token=presenter).connect()
        await staff.ok("poll.open", poll=poll)
        voters = await asyncio.gather(*(Client(server.ws_url, CODE).connect() for _ in range(HONEST)))
        refusals: Counter[str] = Counter()

        async def attacker(n: int) -> None:
            async with websockets.connect(server.ws_url) as ws:
                await ws.send(json.dumps({"type": "hello", "event": CODE, "device": f"attacker-device-{n:06d}"}))
                for _ in range(3):
                    frames = malicious(poll, n)
                    for frame in frames:
                        await ws.send(frame)
                    answered = 0
                    while answered < len(frames):
                        message = json.loads(await ws.recv())
                        if message["type"] == "error":
                            refusals[message["code"]] += 1
                            answered += 1

        async def honest(index: int, client: Client) -> dict[str, Any]:
            command = f"honest-{index}"
            await client.send_raw(json.dumps({"type": "vote.cast", "id": command, "poll": poll,
                                              "ballot": {"choice": CHOICES[index % 3]}}))
            answer: dict[str, Any] = await client.wait_for(lambda: client.answers.get(command), timeout=60)
            assert answer["type"] == "ack", answer
            return answer

        acks, _ = await asyncio.gather(
            asyncio.gather(*(honest(i, c) for i, c in enumerate(voters))),
            asyncio.gather(*(attacker(n) for n in range(ATTACKERS))),
        )
        assert len(acks) == HONEST, "every honest vote acknowledged"
        assert "internal" not in refusals and sum(refusals.values()) == ATTACKERS * 3 * 10, refusals
        async with server.services.db.session() as db:
            stored = await repo.open_ballots(db, poll)
        assert Counter(b["choices"][0] for b in stored) == Counter(CHOICES[i % 3] for i in range(HONEST))
        for client in (*voters, staff):
            await client.close()
