"""The projector and the broadcast overlay fit every ballot: every poll kind, the demo's 10/2/2
ballot and a synthetic one three times its size with longer labels, live and after the close,
at 1920x1080 and 1280x720. Nothing clips, no row is cut or dropped, every label is there in
full, pages turn on a clock the presenter's preview shares, and the projector's type is never
smaller than the minimum docs/ui.md states."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import pytest
from playwright.async_api import expect

from server.demo_polls import sonora_election, sonora_proposals
from tests.browser.conftest import ARTIFACTS, PHONE, Browser, Conference, Shot
from tests.browser.test_flows import keep
from tests.client import Client

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
HD = {"width": 1280, "height": 720}
# docs/ui.md: no text on the projector under 28 px at 1920x1080, none in the overlay under 24 px.
PROJECTOR_MIN_PX = 28
OVERLAY_MIN_PX = 24
PAGE_SECONDS = 10
SLOW = 15_000

WORDS = ["transporte", "mais CRAS", "orçamento participativo", "acessibilidade", "concurso público",
         "formação continuada para as equipes de referência do CRAS e do CREAS nos territórios"]


def larger_ballot() -> dict[str, Any]:
    """Three times the demo's ballot: 72 proposals with labels of up to 220 characters in three
    sections (choose 10, 5 and 5), and a 300-character question."""
    rnd = random.Random(15)
    words = ["garantir", "ampliar", "assistência", "social", "orçamento", "municipal", "equipes", "referência",
             "território", "usuários", "conselho", "participação", "acolhimento", "benefícios", "cofinanciamento"]
    options: list[dict[str, str]] = []
    sections = []
    for key, n, picks in (("municipal", 48, 10), ("estadual", 12, 5), ("federal", 12, 5)):
        ids = []
        for i in range(1, n + 1):
            label = f"{key.capitalize()} {i}: " + " ".join(rnd.choice(words) for _ in range(rnd.randint(4, 24)))
            options.append({"id": f"{key[0]}{i}", "label": label[:220], "group": f"Eixo {i % 4 + 1}"})
            ids.append(f"{key[0]}{i}")
        sections.append({"id": key, "title": f"Propostas {key}s", "option_ids": ids, "max_picks": picks})
    question = ("Escolha as propostas de cada âmbito que a conferência leva adiante; " * 5)[:300]
    return {"kind": "multiple", "question": question, "options": options, "sections": sections}


POLLS: list[tuple[str, dict[str, Any]]] = [
    ("single", {"kind": "single", "question": "Qual eixo a plenária discute primeiro?",
                "options": [{"id": f"o{i}", "label": f"Eixo {i}"} for i in range(1, 5)]}),
    ("multiple", {"kind": "multiple", "question": "Quais serviços precisam de mais equipes?", "max_picks": 3,
                  "options": [{"id": f"o{i}", "label": f"Serviço {i} da rede socioassistencial do município"}
                              for i in range(1, 13)]}),
    ("yes_no_abstain", {"kind": "yes_no_abstain", "question": "Aprova o regimento interno da conferência?"}),
    ("rating", {"kind": "rating", "question": "Que nota você dá à organização?", "scale_min": 0, "scale_max": 10}),
    ("ranking", {"kind": "ranking", "question": "Ordene as prioridades do plano municipal",
                 "options": [{"id": f"o{i}", "label": f"Prioridade {i}"} for i in range(1, 6)]}),
    ("open_text", {"kind": "open_text", "question": "Em uma palavra: o que falta no seu bairro?",
                   "max_text_length": 120}),
    ("sectioned", sonora_proposals()),
    ("election", sonora_election()),
    ("larger", larger_ballot()),
]


def ballot_for(spec: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    kind = spec["kind"]
    if kind in ("multiple", "election") and spec.get("sections"):
        picks: list[str] = []
        for section in spec["sections"]:
            limit = section.get("max_picks") or section.get("seats") or 1
            picks += rnd.sample(section["option_ids"], min(limit, len(section["option_ids"])))
        return {"choices": picks}
    if kind == "multiple":
        return {"choices": rnd.sample([o["id"] for o in spec["options"]], spec["max_picks"])}
    if kind == "yes_no_abstain":
        return {"choice": rnd.choice(["yes", "no", "abstain"])}
    if kind == "rating":
        return {"rating": rnd.randint(spec["scale_min"], spec["scale_max"])}
    if kind == "ranking":
        order = [o["id"] for o in spec["options"]]
        rnd.shuffle(order)
        return {"ranking": order}
    if kind == "open_text":
        return {"text": rnd.choice(WORDS) + (f" {rnd.randint(1, 30)}" if rnd.random() < 0.6 else "")}
    return {"choice": rnd.choice(spec["options"])["id"]}


# Every page of the panel, in turn: the panel inside the viewport and clear of the QR corner,
# every displayed element inside the panel, no text cut (scroll size within its box), the font
# size of every text at least `min` px; and which rows and words each page shows.
CHECK = """
([min]) => {
  const vw = innerWidth, vh = innerHeight, problems = [];
  const stage = document.querySelector('#stage');
  const panel = stage.querySelector('.panel-poll');
  const area = panel.querySelector('.poll-results');
  const pages = [...area.querySelectorAll(':scope > .pages > .page')];
  const hiddenBefore = pages.map((p) => p.hidden);
  const shown = [];
  const corner = stage.querySelector('.stage-corner');
  const cornerBox = corner && !corner.hidden ? corner.getBoundingClientRect() : null;
  const label = (el) => `${el.className || el.tagName} "${(el.textContent || '').trim().slice(0, 40)}"`;
  (pages.length ? pages : [null]).forEach((page, index) => {
    pages.forEach((p, j) => { p.hidden = j !== index; });
    const box = panel.getBoundingClientRect();
    if (box.left < -0.5 || box.top < -0.5 || box.right > vw + 0.5 || box.bottom > vh + 0.5) {
      problems.push(`page ${index + 1}: panel ${JSON.stringify(box)} outside ${vw}x${vh}`);
    }
    if (cornerBox && box.right > cornerBox.left + 0.5 && box.bottom > cornerBox.top + 0.5) {
      problems.push(`page ${index + 1}: panel under the QR corner`);
    }
    for (const el of stage.querySelectorAll('*')) {
      if (!el.getClientRects().length) continue;
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      const r = el.getBoundingClientRect();
      const inPanel = panel.contains(el);
      const outside = r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (inPanel && r.width && outside) {
        problems.push(`page ${index + 1}: ${label(el)} ${JSON.stringify(r)} outside the panel`);
      }
      if (r.width && (r.right > vw + 0.5 || r.bottom > vh + 0.5 || r.left < -0.5 || r.top < -0.5)) {
        problems.push(`page ${index + 1}: ${label(el)} outside the viewport`);
      }
      if (!text) continue;
      const style = getComputedStyle(el);
      const cut = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
      if (style.display !== 'inline' && cut) {
        const sizes = `${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`;
        problems.push(`page ${index + 1}: ${label(el)} overflows its box (${sizes})`);
      }
      if (min && parseFloat(style.fontSize) < min - 0.05) {
        problems.push(`page ${index + 1}: ${label(el)} at ${style.fontSize} < ${min}px`);
      }
    }
    shown.push({
      rows: [...(page || area).querySelectorAll('.bar-row')].map(
        (r) => [r.dataset.key, r.dataset.outcome || '', r.querySelector('.bar-text').textContent]),
      words: [...(page || area).querySelectorAll('.cloud li:not(.empty)')].map((w) => w.textContent),
    });
  });
  pages.forEach((p, j) => { p.hidden = hiddenBefore[j]; });
  return { problems, shown, pages: pages.length, fit: area.dataset.fit };
}
"""


async def check_panel(page: Any, min_px: float, spec: dict[str, Any], final: bool) -> int:
    report = await page.evaluate(CHECK, [min_px])
    where = f"{page.url} {page.viewport_size} {spec['kind']} {report['fit']}"
    assert not report["problems"], (where, report["problems"][:8])
    rows = [row for shown in report["shown"] for row in shown["rows"]]
    if spec["kind"] == "open_text":
        shown_words = [w for shown in report["shown"] for w in shown["words"]]
        tallied = await page.evaluate(
            "() => { const s = window.plenaria.hub.state.public.screen;"
            " const p = window.plenaria.hub.state.public.polls.find((x) => x.id === s.ref);"
            " return ((p.result || p.tally).tally.words || []).map(([w]) => w); }"
        )
        assert tallied and sorted(shown_words) == sorted(tallied), (where, "every word once, on some page")
    elif spec["kind"] == "rating":
        assert [r[0] for r in rows] == [str(v) for v in range(spec["scale_min"], spec["scale_max"] + 1)], where
    else:
        options = spec.get("options") or [{"id": i, "label": ""} for i in ("yes", "no", "abstain")]
        assert sorted(r[0] for r in rows) == sorted(o["id"] for o in options), (where, "every option once")
        labels = {o["id"]: o["label"] for o in options}
        for key, _outcome, text in rows:
            assert spec["kind"] == "yes_no_abstain" or text == labels[key], (where, "labels in full", key, text)
        if final and spec.get("sections"):
            outcomes = [r[1] for r in rows]
            won = [i for i, o in enumerate(outcomes) if o in ("selected", "tied", "alternate")]
            lost = [i for i, o in enumerate(outcomes) if o == ""]
            assert won and (not lost or max(won) < min(lost)), (where, "winners first", outcomes)
    return int(report["pages"])


class Stage:
    """The projector and the overlay at both sizes, a presenter and twelve voters over websockets."""

    def __init__(self, browser: Browser, conference: Conference) -> None:
        self.browser = browser
        self.conference = conference
        self.pages: dict[tuple[str, int], Any] = {}
        self.presenter: Client | None = None
        self.voters: list[Client] = []
        self.rnd = random.Random(2024)

    async def __aenter__(self) -> Stage:
        server, code = self.conference.server, self.conference.code
        self.presenter = await Client(server.ws_url, code, token=self.conference.presenter).connect()
        self.voters = [await Client(server.ws_url, code).connect() for _ in range(12)]
        for mode in ("screen", "overlay"):
            for height, viewport in ((1080, FULL_HD), (720, HD)):
                self.pages[(mode, height)] = await self.browser.page(self.conference.url(mode), viewport=viewport)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in (self.presenter, *self.voters):
            if client is not None:
                await client.close()

    async def show(self, spec: dict[str, Any]) -> int:
        """Open a poll, let the twelve vote, put it on screen."""
        assert self.presenter is not None
        poll = await self.conference.api("POST", "/polls", {"spec": spec, "visibility": "live"})
        await self.presenter.ok("poll.open", poll=poll["id"])
        casts = [v.ok("vote.cast", poll=poll["id"], ballot=ballot_for(spec, self.rnd)) for v in self.voters]
        await asyncio.gather(*casts)
        await self.presenter.ok("screen.show", kind="poll", ref=poll["id"])
        return int(poll["id"])

    async def close(self, poll_id: int) -> None:
        assert self.presenter is not None
        await self.presenter.ok("poll.close", poll=poll_id)

    async def check(self, spec: dict[str, Any], *, final: bool) -> dict[tuple[str, int], int]:
        """Every page of the panel on the four screens; returns the number of pages on each."""
        counted = {}
        for (mode, height), page in self.pages.items():
            panel = page.locator("#stage .panel-poll")
            # A two-core machine shared with other test runs: a relayout may wait behind other work.
            await expect(panel.locator(".poll-question")).to_have_text(spec["question"], timeout=SLOW)
            state = "Resultado final" if final else "Aberta"
            await expect(panel.locator(".poll-state")).to_have_text(state, timeout=SLOW)
            await expect(panel.locator(".poll-turnout")).to_contain_text(f"{len(self.voters)} votos", timeout=SLOW)
            if spec["kind"] == "open_text":
                await expect(panel.locator(".cloud li").first).not_to_have_class("empty")
            minimum = (PROJECTOR_MIN_PX if mode == "screen" else OVERLAY_MIN_PX) if height == 1080 else 0
            counted[(mode, height)] = await check_panel(page, minimum, spec, final)
        return counted


SMALL_KINDS = ("single", "multiple", "yes_no_abstain", "rating", "ranking", "open_text")


async def test_every_poll_kind_fits_the_projector_and_the_overlay(browser: Browser, conference: Conference) -> None:
    async with Stage(browser, conference) as stage:
        for name, spec in POLLS:
            if name not in SMALL_KINDS:
                continue
            poll_id = await stage.show(spec)
            pages = await stage.check(spec, final=False)
            if name in ("single", "yes_no_abstain", "rating"):
                assert set(pages.values()) == {1}, (name, pages)
            if name in ("single", "open_text"):
                await stage.close(poll_id)
                await stage.check(spec, final=True)
    assert not browser.errors, browser.errors


async def test_the_demo_ballot_and_election_fit_and_turn_pages_with_the_preview(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    async with Stage(browser, conference) as stage:
        screen, overlay = stage.pages[("screen", 1080)], stage.pages[("overlay", 1080)]
        for name, spec in POLLS:
            if name not in ("sectioned", "election"):
                continue
            poll_id = await stage.show(spec)
            await stage.check(spec, final=False)
            if name == "sectioned":
                await shot(screen, "stage-sectioned-live")
                preview = await browser.page(conference.url("presenter"), viewport={"width": 1366, "height": 768})
                await preview_turns_with_the_projector(screen, preview)
                await preview.context.close()
            await stage.close(poll_id)
            await stage.check(spec, final=True)
            await first_page(screen)
            await shot(screen, f"stage-{name}-final")
        (ARTIFACTS / "overlay-election-final.png").write_bytes(await overlay.screenshot(omit_background=True))
        keep("stage-sectioned-final", "screen-results")
        keep("overlay-election-final", "overlay")
    assert not browser.errors, browser.errors


async def test_a_ballot_three_times_the_demo_fits_in_pages(browser: Browser, conference: Conference) -> None:
    async with Stage(browser, conference) as stage:
        spec = dict(POLLS)["larger"]
        poll_id = await stage.show(spec)
        pages = await stage.check(spec, final=False)
        assert min(pages.values()) > 1, pages
        await stage.close(poll_id)
        await stage.check(spec, final=True)
    assert not browser.errors, browser.errors


SHIFT_CLOCK = (
    "([target]) => { const hub = window.plenaria.hub; if (!hub.realNow) { hub.realNow = hub.now.bind(hub);"
    " hub.now = () => hub.realNow() + (window.testShift || 0); } window.testShift = target - hub.realNow(); }"
)


async def first_page(page: Any) -> None:
    """Move the page's clock (time passing, faster) to just after its first page came up."""
    pages = int(await page.locator("#stage .poll-results").get_attribute("data-pages") or "1")
    now = await page.evaluate("window.plenaria.hub.now()")
    cycle = PAGE_SECONDS * pages
    await page.evaluate(SHIFT_CLOCK, [(now // cycle + 1) * cycle + 0.5])
    await expect(page.locator("#stage .poll-results")).to_have_attribute("data-page", "1")
    await page.wait_for_timeout(700)  # the bars' animation


async def preview_turns_with_the_projector(screen: Any, preview: Any) -> None:
    """The presenter sees the page the room sees ("page 2 of 3"), and pages turn by themselves."""
    pager = screen.locator("#stage .poll-pager")
    await expect(pager).to_have_text(re.compile(r"^Página \d+ de \d+$"))
    pages = int(await screen.locator("#stage .poll-results").get_attribute("data-pages") or "1")
    assert pages > 1
    await expect(preview.locator("#preview .poll-pager")).to_have_text(
        re.compile(rf"^Página \d+ de {pages}$"), timeout=SLOW)
    # Move both clocks to the same moment, half a second after a page turn (time passing, faster).
    shift = SHIFT_CLOCK
    now = await screen.evaluate("window.plenaria.hub.now()")
    target = (now // PAGE_SECONDS + 2) * PAGE_SECONDS + 0.5
    for page in (screen, preview):
        await page.evaluate(shift, [target])
    await asyncio.sleep(0.6)
    first = await screen.locator("#stage .poll-results").get_attribute("data-page")
    assert first == await preview.locator("#preview .poll-results").get_attribute("data-page")
    await expect(preview.locator("#preview .poll-pager")).to_have_text(f"Página {first} de {pages}")
    await screen.evaluate(shift, [target + PAGE_SECONDS])
    following = int(first or "1") % pages + 1
    await expect(screen.locator("#stage .poll-pager")).to_have_text(f"Página {following} de {pages}")


async def test_hidden_results_still_count_right_on_the_screen(browser: Browser, conference: Conference) -> None:
    """A secret election shown before its close, and a poll whose results stay hidden: the
    projector and the presenter's preview count the ballots the presenter counts, and a closed
    hidden poll says it is closed, never "final result" beside "results at the close"."""
    server, code = conference.server, conference.code
    presenter = await Client(server.ws_url, code, token=conference.presenter).connect()
    voters = [await Client(server.ws_url, code).connect() for _ in range(3)]
    election = await conference.api("POST", "/polls", {"spec": sonora_election(), "visibility": "after_close",
                                                       "secret": True})
    screen = await browser.page(conference.url("screen"), viewport=FULL_HD)
    console = await browser.page(conference.url("presenter"), viewport={"width": 1366, "height": 768})
    await presenter.ok("poll.open", poll=election["id"])
    await presenter.ok("screen.show", kind="poll", ref=election["id"])
    rnd = random.Random(3)
    for voter in voters:
        await voter.ok("vote.cast", poll=election["id"], ballot=ballot_for(sonora_election(), rnd))
    row = console.locator("#polls .poll-row", has_text=sonora_election()["question"])
    await expect(row.locator(".poll-info")).to_contain_text("3 votos", timeout=SLOW)
    for panel in (screen.locator("#stage .panel-poll"), console.locator("#preview .panel-poll")):
        await expect(panel.locator(".poll-turnout")).to_contain_text("3 votos", timeout=SLOW)
        await expect(panel.locator(".results-hidden")).to_have_text("Voto secreto: a contagem aparece no encerramento.")
        assert await panel.locator(".bar-row").count() == 0, "no count of a candidate before the close"
    await presenter.ok("poll.close", poll=election["id"])
    await expect(screen.locator("#stage .poll-state")).to_have_text("Resultado final")
    await expect(screen.locator("#stage .poll-turnout")).to_contain_text("3 votos")
    await expect(screen.locator("#stage .bar-row").first).to_be_visible()

    hidden = await conference.api("POST", "/polls", {"spec": dict(POLLS)["yes_no_abstain"], "visibility": "hidden"})
    await presenter.ok("poll.open", poll=hidden["id"])
    await presenter.ok("screen.show", kind="poll", ref=hidden["id"])
    for voter in voters[:2]:
        await voter.ok("vote.cast", poll=hidden["id"], ballot={"choice": "yes"})
    await presenter.ok("poll.close", poll=hidden["id"])
    for panel in (screen.locator("#stage .panel-poll"), console.locator("#preview .panel-poll")):
        await expect(panel.locator(".poll-state")).to_have_text("Encerrada", timeout=SLOW)
        await expect(panel.locator(".poll-turnout")).to_contain_text("2 votos")
        await expect(panel.locator(".results-hidden")).to_have_text(
            "Os resultados desta votação não são mostrados ao público.")
        assert await panel.locator(".bar-row").count() == 0
    # The presenter's own console still sees the result; the projector's preview does not.
    mini = console.locator("#polls .poll-row", has_text="Aprova o regimento").locator(".poll-mini .bar-row")
    await expect(mini).to_have_count(3)
    await screen.reload()
    await expect(screen.locator("#stage .poll-turnout")).to_contain_text("2 votos")
    await expect(screen.locator("#stage .poll-state")).to_have_text("Encerrada")
    for client in (presenter, *voters):
        await client.close()
    assert not browser.errors, browser.errors


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 1024, "height": 768}])
async def test_the_presenter_keeps_the_preview_in_view(
    browser: Browser, conference: Conference, shot: Shot, viewport: dict[str, int]
) -> None:
    """A laptop: with a long ballot open and the console scrolled to its polls and to its end,
    "No telão agora" and its preview stay on screen."""
    await conference.api("POST", "/polls", {"spec": sonora_proposals(), "visibility": "live"})
    await conference.api("POST", "/polls", {"spec": sonora_election(), "visibility": "after_close"})
    console = await browser.page(conference.url("presenter"), viewport=viewport)
    row = console.locator("#polls .poll-row", has_text=sonora_proposals()["question"])
    await row.get_by_role("button", name=re.compile("^Abrir")).click()
    await expect(row.locator(".poll-status")).to_have_text("Aberta")
    await row.get_by_role("button", name=re.compile("Mostrar no telão")).click()
    await expect(console.locator("#preview .panel-poll")).to_be_visible()
    await expect(row.locator(".poll-mini .bar-row")).to_have_count(len(sonora_proposals()["options"]))

    async def in_view(where: str) -> None:
        for selector in ("#screen-h", "#preview"):
            box = await console.locator(selector).bounding_box()
            assert box is not None, selector
            assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (where, selector, box)

    await in_view("top")
    await console.locator("#polls .poll-row").last.scroll_into_view_if_needed()
    await in_view("at the polls")
    await console.locator("#questions").scroll_into_view_if_needed()
    await console.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    await console.wait_for_timeout(100)
    assert await console.evaluate("window.scrollY") > 300, "the console is longer than the window"
    await in_view("at the end")
    await shot(console, f"presenter-scrolled-{viewport['width']}")
    # Its own controls stay reachable: the column scrolls inside when the window is short.
    await console.locator("#message-text").scroll_into_view_if_needed()
    await expect(console.locator("#message-text")).to_be_in_viewport()
    assert not browser.errors, browser.errors


async def test_a_phone_ballot_keeps_its_count_in_view_refuses_where_tapped_and_asks_before_a_blank_vote(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    spec = sonora_proposals()
    poll = await conference.api("POST", "/polls", {"spec": spec, "visibility": "live"})
    presenter = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await presenter.ok("poll.open", poll=poll["id"])
    phone = await browser.page(conference.url("participant"), viewport=PHONE, has_touch=True, is_mobile=True)
    await phone.get_by_role("tab", name=re.compile("Votação")).click()
    ballot = phone.locator(".ballot", has_text=spec["question"])
    municipal = ballot.get_by_role("group", name="Propostas municipais")
    head = municipal.locator(".section-head")
    await expect(head).to_contain_text("restam 10 de 10")
    labels = [o["label"] for o in spec["options"] if o["id"].startswith("m")]

    async def head_in_view() -> None:
        box, tabs = await head.bounding_box(), await phone.locator(".tabs").bounding_box()
        assert box is not None and tabs is not None
        assert box["y"] >= tabs["y"] + tabs["height"] - 1 and box["y"] + box["height"] <= PHONE["height"], box
        # Nothing covers it: the element at its middle is the head itself (or inside it).
        assert await head.evaluate(
            "h => { const r = h.getBoundingClientRect();"
            " return h.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
        )

    for label in labels[:10]:
        await municipal.get_by_label(label).tap()
        await head_in_view()
    await expect(head).to_contain_text("restam 0 de 10")
    # The 11th, at the bottom of the section: refused where the finger is, and said aloud.
    eleventh = municipal.locator(".choice", has_text=labels[-1])
    await eleventh.locator("label").tap()
    await head_in_view()
    await expect(eleventh.locator("input")).not_to_be_checked()
    refusal = eleventh.locator(".refusal")
    await expect(refusal).to_have_text("“Propostas municipais”: no máximo 10 escolhas.")
    assert await refusal.get_attribute("role") == "alert"
    choice_box, note_box = await eleventh.bounding_box(), await refusal.bounding_box()
    assert choice_box and note_box and 0 <= note_box["y"] - choice_box["y"] <= choice_box["height"]
    assert note_box["y"] >= 0 and note_box["y"] + note_box["height"] <= PHONE["height"], "seen without scrolling"
    await expect(head).to_have_class(re.compile("refused"))
    await expect(municipal.locator("input:checked")).to_have_count(10)
    await shot(phone, "participant-phone-refused")
    # A pick elsewhere is fine again, and the note goes.
    await municipal.get_by_label(labels[0]).tap()
    await expect(refusal).to_be_hidden()
    await expect(head).to_contain_text("resta 1 de 10")

    # An empty ballot asks first; only "vote blank" sends it.
    for _ in range(await ballot.locator("input:checked").count()):
        await ballot.locator("input:checked").first.tap()
    await expect(ballot.locator("input:checked")).to_have_count(0)
    await ballot.get_by_role("button", name="Votar", exact=True).tap()
    confirm = ballot.locator(".blank-confirm")
    await expect(confirm).to_be_visible()
    await expect(confirm).to_contain_text("Votar em branco?")
    await expect(confirm.get_by_role("button", name="Votar em branco")).to_be_focused()
    await confirm.get_by_role("button", name="Voltar e escolher").tap()
    await expect(confirm).to_be_hidden()
    await phone.wait_for_timeout(300)
    assert not await _ballots(conference, poll["id"]), "nothing is sent before the voter confirms"
    await ballot.get_by_role("button", name="Votar", exact=True).tap()
    await shot(phone, "participant-phone-blank")
    await confirm.get_by_role("button", name="Votar em branco").tap()
    await expect(ballot.locator(".ballot-done")).to_contain_text("Voto registrado")
    assert await _ballots(conference, poll["id"]) == [[]]
    await presenter.close()
    assert not browser.errors, browser.errors


async def _ballots(conference: Conference, poll_id: int) -> list[list[str]]:
    return [list(b.get("choices", [])) for b in await conference.server.services.polls.stored_ballots(poll_id)]
