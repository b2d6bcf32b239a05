"""The plenária's credenciamento and a decision vote in Chromium: the door's check-in page reads a
credential's QR with the vendored decoder, checks delegates in by code and from the list, the
chair's presenter page follows attendance per segment, and the projector and the overlay say the
outcome (aprovada) with its arithmetic in the event's language."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
import segno
from playwright.async_api import expect

from tests.browser.conftest import PHONE, SCREEN, Browser, Conference, Shot
from tests.client import Client

pytestmark = pytest.mark.browser


async def staff_link(conference: Conference, role: str) -> str:
    async with httpx.AsyncClient(base_url=conference.server.base,
                                 headers={"authorization": f"Bearer {conference.secret}"}) as http:
        response = await http.post(f"/api/events/{conference.code}/staff", json={"role": role, "label": "Porta 1"})
        response.raise_for_status()
        link: str = response.json()["links"][role]
        return link


async def delegates(conference: Conference, names: list[tuple[str, str]]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=conference.server.base,
                                 headers={"authorization": f"Bearer {conference.secret}"}) as http:
        response = await http.post(f"/api/events/{conference.code}/delegates",
                                   content="".join(f"{n},{s}\n" for n, s in names).encode(),
                                   headers={"content-type": "text/csv"})
        response.raise_for_status()
        return list(response.json()["delegates"])


def qr_png(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=4)
    return base64.b64encode(out.getvalue()).decode()


async def test_door_check_in_quorum_and_the_outcome_on_every_screen(
    browser: Browser, conference: Conference, shot: Shot
) -> None:
    people = [("Ana Souza", "Usuários"), ("Bruno Lima", "Trabalhadores"), ("Carla Dias", "Governo"),
              ("Davi Rocha", "Sociedade civil")]
    credentials = await delegates(conference, people)
    door = await browser.page(await staff_link(conference, "checkin"), viewport=PHONE)
    presenter = await browser.page(conference.url("presenter"))
    await expect(door.locator("#delegates .checkin-row")).to_have_count(4)

    # The vendored decoder reads the QR printed on a credential (its #delegate= link).
    link = f"{conference.server.base}/e/{conference.code}#delegate={credentials[0]['code']}"
    decoded = await door.evaluate("""async (png) => {
        const image = new Image();
        image.src = "data:image/png;base64," + png;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.width; canvas.height = image.height;
        const context = canvas.getContext("2d");
        context.drawImage(image, 0, 0);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        return window.jsQR(frame.data, frame.width, frame.height).data;
    }""", qr_png(link))
    assert decoded == link
    code = decoded.split("#delegate=")[1]
    await door.get_by_label("Código da credencial").fill(code.lower())
    await door.locator("#typed").get_by_role("button", name="Credenciar").click()
    await expect(door.locator("#last")).to_have_text("Credenciado: Ana Souza (Usuários)")
    await door.locator("#delegates .checkin-row", has_text="Bruno Lima").get_by_role("button").click()
    await expect(door.locator("#last")).to_contain_text("Bruno Lima")
    await door.get_by_label("Código da credencial").fill(credentials[0]["code"])
    await door.locator("#typed").get_by_role("button", name="Credenciar").click()
    await expect(door.locator("#last")).to_have_text("Este delegado já foi credenciado.")
    total = presenter.locator("#attendance .total-row td").first
    await expect(total).to_have_text("2")
    governo = presenter.locator("#attendance .segment-row", has_text="Governo")
    await expect(governo.locator("td").first).to_have_text("0")
    await shot(door, "checkin-door")

    # A decision vote: half the delegates present is the quorum; a simple majority decides.
    poll = await conference.api("POST", "/polls", {
        "spec": {"kind": "yes_no_abstain", "question": "Aprova o destaque 3?",
                 "rule": {"majority": "simple", "quorum_numerator": 1, "quorum_denominator": 2}},
        "eligibility": "delegates"})
    phones = []
    for credential in credentials[:2]:
        phone = await Client(conference.server.ws_url, conference.code).connect()
        await phone.ok("delegate.redeem", code=credential["code"])
        phones.append(phone)
    chair = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await chair.wait_for(lambda: chair.snapshots)
    await chair.ok("poll.open", poll=poll["id"])
    await phones[0].ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    await phones[1].ok("vote.cast", poll=poll["id"], ballot={"choice": "abstain"})
    await chair.ok("poll.close", poll=poll["id"])
    await chair.ok("screen.show", kind="poll", ref=poll["id"])

    screen = await browser.page(conference.url("screen"), viewport=SCREEN)
    overlay = await browser.page(conference.url("overlay"), viewport=SCREEN)
    for page in (screen, overlay, presenter):
        decision = page.locator(".poll-decision[data-verdict=approved]").first
        await expect(decision.locator(".decision-label")).to_have_text("aprovada")
        await expect(decision.locator(".decision-math")).to_contain_text("1 sim, 0 não, 1 abstenções")
        await expect(decision.locator(".decision-math")).to_contain_text("presentes 2 de 4, quórum 2")
    await shot(screen, "decision-screen")
    for client in (*phones, chair):
        await client.close()


async def test_the_organizer_sets_the_plenary_and_a_decision_rule(browser: Browser, conference: Conference) -> None:
    organizer = await browser.page(conference.url("organizer"))
    plenary = organizer.locator("#s-plenary").locator("..")
    await plenary.locator("#pl-online").check()
    await plenary.locator("#pl-delay").fill("25")
    await plenary.locator("#pl-max").fill("40")
    await plenary.get_by_label("Assinaturas que uma moção precisa (% dos delegados presentes)").fill("25")
    await plenary.get_by_role("button").click()
    await expect(organizer.locator("#toasts")).to_contain_text("Salvo")

    builder = organizer.locator("#poll-builder")
    await builder.locator("#pb-kind").select_option("yes_no_abstain")
    await builder.locator("#pb-question").fill("Aprova a moção de apoio?")
    await builder.locator("#pb-majority").select_option("fraction")
    await builder.locator("#pb-share").fill("3/5")
    await builder.locator("#pb-base").select_option("present")
    await builder.locator("#pb-quorum").fill("1/2")
    await builder.locator("#pb-elig").select_option("delegates")
    await builder.locator("button[type=submit]").click()

    async def created() -> list[dict[str, Any]]:
        polls: list[dict[str, Any]] = await conference.api("GET", "/polls")
        return [p for p in polls if p["spec"]["question"] == "Aprova a moção de apoio?"]

    for _ in range(50):
        if await created():
            break
        await organizer.wait_for_timeout(100)
    (poll,) = await created()
    assert poll["spec"]["rule"] == {"majority": "fraction", "base": "present", "numerator": 3, "denominator": 5,
                                    "quorum_numerator": 1, "quorum_denominator": 2}
    participant = await Client(conference.server.ws_url, conference.code).connect()
    await participant.wait_for(lambda: participant.snapshots)
    event = next(s for s in participant.snapshots.values() if "event" in s)["event"]
    assert event["plenary"] == {"online_participation": True, "stream_delay": 25, "max_stream_delay": 40,
                                "motion_share": 25}
    await participant.close()
