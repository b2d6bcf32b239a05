"""A word cloud on the projector waits for the moderator: held answers, refused ones, hidden words."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, SCREEN, Browser, Conference, Shot
from tests.browser.test_flows import keep
from tests.client import Client

pytestmark = pytest.mark.browser

CLOUD = {"kind": "open_text", "question": "Uma palavra para o SUAS", "max_text_length": 80}


async def test_the_projector_cloud_shows_a_held_answer_only_once_approved(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    poll = await conference.api("POST", "/polls", {"spec": CLOUD, "visibility": "live"})
    presenter = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    voters = [await Client(conference.server.ws_url, conference.code).connect() for _ in range(2)]
    try:
        await presenter.ok("poll.open", poll=poll["id"])
        await presenter.ok("screen.show", kind="poll", ref=poll["id"])
        screen = await browser.page(conference.url("screen"), viewport=SCREEN)
        moderator = await browser.page(conference.url("moderator"))
        cloud = screen.locator(".panel-poll .cloud li")
        for voter, text in zip(voters, ("saúde", "moradia digna"), strict=True):
            await voter.ok("vote.cast", poll=poll["id"], ballot={"text": text})
        await expect(cloud.filter(has_text="moradia")).to_have_count(1, timeout=20_000)

        phone = await browser.page(conference.url("participant"), viewport=PHONE)
        await phone.get_by_role("tab", name=re.compile("Votação")).click()
        ballot = phone.locator(".ballot", has_text=CLOUD["question"])
        await ballot.get_by_label("Sua resposta").fill("vai tomar no cu")
        await ballot.get_by_role("button", name="Votar").click()
        await expect(ballot.locator(".ballot-error")).to_have_text(
            "Esta resposta fere as regras do evento e não foi registrada. Escreva outra.")
        await ballot.get_by_label("Sua resposta").fill("me liga 600 123 456")
        await ballot.get_by_role("button", name="Votar").click()
        await expect(phone.locator("#toasts")).to_contain_text("aparece na nuvem quando a moderação aprovar")

        item = moderator.locator("#queue .queue-item", has_text="me liga 600 123 456")
        await expect(item).to_be_visible(timeout=10_000)
        await expect(item.locator("mark")).to_have_text("600 123 456")
        await expect(item).to_contain_text(CLOUD["question"])
        await shot(moderator, "moderator-answer")
        keep("moderator-answer", "moderator-answer")
        assert "liga" not in " ".join(await cloud.all_text_contents())
        await item.get_by_role("button", name=re.compile("^Aprovar")).click()
        await expect(cloud.filter(has_text="liga")).to_have_count(1, timeout=20_000)

        # A shown word leaves every screen from the console's cloud card, without a reload.
        await moderator.get_by_role("button", name="Ocultar a palavra saúde de todas as telas").click()
        await expect(cloud.filter(has_text="saúde")).to_have_count(0, timeout=10_000)
        await expect(moderator.locator("#clouds .cloud-hidden")).to_contain_text("saúde")
        texts = " ".join(await cloud.all_text_contents())
        assert "tomar" not in texts and "moradia" in texts
        await shot(screen, "screen-cloud-moderated")
        assert not browser.errors, browser.errors
    finally:
        for client in (presenter, *voters):
            await client.close()
