"""The pages in a real browser: live updates, languages, the overlay, reconnects, bad links."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, SCREEN, Browser, Conference, Shot
from tests.harness import Running

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"


async def test_participant_follows_the_presenter_live(browser: Browser, conference: Conference, shot: Shot) -> None:
    participant = await browser.page(conference.url("participant"), viewport=PHONE)
    await expect(participant.locator("#event-title")).to_have_text(
        "13ª Conferência Municipal de Assistência Social"
    )
    await expect(participant.locator("#now")).to_contain_text("Nenhuma sessão ao vivo")
    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    presenter = await browser.page(conference.url("presenter"))
    # The secret leaves the visible URL at once.
    assert "#k=" not in presenter.url

    second = presenter.locator("#sessions li", has_text="Eixo 1 — Financiamento")
    await second.get_by_role("button", name="Iniciar").click()
    await expect(participant.locator("#now")).to_contain_text("Eixo 1 — Financiamento")
    await expect(participant.locator("#now .badge-live")).to_have_text("AO VIVO")
    await expect(participant.locator("#agenda li[data-status=live]")).to_contain_text("Eixo 1")
    await browser.audit(step="session live")

    await presenter.get_by_role("button", name="Sessão ao vivo").click()
    await expect(screen.locator(".stage .big-title")).to_have_text("Eixo 1 — Financiamento")
    await presenter.locator("#message-text").fill("Intervalo para o almoço: voltamos às 13h30")
    await presenter.get_by_role("button", name="Mostrar aviso").click()
    await expect(screen.locator(".stage .message")).to_have_text("Intervalo para o almoço: voltamos às 13h30")
    await presenter.locator("#timer-min").fill("2")
    await presenter.locator("#timer-label").fill("Tempo de fala")
    await presenter.get_by_role("button", name="Mostrar cronômetro").click()
    await expect(screen.locator(".panel-timer .timer")).to_have_text(
        __import__("re").compile(r"^(2:00|1:5\d)$")
    )
    await expect(presenter.locator("#preview .panel-timer .panel-label")).to_have_text("Tempo de fala")
    await browser.audit(step="timer on screen")

    await second.get_by_role("button", name="Encerrar").click()
    await expect(participant.locator("#now")).to_contain_text("Nenhuma sessão ao vivo")
    await presenter.get_by_role("button", name="QR e código").click()
    await expect(screen.locator(".panel-qr .code")).to_have_text(conference.code)
    await expect(screen.locator(".panel-qr img.qr")).to_have_attribute("src", f"/qr/{conference.code}.svg")
    await shot(participant, "participant-phone-agenda")
    await shot(screen, "screen-qr")
    await shot(presenter, "presenter")
    assert not browser.errors, browser.errors


async def test_language_switch_changes_ui_strings(browser: Browser, conference: Conference, shot: Shot) -> None:
    page = await browser.page(conference.url("participant"), viewport=PHONE)
    await expect(page.locator("#tab-questions")).to_contain_text("Perguntas")
    assert await page.evaluate("document.documentElement.lang") == "pt-BR"
    await page.select_option("#lang", "pl")
    await expect(page.locator("#tab-questions")).to_contain_text("Pytania")
    await expect(page.locator("#tab-vote")).to_contain_text("Głosowanie")
    await expect(page.locator("#now")).to_contain_text("Teraz nie trwa żadna sesja.")
    await browser.audit(page, step="Polish")
    assert await page.evaluate("document.documentElement.lang") == "pl"
    await shot(page, "participant-phone-pl")
    await page.reload()
    await expect(page.locator("#tab-agenda")).to_contain_text("Program")
    await page.select_option("#lang", "es")
    await expect(page.locator("#chat-text")).to_have_attribute("placeholder", "Escribe a todos…")
    await page.select_option("#lang", "en")
    await expect(page.locator("#tab-results")).to_contain_text("Results")
    await browser.audit(page, step="English")
    assert not browser.errors, browser.errors


async def test_overlay_has_a_transparent_background(browser: Browser, conference: Conference, shot: Shot) -> None:
    presenter = await browser.page(conference.url("presenter"))
    overlay = await browser.page(conference.url("overlay"), viewport={"width": 1920, "height": 1080})
    await presenter.locator("#message-text").fill("Participe pelo celular: vote nas propostas")
    await presenter.get_by_role("button", name="Mostrar aviso").click()
    await expect(overlay.locator(".stage .message")).to_have_text("Participe pelo celular: vote nas propostas")
    for selector in ("html", "body", "#stage"):
        color = await overlay.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")
        assert color == "rgba(0, 0, 0, 0)", (selector, color)
    # No banners in a broadcast, even while connecting.
    assert await overlay.locator(".banner").count() == 0
    await overlay.wait_for_timeout(700)  # the panel's entrance animation
    png = await overlay.screenshot(omit_background=True)
    (Path(__file__).resolve().parents[2] / "test-artifacts").mkdir(exist_ok=True)
    (Path(__file__).resolve().parents[2] / "test-artifacts" / "overlay.png").write_bytes(png)
    corner, panel = _alpha_at(png, [(5, 5), (1900, 20)]), None
    assert corner == [0, 0], "the top of the overlay must be fully transparent"
    box = await overlay.locator(".stage .panel").bounding_box()
    assert box is not None and box["y"] > 1080 / 2, "the panel sits in the lower part of the frame"
    panel = _alpha_at(png, [(int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))])
    assert panel[0] > 200, "the panel itself is opaque enough to read"
    assert not browser.errors, browser.errors


def _alpha_at(png: bytes, points: list[tuple[int, int]]) -> list[int]:
    """Alpha of pixels of an RGBA PNG, decoded with the standard library only."""
    import struct
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, data = 8, 0, 0, b""
    color_type = 6
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        kind = png[pos + 4 : pos + 8]
        chunk = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, _depth, color_type = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    assert color_type == 6, "expected an RGBA screenshot"
    raw = zlib.decompress(data)
    stride = width * 4
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - 4] if i >= 4 else 0
            up = prev[i]
            upper_left = prev[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return [rows[y][x * 4 + 3] for x, y in points]


async def test_reconnect_shows_offline_and_loses_no_message(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    page = await browser.page(conference.url("participant"), viewport=PHONE)
    await expect(page.locator("#event-title")).not_to_be_empty()
    await expect(page.locator("body")).to_have_attribute("data-connection", "online")
    context = page.context
    await context.set_offline(True)
    await page.evaluate("window.plenaria.hub.drop()")
    banner = page.locator("#status .banner-offline")
    await expect(banner).to_be_visible()
    await expect(page.locator("#status")).to_have_attribute("aria-live", "polite")
    await page.locator("#chat-text").fill("Mensagem escrita sem conexão")
    await page.get_by_role("button", name="Enviar").click()
    await expect(page.locator("#chat-list li[data-own=sending]")).to_contain_text("Mensagem escrita sem conexão")
    await browser.audit(page, step="offline, message waiting")
    outbox = await page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('plenaria.outbox'))")
    assert outbox, "an unsent message is kept in localStorage"
    await shot(page, "participant-offline")
    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(banner).to_have_count(0, timeout=10_000)
    await expect(page.locator("#chat-list li[data-own='']")).to_contain_text("Mensagem escrita sem conexão")
    await expect(page.locator("#chat-list li")).to_have_count(1)
    assert await page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('plenaria.outbox'))") == []

    # A draft survives a reload before it is sent.
    await page.locator("#chat-text").fill("rascunho guardado")
    await page.reload()
    await expect(page.locator("#chat-text")).to_have_value("rascunho guardado")
    assert not [e for e in browser.errors if "ERR_INTERNET_DISCONNECTED" not in e], browser.errors


async def test_bad_staff_link_and_unknown_event_say_so_without_looping(
    browser: Browser, conference: Conference, server: Running
) -> None:
    page = await browser.page(f"{server.base}/m/{conference.code}#k=not-a-valid-token")
    await expect(page.locator("#status .banner-fatal")).to_contain_text("não é válido")
    page2 = await browser.page(f"{server.base}/e/NOPE404", viewport=PHONE)
    await expect(page2.locator("#status .banner-fatal")).to_contain_text("Não existe conferência")
    await browser.audit(step="refused links")
    sockets: list[str] = []
    page2.on("websocket", lambda ws: sockets.append(ws.url))
    await page2.wait_for_timeout(1500)
    assert sockets == [], "a refused page must not reconnect in a loop"
    no_token = await browser.page(f"{server.base}/p/{conference.code}")
    await expect(no_token.locator("#status .banner-fatal")).to_contain_text("link completo")


async def test_qr_code_of_the_join_url(conference: Conference, server: Running) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        answer = await http.get(f"/qr/{conference.code}.svg")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("image/svg+xml")
        assert answer.text.startswith("<svg") and "viewBox" in answer.text
        assert (await http.get("/qr/NOPE404.svg")).status_code == 404
        assert (await http.get("/qr/a%3Cb.svg")).status_code in (400, 404)


def test_every_language_has_every_string() -> None:
    files = {p.stem: json.loads(p.read_text("utf-8")) for p in (STATIC / "i18n").glob("*.json")}
    assert set(files) == {"pt-BR", "pl", "en", "es"}
    keys = set(files["en"])
    for lang, strings in files.items():
        assert set(strings) == keys, (lang, sorted(set(strings) ^ keys))
    # Proper diacritics, not ASCII stand-ins.
    assert files["pl"]["tabs.vote"] == "Głosowanie"
    assert files["pt-BR"]["tabs.agenda"] == "Programação"


def test_pages_have_no_inline_script_or_style() -> None:
    import re

    for html in STATIC.glob("*.html"):
        text = html.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), html.name
        assert "<style" not in text and " style=" not in text, html.name
        assert re.search(r'<html lang="pt-BR">', text), html.name
    for js in (STATIC / "js").glob("*.js"):
        text = js.read_text("utf-8")
        assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text, js.name


async def test_staff_pages_warn_when_the_broker_is_degraded(browser: Browser, conference: Conference) -> None:
    moderator = await browser.page(conference.url("moderator"))
    # The staff snapshot (which carries the broker's health) is in: the presence count shows.
    await expect(moderator.locator("#presence")).not_to_be_empty()
    await moderator.evaluate("window.plenaria.hub._receive({type: 'health', broker: 'degraded'})")
    await expect(moderator.locator("#status .banner-degraded")).to_contain_text("Degradado")
    await browser.audit(moderator, step="degraded")
    await moderator.evaluate("window.plenaria.hub._receive({type: 'health', broker: 'ok'})")
    await expect(moderator.locator("#status .banner-degraded")).to_have_count(0)
    # A participant page never shows it.
    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    await expect(phone.locator("#event-title")).not_to_be_empty()
    await phone.evaluate("window.plenaria.hub._receive({type: 'health', broker: 'degraded'})")
    await phone.wait_for_timeout(200)
    assert await phone.locator("#status .banner-degraded").count() == 0


async def test_a_revoked_staff_link_stops_its_page(browser: Browser, conference: Conference) -> None:
    moderator = await browser.page(conference.url("moderator"))
    await expect(moderator.locator("#presence")).not_to_be_empty()
    staff = await conference.api("GET", "/staff")
    link = next(s for s in staff if s["role"] == "moderator")
    await conference.api("DELETE", f"/staff/{link['id']}")
    await expect(moderator.locator("#status .banner-fatal")).to_contain_text("não é válido")
    # The presenter's own link still works.
    presenter = await browser.page(conference.url("presenter"))
    await expect(presenter.locator("body")).to_have_attribute("data-connection", "online")


async def test_a_gap_in_sequence_numbers_reconnects_with_resume(browser: Browser, conference: Conference) -> None:
    page = await browser.page(conference.url("screen"), viewport=SCREEN)
    await expect(page.locator(".stage .big-title")).not_to_be_empty()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    position = await page.evaluate(
        "(() => { const [ch, p] = [...window.plenaria.hub.positions].find(([c]) => c.endsWith(':public'));"
        " return {ch, epoch: p.epoch, seq: p.seq}; })()"
    )
    async with page.expect_websocket():
        await page.evaluate(
            "p => window.plenaria.hub._receive({type: 'event', ch: p.ch, epoch: p.epoch, seq: p.seq + 3,"
            " name: 'screen.updated', data: {kind: 'message', text: 'never applied', ref: null, ends_at: null}})",
            position,
        )
    await expect(page.locator("body")).to_have_attribute("data-connection", "online")
    for _ in range(50):
        if sent:
            break
        await page.wait_for_timeout(50)
    hello = json.loads(sent[0])
    assert hello["type"] == "hello"
    assert {"ch": position["ch"], "epoch": position["epoch"], "seq": position["seq"]} in hello["resume"]
    assert await page.locator(".stage .message").count() == 0, "an event after a gap is not applied"
    presenter = await browser.page(conference.url("presenter"))
    await presenter.get_by_role("button", name="QR e código").click()
    await expect(page.locator(".panel-qr .code")).to_have_text(conference.code)


async def test_home_privacy_and_organizer_pages_are_accessible(browser: Browser, server: Running) -> None:
    """axe-core on the pages no other test stays on: home (phone and laptop), privacy, a new event."""
    home = await browser.page(f"{server.base}/", viewport=PHONE)
    await expect(home.get_by_role("heading", level=1)).to_be_visible()
    await home.locator("#code").fill("NOPE42")
    await home.get_by_role("button", name="Entrar").click()
    await expect(home.locator("#code-error")).not_to_be_empty()
    await browser.audit(home, step="home with a refused code")
    for url in (f"{server.base}/privacy", f"{server.base}/organizer"):
        page = await browser.page(url)
        await expect(page.get_by_role("heading", level=1)).not_to_be_empty()
        await expect(page.get_by_role("main")).to_be_visible()
        await browser.audit(page, step="loaded")
    assert browser.audits >= 3
    assert [e for e in browser.errors if "404" not in e] == [], browser.errors  # the lookup of NOPE42
