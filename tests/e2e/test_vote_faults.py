"""Votes while parts fail: a server process killed, Redis stopped, PostgreSQL unreachable.

Each test starts its own Redis (on its own port) and uses a fresh PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.settings import Limits, Settings
from tests.client import Client
from tests.conftest import RedisServer
from tests.e2e.test_polls import proposals_spec
from tests.faults import CuttableProxy
from tests.harness import ServerProcess, create_event, running_server

pytestmark = [pytest.mark.slow]


def ballot(rng: random.Random) -> dict[str, Any]:
    return {"choices": rng.sample([f"m{i}" for i in range(1, 17)], rng.randint(1, 10)) + [f"e{rng.randint(1, 4)}"]}


async def open_poll(base: str, code: str, secret: str, presenter: Client) -> int:
    async with httpx.AsyncClient(base_url=base, headers={"authorization": f"Bearer {secret}"}) as http:
        response = await http.post(f"/api/events/{code}/polls", json={"spec": proposals_spec()})
        response.raise_for_status()
        poll_id: int = response.json()["id"]
    await presenter.ok("poll.open", poll=poll_id)
    return poll_id


async def stored_ballots(database: str, poll_id: int) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT voter, ballot FROM ballot WHERE poll_id = $1", poll_id)
    finally:
        await conn.close()
    return [{"voter": row["voter"], "ballot": json.loads(row["ballot"])} for row in rows]


def counts_of(ballots: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in ballots:
        for choice in entry["ballot"]["choices"]:
            counts[choice] = counts.get(choice, 0) + 1
    return counts


async def send_vote(client: Client, poll_id: int, choice: dict[str, Any], command_id: str) -> None:
    await client.send_raw(json.dumps({"type": "vote.cast", "id": command_id, "poll": poll_id, "ballot": choice}))


async def final_result(presenter: Client, poll_id: int) -> dict[str, Any]:
    """Close the poll and read its result as a newly connected presenter sees it (the snapshot)."""
    await presenter.ok("poll.close", poll=poll_id)
    viewer = await Client(presenter.url, presenter.event, token=presenter.token).connect()
    staff = await viewer.wait_for(lambda: next((s for ch, s in viewer.snapshots.items() if ch.endswith(":staff")),
                                               None))
    await viewer.close()
    poll = next(p for p in staff["all_polls"] if p["id"] == poll_id)
    assert poll["status"] == "closed"
    result: dict[str, Any] = poll["result"]
    return result


async def test_killing_a_process_during_a_poll_loses_and_doubles_no_vote(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: 60 voters on two processes; process B is killed after half of its voters voted. B's
    voters reconnect to A with their resume point and retry unanswered votes with the same command
    id. Every acknowledged vote is in PostgreSQL, no voter has two ballots, each resumed client
    saw its public channel with no gap and no duplicate, and the final tally equals the ballots."""
    options = ("--redis", redis_server.url, "--database", postgres_database)
    a = ServerProcess(*options).start(tmp_path / "a.log")
    b = ServerProcess(*options).start(tmp_path / "b.log")
    rng = random.Random(7)
    try:
        code = f"K{secrets.token_hex(3).upper()}"
        created = await create_event(a.base, code=code)
        event_public = f"ev:{created['event']['id']}:public"
        presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        presenter = await Client(a.ws_url, code, token=presenter_token).connect()
        poll_id = await open_poll(a.base, code, created["organizer_secret"], presenter)
        voters = [await Client((a if i % 2 else b).ws_url, code).connect() for i in range(60)]
        for voter in voters:
            await voter.wait_for(lambda v=voter: event_public in v.snapshots)
        choices = {i: ballot(rng) for i in range(60)}
        on_b = [i for i in range(60) if i % 2 == 0]

        for i in on_b[: len(on_b) // 2]:  # half of B's voters vote and get their ack
            await voters[i].ok("vote.cast", command_id=f"v{i}", poll=poll_id, ballot=choices[i])
        for i in on_b[len(on_b) // 2:]:  # the rest send, and B dies before some of them are answered
            await send_vote(voters[i], poll_id, choices[i], f"v{i}")
        b.kill()
        for i in on_b:
            await asyncio.wait_for(voters[i].closed.wait(), 10)
            voters[i].url = a.ws_url
            await voters[i].connect(resume=True)
            if f"v{i}" not in voters[i].answers:
                await send_vote(voters[i], poll_id, choices[i], f"v{i}")
        for i in range(60):
            if i % 2:
                await send_vote(voters[i], poll_id, choices[i], f"v{i}")
        acks = [await voters[i].wait_for(lambda v=voters[i], i=i: v.answers.get(f"v{i}"), timeout=15)
                for i in range(60)]
        assert all(answer["type"] == "ack" for answer in acks), [a for a in acks if a["type"] != "ack"]

        result = await final_result(presenter, poll_id)
        ballots = await stored_ballots(postgres_database, poll_id)
        assert len(ballots) == 60 and len({entry["voter"] for entry in ballots}) == 60
        assert sorted(sorted(e["ballot"]["choices"]) for e in ballots) == sorted(sorted(c["choices"])
                                                                               for c in choices.values())
        assert result["tally"]["ballots"] == 60
        assert {k: v for k, v in result["tally"]["counts"].items() if v} == counts_of(ballots)
        for i in on_b:
            seqs = voters[i].seqs(event_public)
            assert seqs == sorted(set(seqs)) and seqs == list(range(seqs[0], seqs[-1] + 1)), (i, seqs)
        for client in (*voters, presenter):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_killing_the_process_that_holds_a_secret_polls_key_loses_no_ballot(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: a secret poll opened on A and closed on B is counted by A, which holds its key. Then a
    second one opened on A takes a burst of votes on A and B; A is killed with votes in flight;
    A's voters retry on B with the same command ids.
    Every vote is acknowledged once, with one tracker each. Closing on B leaves the poll awaiting
    its count (no process holds the key); the organizer secret counts it: the published ballots
    are exactly the acknowledged ones, and every tracker is listed."""
    options = ("--redis", redis_server.url, "--database", postgres_database)
    a = ServerProcess(*options).start(tmp_path / "a.log")
    b = ServerProcess(*options).start(tmp_path / "b.log")
    rng = random.Random(13)
    try:
        code = f"S{secrets.token_hex(3).upper()}"
        created = await create_event(a.base, code=code)
        presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        presenter = await Client(a.ws_url, code, token=presenter_token).connect()
        auth = {"authorization": f"Bearer {created['organizer_secret']}"}
        async with httpx.AsyncClient(base_url=b.base, headers=auth) as http:
            response = await http.post(f"/api/events/{code}/polls", json={
                "spec": {"kind": "single", "question": "Delegada titular", "options": [
                    {"id": f"c{i}", "label": f"Candidata {i}"} for i in range(1, 5)]}, "secret": True})
            poll_id = response.json()["id"]
            await presenter.ok("poll.open", poll=poll_id)
            voters = [await Client((a if i % 2 else b).ws_url, code).connect() for i in range(40)]
            for voter in voters:
                await voter.wait_for(lambda v=voter: v.snapshots)
            closer = await Client(b.ws_url, code, token=presenter_token).connect()

            first = (await http.post(f"/api/events/{code}/polls", json={
                "spec": {"kind": "yes_no_abstain", "question": "Aprova a pauta?"}, "secret": True})).json()["id"]
            await presenter.ok("poll.open", poll=first)
            for voter in voters[:4]:
                await voter.ok("vote.cast", poll=first, ballot={"choice": "yes"})
            assert (await closer.ok("poll.close", poll=first))["poll"]["awaiting_count"] is True
            by_holder = await closer.wait_for(lambda: next(
                (e["data"] for e in closer.named("poll.result") if e["data"]["poll"] == first), None), timeout=10)
            assert by_holder["tally"]["counts"]["yes"] == 4, "A, which holds the key, counted it"

            choices = {i: {"choice": f"c{rng.randint(1, 4)}"} for i in range(40)}
            on_a = [i for i in range(40) if i % 2]
            for i in range(40):  # a burst: everyone sends at once
                await send_vote(voters[i], poll_id, choices[i], f"s{i}")
            await voters[on_a[0]].wait_for(lambda: voters[on_a[0]].answers.get(f"s{on_a[0]}"), timeout=15)
            a.kill()
            for i in on_a:
                await asyncio.wait_for(voters[i].closed.wait(), 10)
                voters[i].url = b.ws_url
                await voters[i].connect(resume=True)
                if f"s{i}" not in voters[i].answers:
                    await send_vote(voters[i], poll_id, choices[i], f"s{i}")
            acks = [await voters[i].wait_for(lambda v=voters[i], i=i: v.answers.get(f"s{i}"), timeout=15)
                    for i in range(40)]
            assert all(answer["type"] == "ack" for answer in acks), [x for x in acks if x["type"] != "ack"]
            trackers = sorted(answer["result"]["tracker"] for answer in acks)
            assert len(set(trackers)) == 40

            closed = (await closer.ok("poll.close", poll=poll_id))["poll"]
            assert closed["status"] == "closed" and closed["awaiting_count"] is True, "nobody holds the key now"
            counted = await http.post(f"/api/events/{code}/polls/{poll_id}/count")
            assert counted.status_code == 200, counted.text
            result = counted.json()["result"]
            expected = Counter(c["choice"] for c in choices.values())
            assert {k: v for k, v in result["tally"]["counts"].items() if v} == dict(expected)
            assert result["verification"] == {"trackers": 40, "ballots": 40, "voters": 40, "recount_matches": True}
            box = (await http.get(f"/api/events/{code}/polls/{poll_id}/trackers")).json()
            assert box["trackers"] == trackers and box["counted"] is True
            again = await http.post(f"/api/events/{code}/polls/{poll_id}/count")
            assert again.status_code == 409 and again.json()["error"]["code"] == "not_sealed"
            await closer.wait_for(lambda: any(e["data"]["poll"] == poll_id for e in closer.named("poll.result")))
        for client in (*voters, presenter, closer):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_redis_stopped_during_voting_recovers_and_tallies_the_store(
    redis_server: RedisServer, postgres_database: str, tmp_path: Path
) -> None:
    """Pass: with Redis stopped for 10 seconds in the middle of voting, both processes keep
    acknowledging votes (they are durable in PostgreSQL), staff on each process are told the broker
    is degraded and then that it is ok again, and after recovery the final tally equals the ballots
    in PostgreSQL, with one ballot per voter."""
    options = ("--redis", redis_server.url, "--database", postgres_database)
    a = ServerProcess(*options).start(tmp_path / "a.log")
    b = ServerProcess(*options).start(tmp_path / "b.log")
    rng = random.Random(11)
    try:
        code = f"R{secrets.token_hex(3).upper()}"
        created = await create_event(a.base, code=code)
        tokens = {s["role"]: s["token"] for s in created["staff"]}
        presenter = await Client(a.ws_url, code, token=tokens["presenter"]).connect()
        moderator_b = await Client(b.ws_url, code, token=tokens["moderator"]).connect()
        poll_id = await open_poll(a.base, code, created["organizer_secret"], presenter)
        voters = [await Client((a if i % 2 else b).ws_url, code).connect() for i in range(40)]
        for i, voter in enumerate(voters[:20]):
            await voter.ok("vote.cast", poll=poll_id, ballot=ballot(rng), command_id=f"v{i}")

        redis_server.stop()
        await moderator_b.wait_for(lambda: {"type": "health", "broker": "degraded"} in moderator_b.others, 10)
        for i, voter in enumerate(voters[20:], start=20):
            await voter.ok("vote.cast", poll=poll_id, ballot=ballot(rng), command_id=f"v{i}")
        for i, voter in enumerate(voters[:10]):  # some change their vote during the outage
            await voter.ok("vote.cast", poll=poll_id, ballot=ballot(rng), command_id=f"w{i}")
        await asyncio.sleep(10 - 2)
        redis_server.start()
        await moderator_b.wait_for(lambda: {"type": "health", "broker": "ok"} in moderator_b.others, 20)

        result = await final_result(presenter, poll_id)
        ballots = await stored_ballots(postgres_database, poll_id)
        assert len(ballots) == 40 and len({entry["voter"] for entry in ballots}) == 40
        assert result["tally"]["ballots"] == 40
        assert {k: v for k, v in result["tally"]["counts"].items() if v} == counts_of(ballots)
        for client in (*voters, presenter, moderator_b):
            await client.close()
    finally:
        a.stop()
        b.stop()


async def test_votes_while_the_database_is_unreachable_are_refused_never_acked(
    postgres_database: str,
) -> None:
    """Pass: while PostgreSQL is unreachable every vote is answered with store_unavailable; after it
    returns, retrying the same command ids succeeds; the ballots in PostgreSQL are exactly the
    acknowledged votes."""
    proxy = await CuttableProxy("127.0.0.1", 5432).start()
    database = postgres_database.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    rng = random.Random(3)
    settings = Settings(database_url=database, limits=Limits(commands_per_second=100, command_burst=100))
    try:
        async with running_server(settings) as server:
            code = f"P{secrets.token_hex(3).upper()}"
            created = await create_event(server.base, code=code)
            presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
            presenter = await Client(server.ws_url, code, token=presenter_token).connect()
            poll_id = await open_poll(server.base, code, created["organizer_secret"], presenter)
            voters = [await Client(server.ws_url, code).connect() for _ in range(12)]
            for voter in voters:
                await voter.wait_for(lambda v=voter: v.snapshots)
            choices = [ballot(rng) for _ in voters]
            for i in range(6):
                await voters[i].ok("vote.cast", poll=poll_id, ballot=choices[i], command_id=f"v{i}")
            proxy.cut()
            for i in range(6, 12):
                refused = await voters[i].command("vote.cast", poll=poll_id, ballot=choices[i], command_id=f"v{i}")
                assert refused["type"] == "error" and refused["code"] == "store_unavailable", refused
            proxy.restore()
            for i in range(6, 12):
                voters[i].answers.clear()
                await voters[i].ok("vote.cast", poll=poll_id, ballot=choices[i], command_id=f"v{i}")
            ballots = await stored_ballots(postgres_database, poll_id)
            assert len(ballots) == 12
            assert sorted(sorted(e["ballot"]["choices"]) for e in ballots) == sorted(sorted(c["choices"])
                                                                                   for c in choices)
            for client in (*voters, presenter):
                await client.close()
    finally:
        await proxy.close()
