"""The floor from the screens people hold: a participant asks for it on the phone, the chair gives
it on the presenter console, the projector shows who speaks with the countdown (the plenária's
other panels are checked step by step in test_plenaria_final.py)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference
from tests.client import Client

pytestmark = pytest.mark.browser

TIMER = re.compile(r"^\d{1,2}:\d{2}$")


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
