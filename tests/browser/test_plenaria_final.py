"""The seed conference's plenária final end to end, over real websockets with the projector and
the overlay in Chromium checked at each step: 40 delegates in four segments check in, quorum,
someone has the floor, 30 proposals, 3 destaques, the rest approved in a block, one destaque
amended and adopted by two thirds, one rejected, a moção signed to its threshold and adopted, and
the final 10/2/2 ballot on the approved texts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from server.settings import Limits, Settings
from tests.browser.conftest import Browser
from tests.client import Client
from tests.harness import Running, add_sessions, create_event

pytestmark = pytest.mark.browser

CODE = "PLEN17"
SEGMENTS = ["Usuários", "Trabalhadores", "Entidades", "Governo"]
TWO_THIRDS = {"majority": "two_thirds", "base": "valid", "quorum_numerator": 1, "quorum_denominator": 2}
SIMPLE = {"majority": "simple", "base": "valid", "quorum_numerator": 1, "quorum_denominator": 2}


def proposals() -> dict[str, Any]:
    """30 proposals: 20 municipal, 5 state, 5 federal; choose 10, 2 and 2."""
    scopes = [("m", "municipal", "Municipais", 20, 10), ("e", "estadual", "Estaduais", 5, 2),
              ("f", "federal", "Federais", 5, 2)]
    options = [{"id": f"{p}{i}", "label": f"Proposta {sid} {i}", "group": f"Eixo {i % 4 + 1}"}
               for p, sid, _, n, _ in scopes for i in range(1, n + 1)]
    sections = [{"id": sid, "title": title, "option_ids": [f"{p}{i}" for i in range(1, n + 1)], "max_picks": k}
                for p, sid, title, n, k in scopes]
    return {"kind": "multiple", "question": "Propostas da conferência", "options": options, "sections": sections}


class Plenary:
    def __init__(self, server: Running, http: httpx.AsyncClient, chair: Client, delegates: list[Client],
                 public: str, session: int) -> None:
        self.server, self.http, self.chair, self.delegates, self.public = server, http, chair, delegates, public
        self.session = session
        self.screens: list[Any] = []

    async def shows(self, selector: str, text: str | re.Pattern[str], *, exact: bool = False) -> None:
        """Both the projector and the overlay show `text` in `selector`."""
        for page in self.screens:
            locator = page.locator(selector).first
            await (expect(locator).to_have_text(text) if exact else expect(locator).to_contain_text(text))

    async def vote(self, target: dict[str, Any], rule: dict[str, Any], yes: int, no: int,
                   abstain: int = 0) -> dict[str, Any]:
        """A yes/no/abstain poll of the delegates, called for `target`, cast, closed and proclaimed."""
        spec = {"kind": "yes_no_abstain", "question": "Aprova?", "rule": rule}
        poll = (await self.chair.ok("poll.create", spec=spec, eligibility="delegates"))["poll"]["id"]
        await self.chair.ok("plenary.vote", vote_poll=poll, **target)
        await self.chair.ok("poll.open", poll=poll)
        choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
        answers = await asyncio.gather(*(d.command("vote.cast", poll=poll, ballot={"choice": c})
                                         for d, c in zip(self.delegates, choices, strict=False)))
        assert all(a["type"] == "ack" for a in answers), [a for a in answers if a["type"] != "ack"][:1]
        await self.chair.ok("poll.close", poll=poll)
        return await self.chair.ok("plenary.decide", **target)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The chair runs a whole plenária in seconds here; in a room it takes hours.
    return Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}",
                    limits=Limits(commands_per_second=1000, command_burst=1000))


@pytest.fixture
async def plenary(server: Running) -> AsyncIterator[Plenary]:
    created = await create_event(server.base, code=CODE, segments=SEGMENTS, title="Conferência Municipal")
    [session] = await add_sessions(server.base, CODE, created["organizer_secret"], ["Plenária final"])
    public = f"ev:{created['event']['id']}:public"
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    chair_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        csv_text = "".join(f"Delegado {i},{SEGMENTS[i % 4]}\n" for i in range(40))
        response = await http.post(f"/api/events/{CODE}/delegates", content=csv_text.encode(),
                                   headers={"content-type": "text/csv"})
        credentials = response.json()["delegates"]
        chair = await Client(server.ws_url, CODE, token=chair_token).connect()

        async def redeemed(credential: dict[str, Any]) -> Client:
            device = await Client(server.ws_url, CODE).connect()
            await device.ok("delegate.redeem", code=credential["code"])
            return device

        # 40 phones at once, as a hall of delegates would (and in a second, not one after another).
        delegates = list(await asyncio.gather(*(redeemed(credential) for credential in credentials)))
        # 36 of the 40 come to the door, where the check-in link scans their credentials.
        door_token = (await http.post(f"/api/events/{CODE}/staff", json={"role": "checkin", "label": "Porta"})
                      ).json()["token"]
        door = await Client(server.ws_url, CODE, token=door_token).connect()
        await asyncio.gather(*(door.ok("checkin.in", code=credential["code"], method="scan")
                               for credential in credentials[:36]))
        await door.close()
        yield Plenary(server, http, chair, delegates[:36], public, session["id"])
        for client in (chair, *delegates):
            await client.close()


async def test_the_seed_plenaria_final(plenary: Plenary, browser: Browser) -> None:
    chair, delegates = plenary.chair, plenary.delegates
    base = plenary.server.base
    plenary.screens = [await browser.page(f"{base}/screen/{CODE}", viewport={"width": 1920, "height": 1080}),
                       await browser.page(f"{base}/overlay/{CODE}", viewport={"width": 1920, "height": 1080})]

    # The floor: a delegate speaks against, the countdown runs on both screens.
    await chair.ok("session.start", session=plenary.session)
    await delegates[9].ok("speakers.request", session=plenary.session, stance="against")
    await chair.ok("speakers.start", session=plenary.session, seconds=180)
    await chair.ok("screen.show", kind="speakers", ref=plenary.session)
    await plenary.shows(".speaker-name", "Delegado 9", exact=True)
    await plenary.shows(".speech-timer", re.compile(r"^(3:00|2:5\d)$"), exact=True)
    await chair.ok("speakers.end", session=plenary.session)
    ballot = (await plenary.http.post(f"/api/events/{CODE}/polls",
                                      json={"spec": proposals(), "eligibility": "delegates"})).json()
    poll = ballot["id"]

    # The destaque window: three proposals are marked; a mark taken back does not count.
    assert (await delegates[0].command("destaque.mark", poll=poll, proposal="m3"))["code"] == "no_window"
    assert (await delegates[0].command("destaque.window", poll=poll, open=True))["code"] == "forbidden"
    await chair.ok("destaque.window", poll=poll, open=True)
    await chair.ok("screen.show", kind="destaque", ref=poll)
    for who, proposal in [(0, "m3"), (1, "m3"), (2, "m7"), (3, "e2"), (4, "m1")]:
        await delegates[who].ok("destaque.mark", poll=poll, proposal=proposal)
    await delegates[4].ok("destaque.mark", poll=poll, proposal="m1", marked=False)
    retried = await delegates[0].command("destaque.mark", poll=poll, proposal="m3", command_id="mark-once")
    again = await delegates[0].command("destaque.mark", poll=poll, proposal="m3", command_id="mark-once")
    assert retried == again and retried["type"] == "ack"
    closed = (await chair.ok("destaque.window", poll=poll, open=False))["destaques"]
    assert [d["ref"] for d in closed["destaques"]] == ["m3", "m7", "e2"] and len(closed["block"]) == 27
    await plenary.shows(".panel-destaque .big-title", "27 propostas sem destaque", exact=True)
    assert (await delegates[5].command("destaque.mark", poll=poll, proposal="m9"))["code"] == "window_closed"

    # The block: one vote for the 27 proposals without destaque.
    block = (await plenary.vote({"poll": poll}, SIMPLE, yes=30, no=3, abstain=3))["destaques"]
    assert block["block_verdict"] == "approved" and block["phase"] == "destaques"
    assert block["block_decision"]["label"] == "aprovada"
    await plenary.shows(".verdict strong", "aprovada", exact=True)
    closed = block["block_decision"]["closed"]
    assert (closed["entitled"], closed["present"]) == (40, 36)

    # m3: defence for, defence against, amended, adopted by two thirds (25 of 35 valid ≥ 24).
    m3 = {"poll": poll, "proposal": "m3"}
    assert (await chair.command("plenary.defend", stage="against", defender="Ana", **m3))["code"] == "wrong_stage"
    await chair.ok("plenary.defend", stage="for", defender="Delegado 0", seconds=180, **m3)
    await chair.ok("plenary.defend", stage="against", defender="Delegado 9", seconds=180, **m3)
    await chair.ok("plenary.amend", text="Proposta municipal 3, com a emenda da plenária", **m3)
    await plenary.shows(".panel-kicker", "Defesa contra")
    await plenary.shows(".matter-text", "Proposta municipal 3, com a emenda da plenária", exact=True)
    await plenary.shows(".matter-original s", "Proposta municipal 3", exact=True)
    await plenary.shows(".matter-defender", "Delegado 9", exact=True)
    adopted = (await plenary.vote(m3, TWO_THIRDS, yes=25, no=10, abstain=1))["destaques"]
    decided = next(d for d in adopted["destaques"] if d["ref"] == "m3")
    assert decided["verdict"] == "approved" and decided["original"] == "Proposta municipal 3"
    assert decided["decision"]["required"] == 24 and decided["decision"]["counts"]["yes"] == 25
    await plenary.shows(".verdict", "aprovada: 25 sim, 10 não")
    # m7 is rejected; e2 approved by a simple majority.
    rejected = (await plenary.vote({"poll": poll, "proposal": "m7"}, SIMPLE, yes=10, no=25))["destaques"]
    assert next(d for d in rejected["destaques"] if d["ref"] == "m7")["decision"]["label"] == "rejeitada"
    await plenary.shows(".verdict strong", "rejeitada", exact=True)
    done = (await plenary.vote({"poll": poll, "proposal": "e2"}, SIMPLE, yes=20, no=10))["destaques"]
    assert done["phase"] == "done" and len(done["approved"]) == 29

    # A moção: 20% of 36 present is 8 signatures, the author's included.
    submitted = await delegates[0].ok("mocao.submit", kind="repudio", text="Repúdio ao corte do cofinanciamento",
                                      addressee="Governo do Estado")
    motion = submitted["motion"]
    assert submitted["mocoes"]["needed"] == 8
    await chair.ok("screen.show", kind="mocao", ref=motion)
    await plenary.shows(".panel-mocao", "1 de 8 assinaturas")
    for signer in delegates[1:7]:
        await signer.ok("mocao.sign", motion=motion)
    assert (await chair.command("plenary.defend", stage="for", motion=motion))["code"] == "motion_not_queued"
    queued = (await delegates[7].ok("mocao.sign", motion=motion))["mocoes"]["motions"][0]
    assert queued["signatures"] == 8 and queued["matter"]["stage"] == "waiting"
    assert (await delegates[8].command("mocao.sign", motion=motion))["code"] == "motion_queued"
    await chair.ok("plenary.defend", stage="for", defender="Delegado 0", motion=motion)
    moved = (await plenary.vote({"motion": motion}, SIMPLE, yes=28, no=5, abstain=3))["mocoes"]
    assert moved["motions"][0]["matter"]["verdict"] == "approved"
    await plenary.shows(".panel-mocao .panel-kicker", "Moção de repúdio")
    await plenary.shows(".verdict strong", "aprovada", exact=True)

    # The final ballot: the proposal ballot's 10/2/2 over the 29 approved texts, m3 as amended.
    final = (await chair.ok("plenary.ballot", poll=poll))["poll"]
    spec = final["spec"]
    labels = {o["id"]: o["label"] for o in spec["options"]}
    assert len(labels) == 29 and "m7" not in labels
    assert labels["m3"] == "Proposta municipal 3, com a emenda da plenária"
    assert [(s["id"], len(s["option_ids"]), s["max_picks"]) for s in spec["sections"]] == [
        ("municipal", 19, 10), ("estadual", 5, 2), ("federal", 5, 2)]
    await chair.ok("poll.open", poll=final["id"])
    await chair.ok("screen.show", kind="poll", ref=final["id"])
    await plenary.shows(".panel-poll", "Proposta municipal 3, com a emenda da plenária")
    await browser.audit(*plenary.screens, step="final ballot")

    # Every screen that joins now sees the same; the export says who marked and who signed.
    screen = await Client(plenary.server.ws_url, CODE).connect()
    await screen.wait_for(lambda: plenary.public in screen.snapshots)
    state = screen.snapshots[plenary.public]
    assert state["destaques"][0]["phase"] == "done" and state["mocoes"]["motions"][0]["matter"]["verdict"] == "approved"
    exported = (await plenary.http.get(f"/api/events/{CODE}/exports/destaques?format=json")).json()
    assert len(exported["mocoes"]["motions"][0]["signers"]) == 8
    assert sorted(exported["destaques"][0]["marked_by"]) == ["e2", "m3", "m7"]
    log = (await plenary.http.get(f"/api/events/{CODE}/exports/procedure?format=json")).json()["log"]
    assert [e["action"] for e in log].count("plenary.decide") == 5
    await screen.close()
