"""A ranked (STV) delegate election in Chromium: the organizer picks STV, a voter orders each
segment's candidates on the phone with the keyboard, and once it is closed the projector and the
presenter's panel show the rounds of every segment's count."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference, Shot
from tests.browser.test_flows import keep
from tests.client import Client

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
QUESTION = "Eleição de delegados à Conferência Estadual"


async def test_a_voter_ranks_on_the_phone_and_the_projector_shows_the_rounds(
        browser: Browser, conference: Conference, shot: Shot) -> None:
    organizer = await browser.page(conference.url("organizer"))
    await organizer.locator("#pb-kind").select_option("election")
    await organizer.locator("#pb-method").select_option("stv")
    await organizer.locator("#pb-question").fill(QUESTION)
    await organizer.locator("#pb-options").fill(
        "# Sociedade civil / 2\nAna\nBia\nCaio\n# Governo / 1\nGil\nGabi")
    await organizer.get_by_role("button", name="Criar como rascunho").click()
    await expect(organizer.locator("#org-polls .poll-row", has_text=QUESTION)).to_be_visible()
    polls = await conference.api("GET", "/polls")
    (poll,) = polls if isinstance(polls, list) else polls["polls"]
    assert poll["spec"]["method"] == "stv" and [s["seats"] for s in poll["spec"]["sections"]] == [2, 1]
    # The form gives no suplentes; the organizer's API does: one for the government.
    spec = poll["spec"]
    spec["sections"][1]["alternates"] = 1
    await conference.api("PATCH", f"/polls/{poll['id']}", {"spec": spec})
    society, government = spec["sections"]
    ana, bia, caio = society["option_ids"]
    gil, gabi = government["option_ids"]

    presenter = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await presenter.ok("poll.open", poll=poll["id"])
    await presenter.ok("screen.show", kind="poll", ref=poll["id"])
    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    await phone.get_by_role("tab", name=re.compile("Votação")).click()
    ballot = phone.locator(".ballot", has_text=QUESTION)
    await expect(ballot.locator(".ballot-rule")).to_contain_text("ordem de preferência")
    segment = ballot.get_by_role("group", name="Sociedade civil")
    await expect(segment.locator(".rank-row")).to_have_text(["Ana↑↓", "Bia↑↓", "Caio↑↓"])
    # Caio to the top with the keyboard: focus his ↑ and press Enter twice (focus stays on it).
    await segment.get_by_role("button", name="Caio").first.focus()
    await phone.keyboard.press("Enter")
    await phone.keyboard.press("Enter")
    await expect(segment.locator(".rank-row")).to_have_text(["Caio↑↓", "Ana↑↓", "Bia↑↓"])
    await expect(segment.get_by_role("status")).to_have_text("Caio: agora 1º de 3")
    await ballot.get_by_role("group", name="Governo").get_by_role("button", name=re.compile("Gabi")).first.click()
    await browser.audit(phone, step="ranking the candidates of each segment")
    await shot(phone, "participant-phone-stv-ballot", audit=False)
    keep("participant-phone-stv-ballot", "participant-phone-stv-ballot")
    await ballot.get_by_role("button", name="Votar").click()
    await expect(ballot.locator(".ballot-done")).to_contain_text("Voto registrado")

    # Five more ballots over websockets. Sociedade civil, quota 6/3+1 = 3: Ana's 4 elect her and
    # her surplus of 1 goes to Bia (2); Caio (the phone's 1) is eliminated; Bia takes the last seat.
    # Governo, quota 6/2+1 = 4: Gil's 5 elect him; with Gil struck out Gabi is first suplente.
    others = [[ana, bia, gil]] * 4 + [[bia, gil]]
    voters = [await Client(conference.server.ws_url, conference.code).connect() for _ in others]
    for voter, choices in zip(voters, others, strict=True):
        await voter.ok("vote.cast", poll=poll["id"], ballot={"choices": choices})
    screen = await browser.page(conference.url("screen"), viewport=FULL_HD)
    console = await browser.page(conference.url("presenter"))
    await presenter.ok("poll.close", poll=poll["id"])

    result = await presenter.wait_for(lambda: next(
        (e["data"] for e in presenter.named("poll.result") if e["data"]["poll"] == poll["id"]), None))
    sociedade, governo = result["election"]["segments"]
    assert [c["id"] for c in sociedade["elected"]] == [ana, bia]
    assert [c["id"] for c in governo["elected"]] == [gil] and [c["id"] for c in governo["alternates"]] == [gabi]

    stage = screen.locator("#stage .panel-poll")
    rounds = stage.locator(".stage-round")
    await expect(stage.locator(".block-head .section-title", has_text="Sociedade civil · 2 vagas de titular").first
                 ).to_be_attached()
    await expect(rounds.first).to_contain_text("Rodada 1")
    await expect(stage.locator(".stage-round", has_text="Eleitos: Ana")).to_have_count(1)
    await expect(stage.locator(".stage-round", has_text="Eliminados: Caio")).to_have_count(1)
    await expect(stage.locator(".stage-round-moved", has_text="Bia +1").first).to_be_attached()
    await expect(stage.locator(".block-head .section-title", has_text="Governo · 1º suplente").first).to_be_attached()
    await shot(screen, "screen-stv-election-rounds")
    keep("screen-stv-election-rounds", "screen-stv-election-rounds")

    row = console.locator("#polls .poll-row", has_text=QUESTION)
    panels = row.locator(".election-counts .ranked-count")
    await expect(panels.first.locator(".count-title")).to_have_text("Sociedade civil · 2 vagas de titular")
    await expect(panels.first.locator(".count-round").first).to_contain_text("Eleitos: Ana")
    await expect(row.locator(".election-counts")).to_contain_text("Governo · 1º suplente")
    await browser.audit(screen, console, step="an STV election's rounds on screen")
    for client in (presenter, *voters):
        await client.close()
    assert not browser.errors, browser.errors
