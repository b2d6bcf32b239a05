"""STV delegate elections over a real server and real websockets: ranked ballots per segment,
exactly once, sealed when secret, counted per segment with rounds, exported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.client import Client
from tests.harness import Running, create_event

CODE = "STV24"

SPEC: dict[str, Any] = {
    "kind": "election",
    "question": "Delegados para a Conferência Estadual",
    "method": "stv",
    "options": [
        {"id": "a", "label": "Ana"}, {"id": "b", "label": "Bia"}, {"id": "c", "label": "Caio"},
        {"id": "d", "label": "Duda"}, {"id": "g1", "label": "Gil"}, {"id": "g2", "label": "Gabi"},
        {"id": "g3", "label": "Guto"},
    ],
    "sections": [
        {"id": "sociedade", "title": "Sociedade civil", "option_ids": ["a", "b", "c", "d"], "seats": 2,
         "alternates": 1},
        {"id": "governo", "title": "Governo", "option_ids": ["g1", "g2", "g3"], "seats": 1, "alternates": 1},
    ],
}

# 9 ballots, some listing the government first (only the order within a segment counts).
# Sociedade civil, 2 seats, quota 9/3+1 = 4: Ana's 6 elect her; her surplus of 2 goes to Caio
# (2/6 of each of her ballots); Duda (1) is eliminated and goes to Bia (3); Caio (2) is eliminated
# and his share goes on to Bia, the one hopeful left for the last seat. First suplente: Caio.
# Governo, 1 seat, quota 9/2+1 = 5: Gil's 5 elect him; Gabi is first suplente.
BALLOTS = [["a", "c", "b", "g1", "g2"]] * 3 + [["g1", "g2", "a", "c", "b"]] * 2 + [["a", "c", "b", "g2", "g3"]] \
    + [["b", "g2", "g3"]] * 2 + [["g2", "d", "b"]]


@pytest.fixture
async def event(server: Running) -> AsyncIterator[tuple[Running, httpx.AsyncClient, Client]]:
    created = await create_event(server.base, code=CODE, segments=["Governo", "Sociedade civil"])
    presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
        yield server, http, presenter
        await presenter.close()


async def create(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await http.post(f"/api/events/{CODE}/polls", json={"spec": SPEC, **fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def result_of(client: Client, poll_id: int) -> dict[str, Any] | None:
    return next((e["data"] for e in client.named("poll.result") if e["data"]["poll"] == poll_id), None)


def ids(people: list[dict[str, Any]]) -> list[str]:
    return [p["id"] for p in people]


async def test_ranked_ballots_elect_titulares_then_suplentes_per_segment(
        event: tuple[Running, httpx.AsyncClient, Client]) -> None:
    server, http, presenter = event
    poll = await create(http)
    assert poll["spec"]["method"] == "stv" and poll["spec"]["sections"][0]["max_picks"] == 4
    await presenter.ok("poll.open", poll=poll["id"])
    voters = [await Client(server.ws_url, CODE).connect() for _ in BALLOTS]
    # The last voter first ranks otherwise, then changes the vote; a retry of one command id
    # is acknowledged again and counted once.
    await voters[-1].ok("vote.cast", poll=poll["id"], ballot={"choices": ["d", "a", "g3"]})
    acks = []
    for voter, choices in zip(voters, BALLOTS, strict=True):
        acked = await voter.command("vote.cast", command_id=f"stv-{voter.device}", poll=poll["id"],
                                    ballot={"choices": choices})
        assert acked["type"] == "ack", acked
        acks.append(acked)
    retry = await voters[3].command("vote.cast", command_id=f"stv-{voters[3].device}", poll=poll["id"],
                                    ballot={"choices": BALLOTS[3]})
    assert retry["result"] == acks[3]["result"], "a retry gets the same answer"
    # The government first on the phone, stored segment by segment, each in the voter's order.
    assert acks[3]["result"]["ballot"]["choices"] == ["a", "c", "b", "g1", "g2"]
    twice = await voters[0].command("vote.cast", poll=poll["id"], ballot={"choices": ["a", "a"]})
    assert twice["code"] == "duplicate_choice"

    await presenter.ok("poll.close", poll=poll["id"])
    result = await voters[0].wait_for(lambda: result_of(voters[0], poll["id"]))
    assert result["tally"]["ballots"] == len(BALLOTS)
    sociedade, governo = result["election"]["segments"]
    assert ids(sociedade["elected"]) == ["a", "b"] and ids(sociedade["alternates"]) == ["c"]
    assert sociedade["status"] == "decided" and sociedade["tie_for"] is None
    seats = sociedade["counts"][0]
    assert (seats["for"], seats["method"], seats["quota"]) == ("seats", "stv", 4)
    assert [(r["elected"], r["eliminated"]) for r in seats["rounds"]] == [
        (["a"], []), ([], ["d"]), ([], ["c"]), (["b"], [])]
    assert seats["rounds"][1]["totals"] == {"b": 2.0, "c": 2.0, "d": 1.0}
    assert [(c["for"], c["place"], c["elected"]) for c in sociedade["counts"][1:]] == [("alternate", 1, ["c"])]
    assert ids(governo["elected"]) == ["g1"] and ids(governo["alternates"]) == ["g2"]
    assert governo["counts"][0]["quota"] == 5
    # The live bars of a segment are its first preferences.
    assert result["tally"]["sections"]["governo"]["first"] == {"g1": 5, "g2": 4, "g3": 0}
    assert result["outcome"][0]["selected"] == ["a", "b"] and result["outcome"][0]["alternates"] == ["c"]

    exported = await http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.csv")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "segment,count,round,candidate_id,candidate,votes,status"
    assert "Sociedade civil,result,,a,Ana,6,elected" in lines and "Governo,result,,g2,Gabi,4,alternate" in lines
    assert "Sociedade civil,seats,2,d,Duda,1.0,eliminated" in lines
    assert "Sociedade civil,alternate 1,1,c,Caio,6.0,elected" in lines
    delegates = (await http.get(f"/api/events/{CODE}/exports/delegates?format=csv")).text.lstrip("\ufeff").splitlines()
    assert delegates[0].endswith(",votes,method,rounds")
    assert any(line.endswith(",Sociedade civil,elected,a,Ana,6,stv,5") for line in delegates), delegates
    report = (await http.get(f"/api/events/{CODE}/report")).text
    assert "voto único transferível, 5 rodadas" in report and "voto único transferível, 2 rodadas" in report
    ata = (await http.get(f"/api/events/{CODE}/ata")).json()
    texts = [block.get("text", "") for block in ata["document"]["blocks"]]
    assert "Apuração (voto único transferível): Sociedade civil: 5 rodadas; Governo: 2 rodadas" in texts, texts
    for voter in voters:
        await voter.close()


async def test_a_secret_stv_election_keeps_each_rank_order_through_the_seal(
        event: tuple[Running, httpx.AsyncClient, Client]) -> None:
    server, http, presenter = event
    poll = await create(http, secret=True)
    await presenter.ok("poll.open", poll=poll["id"])
    # Bia over Ana twice, Ana over Bia once: sorted choices would elect Ana, ranked ones elect Bia.
    rankings = [["b", "a", "g2", "g1"], ["g2", "g1", "b", "a"], ["a", "b", "g1", "g2"]]
    voters = [await Client(server.ws_url, CODE).connect() for _ in rankings]
    for voter, choices in zip(voters, rankings, strict=True):
        acked = await voter.ok("vote.cast", poll=poll["id"], ballot={"choices": choices})
        assert acked["secret"] is True and "ballot" not in acked
    await presenter.ok("poll.close", poll=poll["id"])
    # The count of a secret poll (unseal, shuffle, publish, recount) is the slow step on a busy machine.
    result = await presenter.wait_for(lambda: result_of(presenter, poll["id"]), timeout=15)
    sociedade, governo = result["election"]["segments"]
    assert ids(sociedade["elected"])[0] == "b" and ids(governo["elected"]) == ["g2"]
    assert result["verification"]["recount_matches"] is True
    published = (await http.get(f"/api/events/{CODE}/polls/{poll['id']}/published-ballots.csv")).text
    rows = [line.split(",") for line in published.lstrip("\ufeff").splitlines()[1:]]
    firsts = sorted(choice for _, choice, rank, *_ in rows if rank == "1")
    assert firsts == ["a", "b", "b"], "each published ballot keeps its ranks"
    for voter in voters:
        await voter.close()
