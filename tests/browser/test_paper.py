"""Issue 18 in Chromium.

A ranked delegate election from the organizer's form to the participant's result: the organizer
picks single transferable vote and its seats, delegates rank over real websockets, and the phone
shows the count round by round (the Wikipedia STV example scaled to 10 voters, which leaves the
last seat tied: the phone says so and names who the plenary chooses between). Then the
secretary's ata card: a note, the draft PDF read back, the ata marked final. Then certificates
issued from the organizer's card for a delegate checked in during a live session, and verified."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect
from pypdf import PdfReader

from tests.browser.conftest import PHONE, Browser, Conference, Shot
from tests.client import Client

pytestmark = pytest.mark.browser

# Laranjas, Peras, Chocolate, Morangos, Bombons: 10 voters, 3 seats, Droop quota 3.
RANKINGS = [["o1"]] * 2 + [["o2", "o1"]] + [["o3", "o4"]] * 4 + [["o3", "o5"]] * 2 + [["o5"]]


async def test_stv_count_from_the_form_to_the_phone(browser: Browser, conference: Conference, shot: Shot) -> None:
    page = await browser.page(conference.url("organizer"))
    await page.locator("#pb-kind").select_option("ranking")
    seats = page.locator("#pb-rank-seats")
    await expect(seats).to_be_hidden()
    await page.locator("#pb-rank-method").select_option("stv")
    await expect(seats).to_be_visible()
    await seats.fill("3")
    await page.locator("#pb-question").fill("Ordene as candidaturas ao conselho")
    await page.locator("#pb-options").fill("Laranjas\nPeras\nChocolate\nMorangos\nBombons")
    await browser.audit(page, step="ranking poll with STV")
    await page.get_by_role("button", name="Criar como rascunho").click()
    await expect(page.locator("#org-polls .poll-row", has_text="Ordene as candidaturas")).to_be_visible()
    polls = await conference.api("GET", "/polls")
    (poll,) = polls if isinstance(polls, list) else polls["polls"]
    assert (poll["spec"]["method"], poll["spec"]["seats"]) == ("stv", 3)

    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    ws_url = conference.server.ws_url
    presenter = await Client(ws_url, conference.code, token=conference.presenter).connect()
    await presenter.ok("poll.open", poll=poll["id"])
    voters = [await Client(ws_url, conference.code).connect() for _ in RANKINGS]
    for voter, ranking in zip(voters, RANKINGS, strict=True):
        await voter.ok("vote.cast", poll=poll["id"], ballot={"ranking": ranking})
    await presenter.ok("poll.close", poll=poll["id"])

    await phone.get_by_role("tab", name="Resultados").click()
    card = phone.locator(".result-card", has_text="Ordene as candidaturas")
    count = card.locator(".ranked-count")
    await expect(count.locator(".count-method")).to_have_text("Voto único transferível, 3 vagas · quociente 3 votos")
    rounds = count.locator(".count-round")
    await expect(rounds.first).to_contain_text("Rodada 1")
    await expect(rounds.first.locator(".count-notes")).to_have_text("Eleitos: Chocolate")
    # Chocolate's surplus of 3 goes 2 to Morangos and 1 to Bombons: both shown as transferred.
    second = rounds.nth(1)
    await expect(second.locator("tr", has_text="Morangos").locator(".count-moved")).to_have_text("+2")
    await expect(second.locator(".count-notes")).to_have_text("Eliminados: Peras")
    await expect(count).to_contain_text("Eleitos: Laranjas")
    selected = card.locator(".bar-row[data-outcome=selected]")
    await expect(selected).to_have_count(2)
    # Round 4: Morangos and Bombons hold 2 votes each for the last seat; nobody is eliminated.
    last = rounds.nth(3)
    await expect(last.locator("tr[data-state=tied]")).to_have_count(2)
    await expect(count.locator(".count-tie")).to_have_text(
        "⚖ Empate entre Morangos, Bombons: 1 vaga para a plenária decidir")
    await expect(card.locator(".bar-row[data-outcome=tied]")).to_have_count(2)
    await browser.audit(phone, step="the rounds of an STV count")
    await shot(phone, "participant-phone-stv-rounds")
    for client in (presenter, *voters):
        await client.close()
    assert not browser.errors, browser.errors


async def test_the_secretary_writes_notes_downloads_and_freezes_the_ata(browser: Browser, conference: Conference,
                                                                         shot: Shot) -> None:
    page = await browser.page(conference.url("organizer"))
    card = page.locator("#ata")
    await expect(card.locator(".ata-status")).to_have_text(
        "Minuta: acompanha a conferência até ser marcada como final.")
    note = card.get_by_label("Abertura oficial")
    await note.fill("Mesa de abertura composta pela secretária municipal; leitura do regimento.")
    await card.locator(".ata-note-field").filter(has=page.get_by_label("Abertura oficial")).get_by_role(
        "button", name="Salvar nota").click()
    await expect(page.locator("#toasts")).to_contain_text("Nota salva.")
    async with page.expect_download() as downloaded:
        await card.get_by_role("button", name="Baixar PDF").click()
    download = await downloaded.value
    assert download.suggested_filename == f"ata-{conference.code}-minuta.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(str(await download.path())).pages)
    assert "leitura do regimento" in text and "Minuta (não final)" in text
    await browser.audit(page, step="the ata card")
    browser.accept_dialogs = True
    await card.get_by_role("button", name="Marcar a ata como final").click()
    await expect(card.locator(".ata-status")).to_contain_text("Final. Impressão digital (SHA-256): ")
    await expect(note).to_be_disabled()
    fingerprint = (await conference.api("GET", "/ata"))["fingerprint"]
    await expect(card.locator(".ata-status")).to_contain_text(fingerprint)
    await shot(page, "organizer-ata-final")
    assert not browser.errors, browser.errors


async def test_the_organizer_issues_certificates_and_anyone_verifies_one(browser: Browser, conference: Conference,
                                                                          shot: Shot) -> None:
    async with httpx.AsyncClient(base_url=conference.server.base,
                                 headers={"authorization": f"Bearer {conference.secret}"}) as http:
        imported = await http.post(f"/api/events/{conference.code}/delegates", headers={"content-type": "text/csv"},
                                   content="Maria das Graças Silva,Usuários\n".encode())
        (maria,) = imported.json()["delegates"]
        door_token = (await http.post(f"/api/events/{conference.code}/staff",
                                      json={"role": "checkin", "label": "Porta"})).json()["token"]
    ws_url = conference.server.ws_url
    presenter = await Client(ws_url, conference.code, token=conference.presenter).connect()
    door = await Client(ws_url, conference.code, token=door_token).connect()
    await presenter.ok("session.start", session=conference.sessions[0]["id"])
    await door.ok("checkin.in", code=maria["code"], method="typed")

    page = await browser.page(conference.url("organizer"))
    card = page.locator("#certificates")
    await expect(card.locator("tbody tr")).to_have_count(1)
    await expect(card.locator("tbody tr")).to_contain_text("atinge o mínimo")
    await card.get_by_role("button", name="Emitir certificados").click()
    await expect(page.locator("#toasts")).to_contain_text("1 certificado emitido.")
    code = await card.locator("tbody a").inner_text()
    async with page.expect_download() as downloaded:
        await card.get_by_role("button", name="Baixar os certificados (PDF)").click()
    text = PdfReader(str(await (await downloaded.value).path())).pages[0].extract_text().replace("\n", " ")
    assert "Certificamos que Maria das Graças Silva participou da 13ª Conferência Municipal de Assistência Social" \
        in text and code in text
    await browser.audit(page, step="certificates issued")
    verify = await browser.page(f"{conference.server.base}/verify/{code}")
    await expect(verify.locator(".verdict")).to_have_text("✓ Certificado válido")
    await expect(verify.locator("main")).to_contain_text("Maria das Graças Silva")
    await browser.audit(verify, step="verification page")
    await shot(verify, "certificate-verified")
    for client in (presenter, door):
        await client.close()
    assert not browser.errors, browser.errors
