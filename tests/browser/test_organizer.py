"""The organizer page in Portuguese as an organizer meets it: errors in their language with the
details that matter, a credentials list checked row by row before the good rows are imported,
agenda times validated, drafts edited, and a button for every export the API offers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Browser, Conference, Shot
from tests.browser.test_flows import keep

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"must|line \d|unknown|exceed|required|is not", re.IGNORECASE)


async def test_errors_speak_portuguese_and_drafts_can_be_edited(browser: Browser, conference: Conference) -> None:
    page = await browser.page(conference.url("organizer"))
    builder = page.locator("#poll-builder")
    await expect(builder).to_be_visible()
    await page.locator("#pb-kind").select_option("multiple")
    await page.locator("#pb-question").fill("Escolha as propostas municipais")
    await page.locator("#pb-options").fill("# Municipal / 3\nEixo 1 | Ampliar o CRAS\nEixo 1 | Transporte rural")
    await page.get_by_role("button", name="Criar como rascunho").click()
    error = builder.locator(".ballot-error")
    # The server refused it; the page says so in Portuguese, with the section and the numbers.
    await expect(error).to_have_text(
        "seção 1 (“Municipal”) · máximo de escolhas: o máximo (3) passa das 2 opções oferecidas.")
    assert not ENGLISH.search(await error.inner_text())
    await browser.audit(page, step="poll refused")
    await page.locator("#pb-options").fill("# Municipal / 2\nEixo 1 | Ampliar o CRAS\nEixo 1 | Transporte rural")
    await page.get_by_role("button", name="Criar como rascunho").click()
    row = page.locator("#org-polls .poll-row", has_text="Escolha as propostas municipais")
    await expect(row).to_be_visible()

    # A draft can be edited: the form fills with it, saving changes it (no second poll).
    await row.get_by_role("button", name=re.compile("^Editar")).click()
    await expect(page.locator("#pb-options")).to_have_value(
        "# Municipal / 2\nEixo 1 | Ampliar o CRAS\nEixo 1 | Transporte rural")
    await page.locator("#pb-question").fill("Escolha até 2 propostas municipais")
    await page.locator("#pb-options").fill(
        "# Municipal / 2\nEixo 1 | Ampliar o CRAS\nEixo 1 | Transporte rural\nEixo 2 | Centro-dia")
    await browser.audit(page, step="editing a draft")
    await page.get_by_role("button", name="Salvar o rascunho").click()
    await expect(page.locator("#toasts")).to_contain_text("Rascunho salvo.")
    await expect(page.locator("#org-polls .poll-row")).to_have_count(1)
    await expect(page.locator("#org-polls")).to_contain_text("Escolha até 2 propostas municipais")
    polls = await conference.api("GET", "/polls")
    listed = polls if isinstance(polls, list) else polls["polls"]
    spec = listed[0]["spec"]
    assert [o["label"] for o in spec["options"]] == ["Ampliar o CRAS", "Transporte rural", "Centro-dia"]
    assert [o["id"] for o in spec["options"]][:2] == ["o1", "o2"], "ids of options still there are kept"

    # Agenda times: "amanhã de manhã" is refused in words the organizer reads; 9:30 is taken.
    when = page.get_by_label("Horário").last
    await page.get_by_label("Título da sessão").last.fill("Plenária final")
    await when.fill("amanhã de manhã")
    await page.get_by_role("button", name="Adicionar sessão").click()
    toast = page.locator("#toasts .toast-error").last
    await expect(toast).to_contain_text("Horário inválido “amanhã de manhã”: use HH:MM (14:30)")
    await expect(toast).to_contain_text("America/Campo_Grande")
    await browser.audit(page, step="agenda time refused")
    await page.get_by_label("Horário").last.fill("9:30")
    await page.get_by_role("button", name="Adicionar sessão").click()
    await expect(page.locator("#agenda-edit li").last.locator("input").nth(1)).to_have_value("09:30")
    assert [e for e in browser.errors if "status of 422" not in e] == [], browser.errors  # the refused time


async def test_a_credentials_list_is_checked_per_row_then_the_good_rows_imported(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    await conference.api("POST", "/delegates", {"csv": "Joana Prado,Governo"})
    page = await browser.page(conference.url("organizer"))
    rows = ("Maria da Silva,Usuários\nJoão Souza,Governo\nMaria da  SILVA,Trabalhadores\n,Governo\n"
            "Pedro Alves,Marte\nJoana Prado,Usuários\nAna Lima,Sociedade civil")
    await page.locator("#csv").fill(rows)
    await page.get_by_role("button", name="Verificar a lista").click()
    table = page.locator("#csv-preview table")
    await expect(table.locator("caption")).to_have_text("3 válidas, 4 com problemas")
    problems = table.locator("tr[data-ok=false]")
    await expect(problems).to_have_count(4)
    await expect(problems.nth(0)).to_contain_text("Linha 3: Maria da SILVA já está na linha 1.")
    await expect(problems.nth(1)).to_contain_text("Linha 4: falta o nome.")
    await expect(problems.nth(2)).to_contain_text("Linha 5: segmento desconhecido “Marte” (use: Usuários, Trabal")
    await expect(problems.nth(3)).to_contain_text("Linha 6: Joana Prado já tem uma credencial neste evento.")
    assert not ENGLISH.search(await table.inner_text())
    await page.locator("#csv-preview").evaluate("e => e.scrollIntoView({block: 'center'})")
    await shot(page, "organizer-csv-preview")
    await page.get_by_role("button", name="Importar as 3 linhas válidas e gerar os códigos").click()
    await expect(page.locator("#delegate-result tbody tr")).to_have_count(3)
    await expect(page.locator("#csv-preview")).to_contain_text("4 linhas com problemas ficaram na caixa")
    await expect(page.locator("#csv")).to_have_value("Maria da  SILVA,Trabalhadores\n,Governo\nPedro Alves,Marte\n"
                                                     "Joana Prado,Usuários")
    listing = await conference.api("GET", "/delegates")
    assert sorted(d["name"] for d in listing["delegates"]) == ["Ana Lima", "Joana Prado", "João Souza",
                                                                "Maria da Silva"]
    keep("organizer-csv-preview", "organizer-csv-preview")
    assert not browser.errors, browser.errors


async def test_every_export_the_api_offers_has_a_working_button(browser: Browser, conference: Conference) -> None:
    await conference.api("POST", "/polls", {"spec": {"kind": "yes_no_abstain", "question": "Aprova o regimento?"}})
    page = await browser.page(conference.url("organizer"))
    listing: dict[str, dict[str, str]] = (await conference.api("GET", "/exports"))["exports"]
    await expect(page.locator("#s-exports ~ .export-row button[data-export]").first).to_be_visible()
    await expect(page.locator("#org-polls [data-export]")).to_have_count(len(listing["poll"]))
    buttons = page.locator("[data-export]")
    on_page = set(await buttons.evaluate_all("nodes => nodes.map((n) => n.dataset.export)"))
    poll_id = (await conference.api("GET", "/polls"))
    poll_id = (poll_id if isinstance(poll_id, list) else poll_id["polls"])[0]["id"]
    wanted = {url.replace("{poll}", str(poll_id)) for formats in listing.values() for url in formats.values()}
    assert on_page == wanted, on_page ^ wanted
    await browser.audit(page, step="exports")

    participant = await browser.page(conference.url("participant"))
    await expect(participant.locator("body")).to_have_attribute("data-connection", "online")
    public_id = await participant.evaluate("window.plenaria.hub.participant.id")
    await page.locator("#privacy-id").fill(public_id)
    # Every address answers (tests/e2e/test_export_listing.py); here, one button of each kind
    # is pressed as the organizer would: the report, an event export, a poll's, a participant's.
    kinds = {"/exports/messages?format=json", f"/polls/{poll_id}/ballots.csv", "/export?format=csv", "/report"}
    downloads = 0
    for index in range(await buttons.count()):
        button = buttons.nth(index)
        path = await button.get_attribute("data-export")
        assert path is not None
        if not any(path.endswith(kind) for kind in kinds):
            continue
        if path.endswith("/report"):
            async with page.context.expect_page() as opened:
                await button.click()
            report = await opened.value
            await report.wait_for_load_state("load")
            await expect(report.locator("h1")).to_have_text(conference_title(conference))
            await expect(report.locator("body")).to_contain_text("Relatório da conferência")
            # Its stylesheet applies (an address the opened page can reach): print rules, A4.
            assert await report.evaluate("getComputedStyle(document.body).fontFamily") != ""
            sheets = await report.evaluate("[...document.styleSheets].map((s) => s.cssRules.length)")
            assert sheets and sheets[0] > 0
            await browser.audit(report, step="report")
            continue
        async with page.expect_download() as downloaded:
            await button.click()
        download = await downloaded.value
        assert await download.failure() is None, path
        assert download.suggested_filename.endswith((".csv", ".json")), download.suggested_filename
        assert Path(await download.path()).stat().st_size > 0, path
        downloads += 1
    assert downloads == len(kinds) - 1
    assert not [e for e in browser.errors if "favicon" not in e], browser.errors


def conference_title(conference: Conference) -> Any:
    return "13ª Conferência Municipal de Assistência Social"
