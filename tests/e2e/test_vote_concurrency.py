"""Hundreds of clients vote at once, some retrying and some reconnecting: no vote lost, none doubled."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlmodel import select

from server.settings import Limits, Settings
from server.store import polls as repo
from server.store.poll_tables import BallotTrackerRow, CountedBallotRow, SealedBallotRow, VoteRecordRow
from tests.client import Client
from tests.e2e.test_polls import proposals_spec
from tests.harness import Running, create_event, running_server

VOTERS = 300
CODE = "MULTI1"


def ballot_for(rng: random.Random) -> dict[str, Any]:
    municipal = rng.sample([f"m{i}" for i in range(1, 17)], rng.randint(0, 10))
    state = rng.sample([f"e{i}" for i in range(1, 5)], rng.randint(0, 2))
    federal = rng.sample([f"f{i}" for i in range(1, 5)], rng.randint(0, 2))
    return {"choices": municipal + state + federal}


async def vote(client: Client, index: int, poll: int, ballot: dict[str, Any], command_id: str) -> dict[str, Any]:
    """Cast one vote the way flaky phones do, by the voter's index:

    0: plainly; 1: the same command sent twice at once; 2: send, drop the connection
    at once, reconnect (resume) and retry the same command id.
    """
    frame = json.dumps({"type": "vote.cast", "id": command_id, "poll": poll, "ballot": ballot})
    style = index % 3
    if style == 1:
        await client.send_raw(frame)
        await client.send_raw(frame)
    elif style == 2:
        await client.send_raw(frame)
        await client.close()
        await client.connect(resume=True)
        await client.send_raw(frame)
    else:
        await client.send_raw(frame)
    answer: dict[str, Any] = await client.wait_for(lambda: client.answers.get(command_id), timeout=15)
    assert answer["type"] == "ack", answer
    return dict(answer["result"])


@pytest.fixture
def database_url(store_url: str) -> str:
    """A SQLite file, or a PostgreSQL database created for this test and dropped after."""
    return store_url


async def test_hundreds_vote_at_once_and_the_tally_equals_the_store(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        limits=Limits(connections_per_address=VOTERS * 2, commands_per_second=50, command_burst=50),
    )
    async with running_server(settings) as server:
        created = await create_event(server.base, code=CODE)
        auth = {"authorization": f"Bearer {created['organizer_secret']}"}
        async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
            open_poll = (await http.post(f"/api/events/{CODE}/polls", json={"spec": proposals_spec()})).json()
            secret_poll = (await http.post(f"/api/events/{CODE}/polls", json={
                "spec": {"kind": "yes_no_abstain", "question": "Aprova o relatório final?"}, "secret": True,
            })).json()
        presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
        for poll in (open_poll, secret_poll):
            await presenter.ok("poll.open", poll=poll["id"])

        clients = await asyncio.gather(*(Client(server.ws_url, CODE).connect() for _ in range(VOTERS)))
        rng = random.Random(4)
        intended = {c.welcome["participant"]["id"]: ballot_for(rng) for c in clients}
        secret_choice = {c.welcome["participant"]["id"]: rng.choice(["yes", "no", "abstain"]) for c in clients}

        async def voter(index: int, client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
            me = client.welcome["participant"]["id"]
            if index % 10 == 0:  # a first choice, changed later: the later one must win
                await vote(client, index, open_poll["id"], ballot_for(random.Random(index)), f"first-{index}")
            acked = await vote(client, index, open_poll["id"], intended[me], f"open-{index}")
            tracker = await vote(client, index, secret_poll["id"], {"choice": secret_choice[me]}, f"secret-{index}")
            retry = await client.command("vote.cast", command_id=f"secret-{index}", poll=secret_poll["id"],
                                         ballot={"choice": "yes"})
            assert retry["result"] == tracker, "a retried secret vote returns the same tracker"
            return acked, tracker

        answers = await asyncio.gather(*(voter(i, c) for i, c in enumerate(clients)))
        trackers = [secret["tracker"] for _, secret in answers]
        assert len(set(trackers)) == VOTERS

        # The store holds exactly one ballot per voter, the last one each acknowledged.
        async with server.services.db.session() as db:
            stored = {row["voter"]: row["ballot"] for row in await repo.open_ballot_rows(db, open_poll["id"])}
            sealed_rows = (await db.exec(select(SealedBallotRow).where(
                SealedBallotRow.poll_id == secret_poll["id"]))).all()
            records = (await db.exec(select(VoteRecordRow).where(VoteRecordRow.poll_id == secret_poll["id"]))).all()
            stored_trackers = (await db.exec(select(BallotTrackerRow.tracker).where(
                BallotTrackerRow.poll_id == secret_poll["id"]))).all()
        assert len(stored) == VOTERS
        for (acked, _), client in zip(answers, clients, strict=True):
            me = client.welcome["participant"]["id"]
            assert stored[me] == acked["ballot"] == {"choices": sorted(intended[me]["choices"])}
        assert len(sealed_rows) == len(records) == VOTERS and sorted(stored_trackers) == sorted(trackers)

        expected = Counter(choice for ballot in stored.values() for choice in ballot["choices"])

        def final_tally() -> dict[str, Any] | None:
            # A tally computed before the last change of mind may already count VOTERS ballots:
            # the latest one must come to equal the store.
            tallies = [e["data"] for e in presenter.named("poll.tally") if e["data"]["poll"] == open_poll["id"]]
            latest = max(tallies, key=lambda t: t["computed_at"]) if tallies else None
            if latest is None or latest["tally"]["ballots"] != VOTERS:
                return None
            return latest if {k: v for k, v in latest["tally"]["counts"].items() if v} == dict(expected) else None

        await presenter.wait_for(final_tally, timeout=10)
        published = len([e for e in presenter.named("poll.tally") if e["data"]["poll"] == open_poll["id"]])
        assert published < VOTERS // 5, f"{published} tallies for {VOTERS} votes"

        for poll in (open_poll, secret_poll):
            await presenter.ok("poll.close", poll=poll["id"])
        results = await presenter.wait_for(
            lambda: len(found := {e["data"]["poll"]: e["data"] for e in presenter.named("poll.result")}) == 2 and found
        )
        assert {k: v for k, v in results[open_poll["id"]]["tally"]["counts"].items() if v} == dict(expected)
        assert results[open_poll["id"]]["tally"]["ballots"] == VOTERS
        secret_counts = results[secret_poll["id"]]["tally"]["counts"]
        assert {k: v for k, v in secret_counts.items() if v} == dict(Counter(secret_choice.values()))
        assert results[secret_poll["id"]]["verification"] == {
            "trackers": VOTERS, "ballots": VOTERS, "voters": VOTERS, "recount_matches": True}
        async with server.services.db.session() as db:
            counted = (await db.exec(select(CountedBallotRow.ballot).where(
                CountedBallotRow.poll_id == secret_poll["id"]))).all()
        assert Counter(b["choices"][0] for b in counted) == Counter(secret_choice.values())
        await _check_trackers(server, secret_poll["id"], trackers[:5])

        await asyncio.gather(*(c.close() for c in clients))
        await presenter.close()


async def _check_trackers(server: Running, poll_id: int, trackers: list[str]) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        for tracker in trackers:
            found = (await http.get(f"/api/events/{CODE}/polls/{poll_id}/trackers/{tracker}")).json()
            assert found == {"poll": poll_id, "tracker": tracker, "found": True, "counted": True}
