"""The moderator's console as a moderator meets it: live vote counts, a reason for the author,
shadow-hide, bulk approval, removing one person's messages, a written reply on the projector,
anonymous authors told apart, the audit log as a file."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, SCREEN, Browser, Conference, Shot
from tests.browser.test_flows import keep

pytestmark = pytest.mark.browser

CPF = "Meu CPF é 123.456.789-09, alguém pode ver minha inscrição?"


async def ask(page: Any, text: str, *, anonymous: bool = False) -> None:
    await page.get_by_role("tab", name=re.compile("Perguntas")).click()
    await page.get_by_label("Sua pergunta").fill(text)
    if anonymous:
        await page.get_by_label("Perguntar anonimamente").check()
    await page.get_by_role("button", name="Perguntar", exact=True).click()


async def say(page: Any, text: str) -> None:
    await page.get_by_role("tab", name=re.compile("Chat")).click()
    await page.get_by_label("Mensagem").fill(text)
    await page.get_by_role("button", name="Enviar").click()


async def test_the_consoles_vote_counts_and_order_follow_the_upvotes(browser: Browser, conference: Conference) -> None:
    moderator = await browser.page(conference.url("moderator"))
    await moderator.locator("[data-filter=questions]").click()
    first, second = [await browser.page(conference.url("participant"), viewport=PHONE) for _ in range(2)]
    await ask(first, "Quando abre o CRAS do Jardim América?")
    await ask(second, "Haverá transporte para a zona rural?", anonymous=True)
    queue = moderator.locator("#queue .queue-item")
    await expect(queue).to_have_count(2)
    await expect(queue.first).to_contain_text("CRAS do Jardim")
    rural = moderator.locator("#queue .queue-item", has_text="zona rural")
    await expect(rural).to_contain_text("0 votos")
    # The anonymous author is told apart by a tag from the public id.
    await expect(rural.locator(".item-author")).to_have_text(re.compile(r"^Anônimo · [0-9A-F]{4}$"))
    await browser.audit(step="two questions published")

    voters = [await browser.page(conference.url("participant"), viewport=PHONE) for _ in range(2)]
    for voter in voters:
        await voter.get_by_role("tab", name=re.compile("Perguntas")).click()
        button = voter.locator("#question-list .question", has_text="zona rural").locator(".upvote")
        # The button's accessible name holds its visible count.
        await expect(button).to_have_accessible_name(re.compile(r"^\d+ votos? · apoiar esta pergunta$"))
        await button.click()
        await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(rural).to_contain_text("2 votos")
    await expect(queue.first).to_contain_text("zona rural")  # sorted by votes, no reload
    await browser.audit(step="upvoted")
    assert not browser.errors, browser.errors


async def test_moderation_tools_from_the_console(browser: Browser, conference: Conference, shot: Shot) -> None:
    moderator = await browser.page(conference.url("moderator"))
    await expect(moderator.locator("#presence")).not_to_be_empty()
    author = await browser.page(conference.url("participant"), viewport=PHONE)
    await author.select_option("#lang", "pl")
    await expect(author.locator("#tab-questions")).to_contain_text("Pytania")
    await author.get_by_label("Wiadomość").fill(CPF)
    await author.get_by_role("button", name="Wyślij").click()
    reader = await browser.page(conference.url("participant"), viewport=PHONE)

    # A reason with the rejection: chosen from presets, typed words too; the author reads it in Polish.
    held = moderator.locator("#queue .queue-item", has_text="123.456.789-09")
    await expect(held).to_have_attribute("aria-current", "true")
    await moderator.locator("#queue").focus()
    await moderator.keyboard.press("r")
    dialog = moderator.locator("#reject")
    await expect(dialog).to_be_visible()
    await browser.audit(moderator, step="reject dialog")
    await dialog.get_by_label("expõe dados pessoais").check()
    await dialog.get_by_label("Mensagem ao autor").fill("Escreva sem o CPF.")
    await dialog.get_by_role("button", name="Recusar").click()
    await expect(held).to_have_count(0)
    mine = author.locator("#chat-list li[data-own=rejected]")
    await expect(mine).to_contain_text("ujawnia dane osobowe")
    await expect(mine).to_contain_text("Escreva sem o CPF.")
    await shot(author, "participant-phone-rejected-reason")

    # Shadow-hide: the author keeps seeing it, nobody else does.
    await author.get_by_label("Wiadomość").fill("Essa mesa não serve para nada")
    await author.get_by_role("button", name="Wyślij").click()
    await expect(reader.locator("#chat-list")).to_contain_text("Essa mesa não serve para nada")
    await moderator.locator("[data-filter=all]").click()
    rude = moderator.locator("#queue .queue-item", has_text="não serve para nada")
    await rude.locator(".item-text").click()
    await moderator.keyboard.press("h")
    await expect(rude.locator(".badge", has_text="oculta")).to_be_visible()
    await expect(reader.locator("#chat-list")).not_to_contain_text("não serve para nada")
    await author.wait_for_timeout(300)
    await expect(author.locator("#chat-list")).to_contain_text("Essa mesa não serve para nada")
    await author.reload()
    await expect(author.locator("#chat-list")).to_contain_text("Essa mesa não serve para nada")

    # Bulk approval: two ticked, then everything visible.
    writers = [await browser.page(conference.url("participant"), viewport=PHONE) for _ in range(3)]
    for n, writer in enumerate(writers):
        await say(writer, f"Liguem para (11) 98765-432{n} sobre o benefício")
    await moderator.locator("[data-filter=held]").click()
    await expect(moderator.locator("#queue .queue-item")).to_have_count(3)
    await moderator.locator("#queue").focus()
    await moderator.keyboard.press("s")
    await moderator.keyboard.press("j")
    await moderator.keyboard.press("s")
    await expect(moderator.locator("#approve-selected .count")).to_have_text("2")
    await shot(moderator, "moderator-bulk")
    await moderator.locator("#approve-selected").click()
    await expect(moderator.locator("#queue .queue-item")).to_have_count(1)
    browser.accept_dialogs = True
    await moderator.locator("#approve-visible").click()
    await expect(moderator.locator("#queue .queue-item")).to_have_count(0)
    await expect(reader.locator("#chat-list li")).to_have_count(3)  # the three approved; not the hidden one

    # Remove all of one person's messages.
    spammer = writers[0]
    await say(spammer, "Segunda mensagem da mesma pessoa")
    await expect(reader.locator("#chat-list")).to_contain_text("Segunda mensagem da mesma pessoa")
    await moderator.locator("[data-filter=all]").click()
    item = moderator.locator("#queue .queue-item", has_text="Segunda mensagem")
    await item.get_by_role("button", name="Remover tudo desta pessoa").click()
    await expect(reader.locator("#chat-list")).not_to_contain_text("Segunda mensagem")
    await expect(reader.locator("#chat-list")).not_to_contain_text("98765-4320")
    await expect(reader.locator("#chat-list li")).to_have_count(2)
    await expect(moderator.locator("#audit")).to_contain_text("removeu tudo de")
    browser.accept_dialogs = False

    # A written reply under a question, on the phone and on the projector.
    await ask(reader, "Quando abre o CRAS do Jardim América?")
    await moderator.locator("[data-filter=questions]").click()
    asked = moderator.locator("#queue .queue-item", has_text="CRAS do Jardim")
    await expect(asked).to_have_attribute("aria-current", "true")
    await moderator.locator("#queue").focus()
    await moderator.keyboard.press("t")
    await moderator.get_by_label("Resposta por escrito").fill("Em março, segundo a secretaria.")
    await moderator.keyboard.press("Enter")
    await expect(moderator.locator("#queue .item-reply")).to_contain_text("Em março")
    await expect(reader.locator("#question-list .q-reply")).to_have_text("Resposta: Em março, segundo a secretaria.")
    presenter = await browser.page(conference.url("presenter"))
    await presenter.locator("#questions li").first.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    await expect(screen.locator(".panel-question .question-reply")).to_contain_text("Em março, segundo a secretaria.")
    await screen.wait_for_timeout(700)  # the panel's entrance
    await shot(screen, "screen-question-reply")

    # The audit log as a file, from the console; its list is reachable by keyboard.
    await expect(moderator.locator("#audit")).to_have_attribute("tabindex", "0")
    async with moderator.expect_download() as downloaded:
        await moderator.get_by_role("button", name="Baixar CSV").click()
    download = await downloaded.value
    assert download.suggested_filename == f"plenaria-{conference.code}-audit.csv"
    text = Path(await download.path()).read_text(encoding="utf-8-sig")
    assert "remove_all" in text and "hide" in text and "personal_data" in text
    await moderator.locator("[data-filter=all]").click()
    await shot(moderator, "moderator-tools")
    keep("moderator-tools", "moderator-tools")
    keep("screen-question-reply", "screen-question-reply")
    assert not browser.errors, browser.errors


async def test_a_switch_keeps_the_moderators_click_while_it_is_saved(
    browser: Browser, conference: Conference, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server holds its answer to a policy switch; meanwhile a chat message arrives and the
    console re-renders. The box stays as the moderator left it (it once flipped back to the old
    policy until the answer came), and after the answer, and after a reload."""
    moderator = await browser.page(conference.url("moderator"))
    await expect(moderator.locator("#event-title")).not_to_be_empty()
    services = conference.server.services
    save = services.moderation.set_policy
    release = asyncio.Event()

    async def held(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await save(*args, **kwargs)

    monkeypatch.setattr(services.moderation, "set_policy", held)
    box = moderator.get_by_label("Pré-moderar as perguntas")
    try:
        await box.check()
        phone = await browser.page(conference.url("participant"), viewport=PHONE)
        await say(phone, "Bom dia a todos, boa conferência!")
        await expect(moderator.locator("[data-filter=all] .count")).to_have_text("1")
        await expect(box).to_be_checked()
    finally:
        release.set()
    await expect(moderator.locator("#toasts")).to_contain_text("Regras atualizadas.")
    await expect(box).to_be_checked()
    await moderator.reload()
    await expect(moderator.locator("#event-title")).not_to_be_empty()
    await expect(moderator.get_by_label("Pré-moderar as perguntas")).to_be_checked()
