"""Real pages in Debian's Chromium (Playwright's async API) against a real server on a free port.

External requests (the stream embeds) are refused so the tests run offline and fast.
Screenshots go to test-artifacts/ (gitignored); a few are kept in docs/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import Running, add_sessions, create_event
from tests.services import CHROMIUM, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
EXTERNAL = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 960}
SCREEN = {"width": 1280, "height": 720}


@dataclass
class Conference:
    server: Running
    code: str
    secret: str
    presenter: str
    moderator: str
    sessions: list[dict[str, Any]]

    def url(self, kind: str) -> str:
        base = self.server.base
        return {
            "participant": f"{base}/e/{self.code}",
            "moderator": f"{base}/m/{self.code}#k={self.moderator}",
            "presenter": f"{base}/p/{self.code}#k={self.presenter}",
            "organizer": f"{base}/o/{self.code}#k={self.secret}",
            "screen": f"{base}/screen/{self.code}",
            "overlay": f"{base}/overlay/{self.code}",
        }[kind]

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(
            base_url=self.server.base, headers={"authorization": f"Bearer {self.secret}"}
        ) as http:
            response = await http.request(method, f"/api/events/{self.code}{path}", json=body)
            response.raise_for_status()
            return response.json() if response.content else None


async def make_conference(server: Running, code: str = "PLENO1", **fields: Any) -> Conference:
    fields.setdefault("title", "13ª Conferência Municipal de Assistência Social")
    fields.setdefault("default_lang", "pt-BR")
    fields.setdefault("languages", ["pt-BR", "pl", "en", "es"])
    fields.setdefault("timezone", "America/Campo_Grande")
    fields.setdefault("segments", ["Usuários", "Trabalhadores", "Governo", "Sociedade civil"])
    created = await create_event(server.base, code=code, **fields)
    secret = created["organizer_secret"]
    sessions = await add_sessions(
        server.base, code, secret, ["Abertura oficial", "Eixo 1 — Financiamento", "Plenária de deliberação"]
    )
    tokens = {s["role"]: s["token"] for s in created["staff"]}
    return Conference(server, code, secret, tokens["presenter"], tokens["moderator"], sessions)


@dataclass
class Browser:
    """One Chromium; `page()` opens a fresh context (its own storage: a separate device)."""

    raw: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def page(self, url: str | None = None, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = await self.raw.new_context(viewport=viewport or DESKTOP, locale="pt-BR", **options)
        page = await context.new_page()
        await page.route(EXTERNAL, lambda route: route.abort())

        async def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: self.errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None,
        )
        if url:
            await page.goto(url)
        return page


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        raw = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield Browser(raw)
        finally:
            await raw.close()


@pytest.fixture
async def conference(server: Running) -> Conference:
    return await make_conference(server)


Shot = Callable[[Any, str], Awaitable[None]]


@pytest.fixture
def shot() -> Shot:
    ARTIFACTS.mkdir(exist_ok=True)

    async def take(page: Any, name: str) -> None:
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    return take
