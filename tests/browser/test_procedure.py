"""The plenária's panels in Chromium: the projector and the overlay show who has the floor with
the speech's countdown, the block vote and its verdict, a destaque's defence with the amended
text beside the original, and a moção with its signatures, as the chair moves on."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference
from tests.client import Client

pytestmark = pytest.mark.browser

RULE = {"majority": "simple", "base": "valid", "quorum_numerator": 1, "quorum_denominator": 2}
TIMER = re.compile(r"^\d{1,2}:\d{2}$")


async def decide(chair: Client, delegates: list[Client], target: dict[str, Any], yes: int) -> dict[str, Any]:
    spec = {"kind": "yes_no_abstain", "question": "Aprova?", "rule": RULE}
    poll = (await chair.ok("poll.create", spec=spec, eligibility="delegates"))["poll"]["id"]
    await chair.ok("plenary.vote", vote_poll=poll, **target)
    await chair.ok("poll.open", poll=poll)
    for i, delegate in enumerate(delegates):
        await delegate.ok("vote.cast", poll=poll, ballot={"choice": "yes" if i < yes else "no"})
    await chair.ok("poll.close", poll=poll)
    return await chair.ok("plenary.decide", **target)


async def test_projector_and_overlay_follow_the_plenaria(browser: Browser, conference: Conference) -> None:
    async with httpx.AsyncClient(base_url=conference.server.base,
                                 headers={"authorization": f"Bearer {conference.secret}"}) as http:
        csv_text = "Ana Souza,Usuários\nBruno Lima,Trabalhadores\nCarla Dias,Governo\n"
        response = await http.post(f"/api/events/{conference.code}/delegates", content=csv_text.encode(),
                                   headers={"content-type": "text/csv"})
        codes = [d["code"] for d in response.json()["delegates"]]
        ballot = (await http.post(f"/api/events/{conference.code}/polls", json={"spec": {
            "kind": "multiple", "question": "Propostas", "max_picks": 2,
            "options": [{"id": f"p{i}", "label": f"Ampliar o CRAS do território {i}", "group": "Eixo 1"}
                        for i in range(1, 5)]}, "eligibility": "delegates"})).json()["id"]
    chair = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    delegates = []
    for code in codes:
        device = await Client(conference.server.ws_url, conference.code).connect()
        await device.ok("delegate.redeem", code=code)
        await chair.ok("checkin.in", code=code, method="typed")
        delegates.append(device)
    projector = await browser.page(conference.url("screen"), viewport={"width": 1920, "height": 1080})
    overlay = await browser.page(conference.url("overlay"), viewport={"width": 1920, "height": 1080})
    session = conference.sessions[2]["id"]

    # The floor: Ana asks for it, the chair gives it; both screens show her name and the countdown.
    await delegates[0].ok("speakers.request", session=session, stance="for")
    await delegates[1].ok("speakers.request", session=session, stance="against")
    await chair.ok("speakers.start", session=session, seconds=120)
    await chair.ok("screen.show", kind="speakers", ref=session)
    for page in (projector, overlay):
        await expect(page.locator(".speaker-name")).to_have_text("Ana Souza")
        await expect(page.locator(".speaker-meta")).to_contain_text("a favor")
        await expect(page.locator(".speech-timer")).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    await expect(projector.locator(".speakers-next li")).to_have_text(["Bruno Lima · contra"])
    await chair.ok("speakers.pause", session=session)
    await expect(projector.locator(".panel-speakers .badge")).to_have_text("Fala pausada")
    await browser.audit(projector, overlay, step="speakers")

    # The destaque window, the block vote and its verdict.
    await chair.ok("destaque.window", poll=ballot, open=True)
    await chair.ok("screen.show", kind="destaque", ref=ballot)
    await delegates[2].ok("destaque.mark", poll=ballot, proposal="p2")
    await expect(projector.locator(".panel-destaque .big-title")).to_have_text("1 de 4 propostas destacadas")
    await chair.ok("destaque.window", poll=ballot, open=False)
    await expect(projector.locator(".panel-destaque .big-title")).to_have_text("3 propostas sem destaque")
    await decide(chair, delegates, {"poll": ballot}, yes=3)
    for page in (projector, overlay):
        await expect(page.locator(".verdict strong")).to_have_text("aprovada")

    # A destaque's defence: the text as amended, the original struck, the defender and the clock.
    target = {"poll": ballot, "proposal": "p2"}
    await chair.ok("plenary.defend", stage="for", defender="Carla Dias", seconds=180, **target)
    await chair.ok("plenary.amend", text="Ampliar e reformar o CRAS do território 2", **target)
    for page in (projector, overlay):
        await expect(page.locator(".matter-text")).to_have_text("Ampliar e reformar o CRAS do território 2")
        await expect(page.locator(".matter-original s")).to_have_text("Ampliar o CRAS do território 2")
        await expect(page.locator(".panel-kicker")).to_contain_text("Defesa a favor")
        await expect(page.locator(".matter-defender")).to_have_text("Carla Dias")
        await expect(page.locator(".speech-timer")).to_have_text(TIMER)
    await browser.audit(projector, overlay, step="destaque")
    await decide(chair, delegates, target, yes=1)
    await expect(projector.locator(".verdict strong")).to_have_text("rejeitada")

    # A moção gathering signatures (one of three present is enough at 20%: it is queued at once).
    submitted = await delegates[0].ok("mocao.submit", kind="apoio", text="Apoio aos trabalhadores do SUAS",
                                      addressee="Prefeitura")
    await chair.ok("screen.show", kind="mocao", ref=submitted["motion"])
    for page in (projector, overlay):
        await expect(page.locator(".panel-mocao .panel-kicker")).to_contain_text("Moção de apoio")
        await expect(page.locator(".mocao-addressee")).to_contain_text("Prefeitura")
    await browser.audit(projector, overlay, step="mocao")
    for client in (chair, *delegates):
        await client.close()


async def test_the_floor_is_asked_from_the_phone_and_given_from_the_presenter(
        browser: Browser, conference: Conference) -> None:
    session = conference.sessions[2]["id"]
    chair = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await chair.ok("session.start", session=session)
    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    await phone.get_by_role("tab", name="Votação").click()
    await phone.get_by_role("button", name="Falar contra").click()
    await expect(phone.locator(".floor-card")).to_contain_text("Você é o 1º da fila.")
    presenter = await browser.page(conference.url("presenter"))
    await presenter.get_by_role("button", name="Dar a palavra").click()
    await expect(presenter.locator(".chair-current")).to_contain_text("contra")
    await presenter.locator("#speakers-controls").get_by_role("button", name="Mostrar no telão").click()
    projector = await browser.page(conference.url("screen"), viewport={"width": 1920, "height": 1080})
    await expect(projector.locator(".speaker-meta")).to_contain_text("contra")
    await expect(projector.locator(".speech-timer")).to_have_text(TIMER)
    await browser.audit(phone, presenter, step="floor")
    await chair.close()
