"""Real pages in Debian's Chromium (Playwright's async API) against a real server on a free port.

External requests (the stream embeds) are refused so the tests run offline and fast.
Screenshots go to test-artifacts/ (gitignored); a few are kept in docs/screenshots/.

Accessibility: `Browser.audit()` runs axe-core (vendored, test-only: tests/browser/vendor/) on
every open page; tests call it after each step, `shot()` calls it on the page it shoots, and
the fixture calls it once more on every page still open when the test ends. Any serious or
critical violation fails the test, naming the rule, the elements and the state it was found in.
"""

from __future__ import annotations

import contextlib
import hashlib
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
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# Default WCAG 2.x A/AA rules and best practices, plus one axe keeps experimental: a control's
# accessible name must contain its visible text (speech users say what they see).
# Only violations are wanted: axe then skips collecting every passing node (about twice as fast).
AXE_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}, "resultTypes": ["violations"]}


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
    contexts: list[Any] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)
    audits: int = 0
    accept_dialogs: bool = False  # confirm() answers OK instead of Cancel

    async def page(self, url: str | None = None, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = await self.raw.new_context(viewport=viewport or DESKTOP, locale="pt-BR", **options)
        self.contexts.append(context)
        page = await context.new_page()
        await page.route(EXTERNAL, lambda route: route.abort())

        async def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            if self.accept_dialogs:
                await dialog.accept()
            else:
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

    def pages(self) -> list[Any]:
        return [page for context in self.contexts for page in context.pages if not page.is_closed()]

    async def audit(self, *pages: Any, step: str = "") -> None:
        """Run axe-core on `pages` (default: every open page) as they are now.

        Fails on any serious or critical violation. A page whose DOM, size and language did
        not change since its last audit is not audited again (the same state, the same result).
        """
        for page in pages or tuple(self.pages()):
            await audit_page(self, page, step)


class Chromium:
    """The session's one Playwright driver and Chromium: starting both costs seconds, a fresh
    context (a separate device, storage of its own) costs milliseconds. Relaunched if it died."""

    def __init__(self, playwright: Any) -> None:
        self.playwright = playwright
        self.raw: Any = None

    async def launched(self) -> Any:
        if self.raw is None or not self.raw.is_connected():
            self.raw = await self.playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        return self.raw


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Chromium]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        shared = Chromium(playwright)
        try:
            yield shared
        finally:
            if shared.raw is not None:
                await shared.raw.close()


@pytest.fixture
async def browser(chromium: Chromium) -> AsyncIterator[Browser]:
    """A test's own browser: every page it opens is a context of its own in the shared Chromium,
    all closed when the test ends (after the end-of-test audit)."""
    browser = Browser(await chromium.launched())
    try:
        yield browser
        await browser.audit(step="end of test")
    finally:
        for context in browser.contexts:
            with contextlib.suppress(Exception):  # already closed by the test, or Chromium died
                await context.close()


async def audit_page(browser: Browser, page: Any, step: str) -> None:
    # Let entrance animations and transitions end first: mid-fade colours are not a state.
    await page.evaluate(
        """() => Promise.race([new Promise((r) => setTimeout(r, 1500)), Promise.all(document.getAnimations()
              .filter((a) => a.effect && isFinite(a.effect.getComputedTiming().endTime))
              .map((a) => a.finished.catch(() => null)))])"""
    )
    state = await page.evaluate(
        "() => [location.pathname, document.documentElement.lang, innerWidth, innerHeight,"
        " document.documentElement.outerHTML].join('|')"
    )
    key = hashlib.sha256(state.encode()).hexdigest()
    if key in browser.audited:
        return
    browser.audited.add(key)
    if not await page.evaluate("() => Boolean(window.axe)"):
        await page.evaluate(AXE.read_text("utf-8"))  # through DevTools: the page's CSP allows no inline script
    result = await page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    browser.audits += 1
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url} ({step or 'a step'}):"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['html'][:200]}")
                summary = node.get("failureSummary") or ""
                lines.append(f"      {summary.splitlines()[-1].strip() if summary else ''}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
async def conference(server: Running) -> Conference:
    return await make_conference(server)


Shot = Callable[..., Awaitable[None]]


@pytest.fixture
def shot(browser: Browser) -> Shot:
    ARTIFACTS.mkdir(exist_ok=True)

    async def take(page: Any, name: str, *, audit: bool = True) -> None:
        """Save a screenshot and audit the page as shown; `audit=False` while a poll's clock runs
        (the test audits that state itself once the timed part is done)."""
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        if audit:
            await browser.audit(page, step=f"screenshot {name}")

    return take
