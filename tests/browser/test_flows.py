"""End-to-end flows across pages: a question from a phone to the projector, a timed poll with
live bars and a final result, hostile text in every field, and the organizer's first steps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ARTIFACTS, PHONE, SCREEN, Browser, Conference, Shot, make_conference
from tests.harness import Running

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def keep(name: str, as_name: str) -> None:
    """Copy a screenshot from test-artifacts/ to docs/screenshots/ (run with PLENARIA_KEEP_SCREENSHOTS=1)."""
    import os

    if os.environ.get("PLENARIA_KEEP_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / f"{name}.png", DOCS / f"{as_name}.png")


async def test_question_from_phone_to_projector(browser: Browser, conference: Conference, shot: Shot) -> None:
    moderator = await browser.page(conference.url("moderator"))
    await expect(moderator.locator("#event-title")).not_to_be_empty()
    # Questions wait for a moderator (pre-moderation), switched on from the console.
    await moderator.get_by_label("Pré-moderar as perguntas").check()
    await expect(moderator.locator("#toasts")).to_contain_text("Regras atualizadas.")

    phone = await browser.page(conference.url("participant"), viewport=PHONE, has_touch=True, is_mobile=True)
    await phone.get_by_role("tab", name="Perguntas").click()
    await phone.get_by_label("Sua pergunta").fill("Quando o CRAS do Jardim América volta a abrir aos sábados?")
    await phone.get_by_role("button", name="Perguntar", exact=True).click()
    await expect(phone.locator("#my-questions")).to_contain_text("aguardando revisão")
    await shot(phone, "participant-phone-question-held")

    item = moderator.locator("#queue .queue-item", has_text="CRAS do Jardim América")
    await expect(item).to_be_visible()
    await expect(item).to_have_attribute("aria-current", "true")
    # Other messages the rules hold for review, with the reasons highlighted in the text.
    other = await browser.page(conference.url("participant"), viewport=PHONE)
    for text in ("Meu CPF é 123.456.789-09, alguém pode ver minha inscrição?",
                 "ESSE GOVERNO NÃO CUMPRE NADA DO QUE PROMETEU NA ÚLTIMA CONFERÊNCIA"):
        await other.get_by_label("Mensagem").fill(text)
        await other.get_by_role("button", name="Enviar").click()
    await expect(moderator.locator("#queue .queue-item")).to_have_count(3)
    await expect(moderator.locator("#queue mark").first).to_have_text("123.456.789-09")
    await browser.audit(step="three items held")
    await shot(moderator, "moderator")
    await moderator.locator("#queue").focus()
    await moderator.keyboard.press("?")
    await expect(moderator.locator("#help")).to_be_visible()
    await browser.audit(moderator, step="shortcuts dialog")
    await moderator.keyboard.press("Escape")
    await moderator.keyboard.press("a")
    await expect(item).to_have_count(0)
    await expect(moderator.locator("#queue .queue-item")).to_have_count(2)
    await expect(moderator.locator("#audit")).to_contain_text("aprovou")

    question = phone.locator("#question-list .question", has_text="CRAS do Jardim América")
    await expect(question).to_be_visible()
    await expect(phone.locator("#my-questions")).to_have_count(1)
    await expect(phone.locator("#my-questions li")).to_have_count(0)

    await other.get_by_role("tab", name="Perguntas").click()
    upvote = other.locator("#question-list .question", has_text="CRAS do Jardim América").locator(".upvote")
    await upvote.click()
    await expect(upvote).to_have_attribute("aria-pressed", "true")
    await expect(question.locator(".upvote .n")).to_have_text("1")
    await browser.audit(step="question upvoted")

    presenter = await browser.page(conference.url("presenter"))
    await presenter.locator("#sessions li", has_text="Eixo 1").get_by_role("button", name="Iniciar").click()
    await expect(phone.locator("#now")).to_contain_text("Eixo 1 — Financiamento")
    await expect(phone.locator("#ask-hint")).to_be_empty()
    row = presenter.locator("#questions li", has_text="CRAS do Jardim América")
    await row.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    await expect(screen.locator(".panel-question .question-text")).to_have_text(
        "Quando o CRAS do Jardim América volta a abrir aos sábados?"
    )
    await expect(screen.locator(".panel-question .question-meta")).to_contain_text("1 voto")
    await expect(row.get_by_role("button", name=re.compile("No telão"))).to_be_visible()

    # A moderator pins it; everyone sees it pinned.
    await moderator.locator("[data-filter=questions]").click()
    await moderator.locator("#queue").focus()
    await moderator.keyboard.press("p")
    await expect(question.locator(".badge-accent")).to_have_text("fixada")
    await screen.wait_for_timeout(600)
    await shot(screen, "screen-question")
    await shot(phone, "participant-phone-questions")
    keep("screen-question", "screen-question")
    keep("moderator", "moderator")
    keep("participant-phone-questions", "participant-phone")
    assert not browser.errors, browser.errors


SPEC: dict[str, Any] = {
    "kind": "multiple",
    "question": "Escolha 2 propostas municipais e 1 estadual",
    "options": [
        {"id": "m1", "label": "Ampliar o horário dos CRAS", "group": "Eixo 1 — Financiamento"},
        {"id": "m2", "label": "Garantir 5% do orçamento para a assistência", "group": "Eixo 1 — Financiamento"},
        {"id": "m3", "label": "Transporte para usuários da zona rural", "group": "Eixo 2 — Controle social"},
        {"id": "e1", "label": "Cofinanciamento estadual regular", "group": ""},
        {"id": "e2", "label": "Centro-dia regional", "group": ""},
    ],
    "sections": [
        {"id": "mun", "title": "Propostas municipais", "option_ids": ["m1", "m2", "m3"],
         "min_picks": 0, "max_picks": 2},
        {"id": "est", "title": "Propostas estaduais", "option_ids": ["e1", "e2"], "min_picks": 0, "max_picks": 1},
    ],
}


async def test_timed_poll_live_bars_and_final_result(browser: Browser, conference: Conference, shot: Shot) -> None:
    poll = await conference.api("POST", "/polls", {"spec": SPEC, "visibility": "live"})
    presenter = await browser.page(conference.url("presenter"))
    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    row = presenter.locator("#polls .poll-row", has_text=SPEC["question"])
    await expect(row.locator(".poll-status")).to_have_text("Rascunho")
    voters = [await browser.page(conference.url("participant"), viewport=PHONE) for _ in range(3)]
    overlay = await browser.page(conference.url("overlay"), viewport={"width": 1920, "height": 1080})
    for voter in voters:
        await voter.get_by_role("tab", name=re.compile("Votação")).click()

    await row.locator("input.seconds").fill("20")
    await row.get_by_role("button", name=re.compile("^Abrir")).click()
    await expect(row.locator(".poll-status")).to_have_text("Aberta")
    await row.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    panel = screen.locator(".panel-poll")
    await expect(panel.locator(".poll-question")).to_have_text(SPEC["question"])
    await expect(panel.locator(".poll-timer")).to_have_text(re.compile(r"^0:(1\d|20)$"))

    def bar(option: str) -> Any:
        return panel.locator(".bar-row", has_text=option).locator(".bar-fill")

    async def width(option: str) -> float:
        return float(await bar(option).evaluate("e => parseFloat(e.style.width)"))

    assert await width("Ampliar o horário dos CRAS") == 0.0
    ballots = [["Ampliar o horário dos CRAS", "Centro-dia regional"],
               ["Ampliar o horário dos CRAS", "Garantir 5% do orçamento", "Cofinanciamento estadual"],
               ["Transporte para usuários", "Cofinanciamento estadual"]]
    seen: list[float] = []
    for n, (voter, picks) in enumerate(zip(voters, ballots, strict=True), start=1):
        ballot = voter.locator(".ballot", has_text=SPEC["question"])
        await expect(ballot).to_be_visible()
        for label in picks:
            await ballot.get_by_label(re.compile(re.escape(label))).check()
        await expect(ballot.locator(".left").first).to_contain_text("de 2")
        if n == 2:
            await ballot.scroll_into_view_if_needed()
            await shot(voter, "participant-phone-vote", audit=False)
        await ballot.get_by_role("button", name="Votar").click()
        await expect(ballot.locator(".ballot-done")).to_contain_text("Voto registrado")
        await expect(panel.locator(".poll-turnout")).to_contain_text(f"{n} voto")
        seen.append(await width("Ampliar o horário dos CRAS"))
    # The municipal bar of "Ampliar" moved: 1 of 1, 2 of 2, 2 of 3 ballots.
    assert seen[0] == pytest.approx(100) and seen[-1] == pytest.approx(200 / 3, abs=0.1), seen
    await screen.wait_for_timeout(700)
    await shot(screen, "screen-poll-live", audit=False)

    # A third municipal pick is refused on the phone, with the reason.
    ballot = voters[1].locator(".ballot", has_text=SPEC["question"])
    await expect(ballot.get_by_label(re.compile("Garantir 5%"))).to_be_checked()
    await ballot.get_by_label(re.compile("Transporte para usuários")).click()
    await expect(ballot.locator(".choice", has_text="Transporte para usuários").locator(".refusal")).to_contain_text(
        "Propostas municipais")
    await browser.audit(screen, voters[1], step="live bars, a fourth pick refused")
    await expect(ballot.get_by_label(re.compile("Transporte para usuários"))).not_to_be_checked()

    # The deadline closes it by itself; the screen shows the final result with the approved proposals.
    await expect(panel.locator(".poll-state")).to_have_text("Resultado final", timeout=25_000)
    selected = panel.locator(".bar-row[data-outcome=selected]")
    await expect(selected.filter(has_text="Ampliar o horário dos CRAS")).to_be_visible()
    await expect(selected.filter(has_text="Cofinanciamento estadual")).to_be_visible()
    # Winners first: the approved municipal proposal heads the final result.
    await expect(panel.locator(".bar-row").first).to_contain_text("Ampliar o horário dos CRAS")
    await expect(row.locator(".poll-status")).to_have_text("Encerrada")
    results = voters[1]
    await results.get_by_role("tab", name="Resultados").click()
    await expect(results.locator(".result-card", has_text=SPEC["question"])).to_contain_text("Resultado final")
    await browser.audit(step="final result")
    await screen.wait_for_timeout(700)
    await shot(screen, "screen-poll-final")
    await expect(overlay.locator(".panel-poll .poll-state")).to_have_text("Resultado final")
    (ARTIFACTS / "overlay-poll.png").write_bytes(await overlay.screenshot(omit_background=True))
    await shot(results, "participant-phone-results")
    await shot(presenter, "presenter-poll")
    keep("presenter-poll", "presenter")
    keep("participant-phone-vote", "participant-phone-vote")
    assert poll["status"] == "draft"
    assert not browser.errors, browser.errors


async def test_secret_ballot_tracker_and_the_public_ballot_box(browser: Browser, conference: Conference,
                                                                shot: Shot) -> None:
    question = "Aprova a prestação de contas do Fundo Municipal?"
    poll = await conference.api("POST", "/polls", {"spec": {"kind": "yes_no_abstain", "question": question},
                                                    "secret": True})
    presenter = await browser.page(conference.url("presenter"))
    row = presenter.locator("#polls .poll-row", has_text=question)
    await row.get_by_role("button", name=re.compile("^Abrir")).click()
    await expect(row.locator(".poll-status")).to_have_text("Aberta")
    await row.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    panel = screen.locator(".panel-poll")

    voter = await browser.page(conference.url("participant"), viewport=PHONE)
    await voter.get_by_role("tab", name=re.compile("Votação")).click()
    ballot = voter.locator(".ballot", has_text=question)
    await ballot.get_by_label("Sim").check()
    await ballot.get_by_role("button", name="Votar").click()
    done = ballot.locator(".ballot-done")
    await expect(done).to_contain_text("Seu comprovante:")
    tracker = (await done.locator("code").text_content() or "").strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", tracker), tracker
    await expect(panel.locator(".poll-turnout")).to_contain_text("1 voto")
    await expect(panel.locator(".results-hidden")).to_be_visible()  # no counts while it runs
    await shot(voter, "participant-phone-tracker")

    link = done.get_by_role("link", name="Conferir meu voto")
    box = await browser.page(f"{conference.server.base}{await link.get_attribute('href')}", viewport=PHONE)
    await expect(box.locator("#check-result")).to_contain_text("lacrada na urna")
    await expect(box.locator(".box-trackers")).to_contain_text(tracker)
    await box.get_by_label("Seu comprovante").fill("AAAA-BBBB-CCCC")
    await box.get_by_role("button", name="Conferir meu voto").click()
    await expect(box.locator("#check-result")).to_contain_text("Não encontrado")

    # The server process loses the poll's key (as a restart would): closing leaves the ballots
    # sealed until the organizer's page, which holds the spare key, counts them by itself.
    conference.server.services.polls.secret._held.clear()
    await row.get_by_role("button", name=re.compile("^Encerrar")).click()
    await expect(panel.locator(".results-hidden")).to_have_text("Apurando as cédulas…")
    await expect(row.locator(".poll-info")).to_contain_text("Aguardando apuração")
    organizer = await browser.page(conference.url("organizer"))
    await expect(panel.locator(".poll-state")).to_have_text("Resultado final", timeout=10_000)
    await expect(panel.locator(".poll-verify")).to_have_text("1 comprovante publicado · a recontagem confere")
    await expect(organizer.locator("#org-polls")).not_to_contain_text("Aguardando apuração")
    await box.reload()
    await box.get_by_label("Seu comprovante").fill(tracker.lower())
    await box.get_by_role("button", name="Conferir meu voto").click()
    await expect(box.locator("#check-result")).to_contain_text("Apurado")
    await expect(box.locator(".box-verify")).to_contain_text("a recontagem confere")
    await expect(box.get_by_role("link", name="Baixar as cédulas anônimas (CSV)")).to_be_visible()
    await shot(box, "ballot-box")
    await shot(screen, "screen-secret-result")
    keep("ballot-box", "ballot-box")
    assert poll["secret"] is True
    assert not browser.errors, browser.errors


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


async def test_hostile_text_stays_text_everywhere(browser: Browser, server: Running, shot: Shot) -> None:
    conf = await make_conference(server, code="XSS1", title=f"Conferência {IMG} {SCRIPT}")
    await conf.api("PATCH", f"/sessions/{conf.sessions[0]['id']}", {"title": f"Mesa {SCRIPT} {IMG}"})
    phone = await browser.page(conf.url("participant"), viewport=PHONE)
    await phone.get_by_role("button", name="Perfil").click()
    await phone.get_by_label("Nome").fill(IMG)
    await phone.get_by_role("button", name="Salvar").click()
    await expect(phone.locator("#toasts")).to_contain_text("Perfil salvo.")
    for text in (SCRIPT, IMG):
        await phone.get_by_label("Mensagem").fill(text)
        await phone.get_by_role("button", name="Enviar").click()
    await phone.get_by_role("tab", name="Perguntas").click()
    await phone.get_by_label("Sua pergunta").fill(f"{SCRIPT} {IMG}")
    await phone.get_by_role("button", name="Perguntar", exact=True).click()

    moderator = await browser.page(conf.url("moderator"))
    await expect(moderator.locator("#event-title")).to_have_text(f"Conferência {IMG} {SCRIPT}")
    # Whatever a rule held, a moderator lets it through: the point is how it is shown.
    await moderator.locator("[data-filter=all]").click()
    await expect(moderator.locator("#queue .queue-item").first).to_be_visible()
    await moderator.locator("[data-filter=held]").click()
    while await moderator.locator("#queue .queue-item").count():
        await moderator.locator("#queue").focus()
        await moderator.keyboard.press("a")
        await moderator.wait_for_timeout(300)

    presenter = await browser.page(conf.url("presenter"))
    await presenter.locator("#sessions li").first.get_by_role("button", name=re.compile("Iniciar")).click()
    await presenter.locator("#questions li").first.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    screen = await browser.page(conf.url("screen"), viewport=SCREEN)
    organizer = await browser.page(conf.url("organizer"))

    await expect(phone.locator("#question-list")).to_contain_text(f"{SCRIPT} {IMG}")
    await phone.get_by_role("tab", name="Chat").click()
    await expect(phone.locator("#chat-list")).to_contain_text(SCRIPT)
    await expect(phone.locator("#chat-list")).to_contain_text(IMG)
    await expect(phone.locator("#chat-list .chat-author").first).to_have_text(IMG)
    await expect(phone.locator("#now")).to_contain_text(f"Mesa {SCRIPT} {IMG}")
    await expect(screen.locator(".question-text")).to_have_text(f"{SCRIPT} {IMG}")
    await expect(screen.locator(".question-author")).to_have_text(IMG)
    await expect(screen.locator(".stage-session")).to_contain_text(f"Mesa {SCRIPT}")
    await expect(presenter.locator("#event-title")).to_have_text(f"Conferência {IMG} {SCRIPT}")
    await expect(organizer.locator("input[name=title]")).to_have_value(f"Conferência {IMG} {SCRIPT}")
    await moderator.locator("[data-filter=all]").click()
    await expect(moderator.locator("#queue")).to_contain_text(SCRIPT)
    await browser.audit(step="hostile text shown")
    for page in (phone, moderator, presenter, screen, organizer):
        assert await page.locator("img[src=x]").count() == 0, page.url
        assert await page.locator("body script").count() == 0, page.url
        assert (await page.evaluate("document.title")).endswith("· Plenária"), page.url
    await phone.wait_for_timeout(300)
    await shot(screen, "xss-screen")
    await shot(phone, "xss-participant")
    assert browser.dialogs == []
    assert not browser.errors, browser.errors


async def test_organizer_creates_an_event_and_prepares_it(browser: Browser, server: Running, shot: Shot) -> None:
    page = await browser.page(f"{server.base}/organizer")
    await page.get_by_label("Título").fill("X Konferencja „Oczekiwania na NOWE w pomocy społecznej”")
    await page.get_by_label("Código de acesso").fill("RAZEM24")
    await page.get_by_label("Idioma padrão").select_option("pl")
    await page.get_by_label("Fuso horário").fill("Europe/Warsaw")
    await page.get_by_label("Segmentos").fill("MOPS\nGOPS\nCUS")
    await page.get_by_role("button", name="Criar", exact=True).click()
    await expect(page.locator("#created-h")).to_contain_text("RAZEM24")
    await browser.audit(page, step="event created")
    organizer_link = await page.locator(".link-row input").first.input_value()
    assert "/o/RAZEM24#k=" in organizer_link
    await shot(page, "organizer-created")
    await page.get_by_role("link", name="Abrir o painel da organização").click()
    # The event's default language (Polish) now applies, unless the visitor chose one.
    await expect(page.locator("#s-agenda")).to_have_text("Program")
    assert "#k=" not in page.url

    await page.get_by_label("Tytuł sesji").last.fill("Otwarcie konferencji i program")
    await page.get_by_label("Godzina").last.fill("2024-06-13T10:00")
    await page.get_by_role("button", name="Dodaj sesję").click()
    await expect(page.locator("#agenda-edit input[aria-label='Tytuł sesji']").first).to_have_value(
        "Otwarcie konferencji i program"
    )
    await page.locator("#staff-label").fill("Anna — moderacja")
    await page.get_by_role("button", name="Utwórz link").click()
    await expect(page.locator("#new-link input")).to_have_value(re.compile(r"/m/RAZEM24#k="))
    await expect(page.locator("#staff-list")).to_contain_text("Anna — moderacja")

    await page.locator("#csv").fill("Katarzyna Nowak,MOPS\nJan Kowalski,GOPS")
    await page.get_by_role("button", name="Sprawdź listę").click()
    await page.get_by_role("button", name=re.compile("Zaimportuj 2 poprawne wiersze")).click()
    await expect(page.locator("#delegate-result tbody tr")).to_have_count(2)
    await expect(page.locator("#delegate-list")).to_contain_text("Katarzyna Nowak")
    await browser.audit(page, step="credentials issued")
    async with page.context.expect_page() as printed:
        await page.get_by_role("button", name="Drukuj poświadczenia").click()
    sheet = await printed.value
    await expect(sheet.locator("body")).to_contain_text("Katarzyna Nowak")
    assert await sheet.locator("svg").count() >= 2, "one QR code per credential"
    await browser.audit(sheet, step="printable credentials")
    await sheet.close()

    await page.locator("#pb-kind").select_option("yes_no_abstain")
    await page.locator("#pb-question").fill("Czy przyjmujemy regulamin konferencji?")
    await page.get_by_role("button", name="Utwórz jako szkic").click()
    await expect(page.locator("#org-polls")).to_contain_text("Czy przyjmujemy regulamin konferencji?")
    await page.locator("#pb-kind").select_option("multiple")
    await page.locator("#pb-question").fill("Wybierz propozycje")
    await page.locator("#pb-options").fill(
        "# Gminne / 2\nOś 1 | Mieszkania wspomagane\nOś 2 | Centrum usług\nAsystencja osobista\n"
        "# Krajowe / 1\nNowa ustawa"
    )
    await page.get_by_role("button", name="Utwórz jako szkic").click()
    await expect(page.locator("#org-polls")).to_contain_text("Wybierz propozycje")
    polls = await _json(page, server, "RAZEM24", organizer_link.split("#k=")[1], "/polls")
    listed = polls if isinstance(polls, list) else polls["polls"]
    sectioned = next(p for p in listed if p["spec"]["question"] == "Wybierz propozycje")
    assert [s["max_picks"] for s in sectioned["spec"]["sections"]] == [2, 1]
    assert sectioned["spec"]["options"][0] == {"id": "o1", "label": "Mieszkania wspomagane", "group": "Oś 1"}
    await shot(page, "organizer")
    assert not browser.errors, browser.errors


async def _json(page: Any, server: Running, code: str, secret: str, path: str) -> Any:
    import httpx

    async with httpx.AsyncClient(base_url=server.base, headers={"authorization": f"Bearer {secret}"}) as http:
        response = await http.get(f"/api/events/{code}{path}")
        response.raise_for_status()
        return response.json()
