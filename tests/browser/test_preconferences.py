"""Pre-conferences in Chromium: people at two meetings send proposals from their phones on the
meetings' own codes, the organizer merges two of them into one reworded proposal on the
organizer page and makes the conference's ballot from the list, and the phone ballot at the
conference shows each proposal's origin line."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference, Shot
from tests.client import Client

pytestmark = pytest.mark.browser

EIXOS = ["Financiamento", "Controle social"]


async def send(browser: Browser, url: str, text: str, eixo: str, level: str, shot: Shot | None = None) -> None:
    phone = await browser.page(url, viewport=PHONE)
    card = phone.locator("#preconference")
    await expect(card).to_contain_text("Pré-conferência · ")
    await expect(phone.locator("#stream")).to_be_hidden()  # a meeting without a broadcast: no empty player
    await phone.get_by_label("Sua proposta").fill(text)
    await phone.get_by_label("Eixo").select_option(eixo)
    await phone.get_by_label("Âmbito").select_option(level)
    await phone.get_by_role("button", name="Enviar proposta").click()
    await expect(card.locator("#pre-sent")).to_contain_text(text)
    await expect(card).to_contain_text("Recebida.")
    if shot is not None:
        await shot(phone, "preconference-phone-meeting")
    else:
        await browser.audit(phone, step="contribution sent")
    await phone.context.close()


async def test_the_organizer_merges_contributions_and_the_phone_ballot_shows_their_origin(
        browser: Browser, conference: Conference, shot: Shot) -> None:
    await conference.api("PUT", "/preconference/eixos", {"eixos": EIXOS})
    nacoes = await conference.api("POST", "/preconference/meetings",
                                  {"place": "CRAS Nações", "date": "2025-06-13", "area": "Nações", "code": "NACOES"})
    page = await browser.page(conference.url("organizer"))
    card = page.locator("#preconference")
    await expect(card.locator(".pre-meetings")).to_contain_text("CRAS Nações, 13/06")
    # A meeting added on the page: its own code and links, shown once.
    await card.get_by_label("Local").fill("CRAS São Benedito")
    await card.get_by_label("Data").fill("2025-06-16")
    await card.get_by_role("button", name="Adicionar reunião").click()
    added = card.locator("#pre-added")
    await expect(added).to_contain_text("Os links aparecem só agora")
    benedito = await added.get_by_label("Participantes").input_value()
    meeting_organizer = await added.get_by_label("Organização").input_value()
    await expect(card.locator(".pre-meetings li")).to_have_count(2)

    await send(browser, nacoes["links"]["participant"], "Ampliar a equipe do CRAS", "Financiamento", "municipal", shot)
    # The organizer's card follows the arrivals, keeping what is ticked.
    await expect(card.locator(".pre-contributions li")).to_have_count(1)
    await card.get_by_label("Ampliar a equipe do CRAS").check()
    await send(browser, nacoes["links"]["participant"], "Mais técnicos no CRAS", "Financiamento", "municipal")
    await send(browser, benedito, "Cofinanciamento estadual regular", "Financiamento", "state")
    await expect(card.locator(".pre-contributions li")).to_have_count(3)
    await expect(card.get_by_label("Ampliar a equipe do CRAS")).to_be_checked()
    await card.get_by_label("Mais técnicos no CRAS").check()
    await card.get_by_label("Redação da proposta final").first.fill("Ampliar as equipes de referência dos CRAS")
    await card.get_by_role("button", name="Reunir as selecionadas numa proposta").click()
    await expect(page.locator("#toasts")).to_contain_text("Proposta final salva.")
    proposal = card.locator("#pre-proposals li")
    await expect(proposal).to_have_count(1)
    await expect(proposal).to_contain_text("Ampliar as equipes de referência dos CRAS")
    await expect(proposal.locator(".pre-origin")).to_contain_text("CRAS Nações, 13/06 — 2 contribuições reunidas")
    await expect(proposal.locator(".pre-origin")).to_contain_text("2 apoiadores")
    await card.get_by_label("Cofinanciamento estadual regular").check()
    await card.get_by_role("button", name="Reunir as selecionadas numa proposta").click()
    await expect(card.locator("#pre-proposals li")).to_have_count(2)
    await card.scroll_into_view_if_needed()
    await shot(page, "preconference-organizer")
    await card.get_by_role("button", name="Criar cédula a partir da lista sistematizada").click()
    await expect(page.locator("#toasts")).to_contain_text("Cédula criada")
    await expect(page.locator("#org-polls")).to_contain_text("Propostas das pré-conferências")
    await expect(card.locator("#pre-loose")).to_be_hidden()

    # The meeting's own organizer page says where its contributions are consolidated.
    own = await browser.page(meeting_organizer)
    await expect(own.locator("#preconference")).to_contain_text(
        "Esta é uma reunião de pré-conferência da 13ª Conferência Municipal de Assistência Social (PLENO1)")
    await own.context.close()

    poll = next(p for p in await conference.api("GET", "/polls") if p["spec"]["question"].startswith("Propostas"))
    presenter = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await presenter.ok("poll.open", poll=poll["id"])
    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    await phone.get_by_role("tab", name="Votação").click()
    choice = phone.locator(".choice", has_text="Ampliar as equipes de referência dos CRAS")
    await expect(choice.locator(".choice-origin")).to_have_text("CRAS Nações, 13/06 — 2 contribuições reunidas")
    await expect(phone.locator(".choice", has_text="Cofinanciamento estadual regular").locator(".choice-origin")) \
        .to_have_text("CRAS São Benedito, 16/06")
    await choice.scroll_into_view_if_needed()
    await shot(phone, "preconference-phone-ballot")
    await presenter.close()
