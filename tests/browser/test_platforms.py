"""The broadcast's own chat, as the organizer, a moderator and a participant meet it in Portuguese:
the organizer connects a YouTube live chat on the organizer page (against the local stand-in), its
health shows, a comment arrives in the moderators' queue "via YouTube", a moderator makes a
question of it, and participants see and upvote it with its origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.settings import Settings
from tests.browser.conftest import Browser, Conference
from tests.platform_standins import YouTubeStandIn, serving

pytestmark = pytest.mark.browser
KEY = "AIzaSy-browser-key"


@pytest.fixture
def youtube() -> Iterator[tuple[YouTubeStandIn, str]]:
    stand_in = YouTubeStandIn(KEY, polling_ms=200)
    with serving(stand_in) as base:
        yield stand_in, base


@pytest.fixture
def settings(tmp_path: Path, youtube: tuple[YouTubeStandIn, str]) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}", token_key="browser test key",
                    youtube_url=youtube[1])


async def test_a_youtube_comment_becomes_a_question_via_youtube(
    browser: Browser, conference: Conference, youtube: tuple[YouTubeStandIn, str]
) -> None:
    stand_in, _ = youtube
    chat = stand_in.broadcast("sonora-ao-vivo")
    stand_in.say(chat.video_id, "Dona Cida", "Vai ter transporte para a pré-conferência do CRAS?")

    organizer = await browser.page(conference.url("organizer"))
    card = organizer.locator("#platforms-card")
    await expect(card).to_contain_text("Comentários da transmissão")
    await card.get_by_label("Plataforma").select_option("youtube")
    await card.get_by_label("Id do vídeo (YouTube) ou da live (Facebook)").fill(chat.video_id)
    await card.get_by_label("Chave de API (YouTube) ou token de acesso da página (Facebook)").fill(KEY)
    await card.get_by_role("button", name="Conectar").click()
    await expect(organizer.locator("#toasts")).to_contain_text("Chat ao vivo conectado.")
    await expect(card.locator(".platform-health")).to_contain_text("YouTube · recebendo · 1 importados")
    assert KEY not in await organizer.content()
    post_back = card.get_by_label("Publicar as respostas na plataforma")
    await expect(post_back).not_to_be_checked()  # off unless the organizer turns it on
    await post_back.check()
    await expect(organizer.locator("#toasts")).to_contain_text("As respostas dos moderadores serão publicadas")
    await expect(card.get_by_label("Publicar as respostas na plataforma")).to_be_checked()
    await browser.audit(organizer, step="live chat connected")

    moderator = await browser.page(conference.url("moderator"))
    await expect(moderator.locator("#platforms .platform-health")).to_contain_text("recebendo")
    await moderator.keyboard.press("4")
    item = moderator.locator(".queue-item", has_text="Vai ter transporte")
    await expect(item.locator(".origin")).to_have_text("via YouTube")
    await expect(item).to_contain_text("Dona Cida")
    await browser.audit(moderator, step="imported comment in the queue")
    await item.get_by_role("button", name="Virar pergunta").click()
    await expect(moderator.locator("#toasts")).to_contain_text("Agora é uma pergunta.")

    participant = await browser.page(conference.url("participant"))
    await expect(participant.locator(".chat-msg", has_text="Vai ter transporte")).to_have_count(0)
    await participant.get_by_role("tab", name="Perguntas").click()
    question = participant.locator(".question", has_text="Vai ter transporte")
    await expect(question.locator(".origin")).to_have_text("via YouTube")
    await question.locator(".upvote").click()
    await expect(question.locator(".upvote .n")).to_have_text("1")
    await browser.audit(participant, step="imported question upvoted")

    # On the projector too, the question says where it was asked.
    presenter = await browser.page(conference.url("presenter"))
    row = presenter.locator(".pick-row", has_text="Vai ter transporte")
    await expect(row.locator(".q-meta")).to_contain_text("via YouTube")
    await row.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    screen = await browser.page(conference.url("screen"))
    await expect(screen.locator(".panel-question .origin")).to_have_text("via YouTube")
    await browser.audit(screen, step="imported question on the projector")
