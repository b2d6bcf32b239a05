"""A delegate's own certificate on the phone, and the organizer's attendance per delegate, in
Chromium: online minutes come from the page's own websocket while a session is live.

A minute lasts 0.1 s here (`attendance_minute_seconds`), so a few seconds on the page are tens
of attended minutes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect
from pypdf import PdfReader

from server.settings import Settings
from tests.browser.conftest import PHONE, Browser, Conference, Shot
from tests.client import Client


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}"),
                   attendance_minute_seconds=0.1, presence_flush_seconds=0.2)


async def test_a_delegate_downloads_their_certificate_and_the_organizer_sees_online_minutes(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    async with httpx.AsyncClient(base_url=conference.server.base,
                                 headers={"authorization": f"Bearer {conference.secret}"}) as http:
        imported = await http.post(f"/api/events/{conference.code}/delegates", headers={"content-type": "text/csv"},
                                   content="Maria das Graças Silva,Usuários\n".encode())
        (maria,) = imported.json()["delegates"]
        await http.put(f"/api/events/{conference.code}/certificates/threshold", json={"min_minutes": 20})
    presenter = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await presenter.ok("session.start", session=conference.sessions[0]["id"])

    phone = await browser.page(f"{conference.url('participant')}#delegate={maria['code']}", viewport=PHONE)
    await phone.get_by_role("tab", name=re.compile("Votação")).click()
    await phone.get_by_role("button", name="Confirmar").click()
    box = phone.locator("#my-certificate")
    await expect(box).to_contain_text("Meu certificado")
    await expect(box.locator(".mycert-status")).to_contain_text("de 20 minutos exigidos")
    await expect(box.get_by_role("button", name="Baixar meu certificado (PDF)")).to_have_count(0)
    await browser.audit(phone, step="certificate not reached yet")

    # Two seconds on the page are twenty minutes here: asked again, the box offers the download.
    await phone.wait_for_timeout(2500)
    await box.get_by_role("button", name="Atualizar").click()
    download_button = box.get_by_role("button", name="Baixar meu certificado (PDF)")
    await expect(download_button).to_be_visible()
    await expect(box.locator(".mycert-status")).to_contain_text("Você atingiu a presença mínima")
    async with phone.expect_download() as downloaded:
        await download_button.click()
    text = PdfReader(str(await (await downloaded.value).path())).pages[0].extract_text().replace("\n", " ")
    assert "Certificamos que Maria das Graças Silva participou da 13ª Conferência Municipal de Assistência Social" \
        in text, text
    code = re.search(r"Código de verificação: ([A-Z0-9-]{14})", text)
    assert code is not None, text
    await browser.audit(phone, step="certificate downloaded")
    await shot(phone, "participant-my-certificate")

    organizer = await browser.page(conference.url("organizer"))
    row = organizer.locator("#certificates tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator(".cert-door")).to_have_text("0")
    online = float((await row.locator(".cert-online").inner_text()).replace(",", "."))
    assert online >= 20, online
    await expect(row.locator("a")).to_have_text(code[1])
    await organizer.locator("#cert-sources").select_option("door")
    await organizer.locator("#cert-save").click()
    await expect(organizer.locator("#toasts")).to_contain_text("Mínimo salvo.")
    await expect(row.locator(".cert-minutes")).to_have_text("0")
    await browser.audit(organizer, step="attendance per delegate")
    await presenter.close()
    assert not browser.errors, browser.errors
