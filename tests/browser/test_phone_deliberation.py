"""A delegate's phone in Chromium during a plenária final: the credential's code typed in, a
destaque marked on the open window, a moção submitted from the form and another signed, each
as the delegate taps it, the page audited with axe at each step; and the chair's console
calling a vote under a rule only the organizer's poll builder offered before."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browser, Conference
from tests.client import Client

pytestmark = pytest.mark.browser

DELEGATES = "Ana Souza,Usuários\nBruno Lima,Trabalhadores\nCarla Dias,Governo\n"

PROPOSALS = {"kind": "multiple", "question": "Propostas do eixo 2", "max_picks": 2,
             "options": [{"id": "m1", "label": "Ampliar o CRAS do bairro Norte"},
                         {"id": "m2", "label": "Concurso para assistentes sociais"},
                         {"id": "m3", "label": "Cofinanciamento estadual dos CREAS"}]}


async def test_a_delegate_marks_a_destaque_submits_and_signs_moções_from_the_phone(
        browser: Browser, conference: Conference) -> None:
    auth = {"authorization": f"Bearer {conference.secret}"}
    async with httpx.AsyncClient(base_url=conference.server.base, headers=auth) as http:
        response = await http.post(f"/api/events/{conference.code}/delegates",
                                   content=DELEGATES.encode(),
                                   headers={"content-type": "text/csv"})
        ana, bruno, carla = response.json()["delegates"]
        poll = (await http.post(f"/api/events/{conference.code}/polls",
                                json={"spec": PROPOSALS, "eligibility": "delegates"})).json()["id"]
        # Three present, every one's signature needed: the moções stay open to sign.
        assert (await http.put(f"/api/events/{conference.code}/plenary", json={"motion_share": 100})).status_code == 200
    organizer = await Client(conference.server.ws_url, conference.code, token=conference.secret).connect()
    for credential in (ana, bruno, carla):
        await organizer.ok("checkin.in", code=credential["code"], method="scan")
    await organizer.ok("destaque.window", poll=poll, open=True)
    others = []
    for credential in (bruno, carla):
        device = await Client(conference.server.ws_url, conference.code).connect()
        await device.ok("delegate.redeem", code=credential["code"])
        others.append(device)
    theirs = (await others[0].ok("mocao.submit", kind="apoio", text="Apoio ao conselho tutelar",
                                 addressee="Câmara Municipal"))["motion"]

    # Ana types the code of her credential in the delegate box.
    phone = await browser.page(conference.url("participant"), viewport=PHONE)
    await phone.get_by_role("tab", name="Votação").click()
    await phone.get_by_text("Sou delegado(a): digitar meu código").click()
    await phone.get_by_label("Código de delegado").fill(ana["code"])
    await phone.get_by_role("button", name="Confirmar").click()
    await expect(phone.locator(".delegate-me")).to_contain_text("Ana Souza")

    window = phone.locator(".floor-card", has_text="Pedidos de destaque abertos")
    await expect(window).to_contain_text("Concurso para assistentes sociais")
    await browser.audit(phone, step="destaque window")
    row = window.locator("li", has_text="Concurso para assistentes sociais")
    await row.get_by_role("button", name="Destacar").click()
    await expect(phone.get_by_text("Destaque registrado.")).to_be_visible()
    marked = await organizer.wait_for(lambda: next(
        (e["data"] for e in organizer.named("destaque.updated") if e["data"]["proposals"][1]["marks"] == 1), None))
    assert [p["marks"] for p in marked["proposals"]] == [0, 1, 0]

    motions = phone.locator(".floor-card", has_text="Moções")
    await motions.get_by_label("Tipo de moção").select_option("repudio")
    await motions.get_by_label("Texto da moção").fill("Repúdio ao corte do cofinanciamento")
    await motions.get_by_label("Destinatário").fill("Governo do Estado")
    await motions.get_by_role("button", name="Apresentar moção").click()
    await expect(phone.get_by_text("Moção apresentada; colete assinaturas.")).to_be_visible()
    mine = motions.locator("li", has_text="Repúdio ao corte do cofinanciamento")
    await expect(mine).to_contain_text("1 de 3 assinaturas")

    other = motions.locator("li", has_text="Apoio ao conselho tutelar")
    await expect(other).to_contain_text("1 de 3 assinaturas")
    await other.get_by_role("button", name="Assinar").click()
    await expect(other).to_contain_text("2 de 3 assinaturas")
    await browser.audit(phone, step="moções")
    signed = await organizer.wait_for(lambda: next(
        (e["data"] for e in organizer.named("mocao.updated")
         if any(m["id"] == theirs and m["signatures"] == 2 for m in e["data"]["motions"])), None))
    assert len(signed["motions"]) == 2
    for client in (organizer, *others):
        await client.close()


async def test_the_chair_calls_the_block_under_any_rule_the_poll_builder_offers(
        browser: Browser, conference: Conference) -> None:
    poll = (await conference.api("POST", "/polls", {"spec": PROPOSALS, "eligibility": "delegates"}))["id"]
    chair = await Client(conference.server.ws_url, conference.code, token=conference.presenter).connect()
    await chair.ok("destaque.window", poll=poll, open=True)
    await chair.ok("destaque.window", poll=poll, open=False)  # nobody marked: all three go to the block
    presenter = await browser.page(conference.url("presenter"))
    rule = presenter.locator("#plenary-controls fieldset", has_text="Regra de votação")
    await expect(rule.get_by_label("Maioria")).to_have_value("simple")
    await rule.get_by_label("Maioria").select_option("fraction")
    await rule.get_by_label("Fração (ex.: 3/5)").fill("3/5")
    await rule.get_by_label("Sobre").select_option("present")
    await rule.get_by_label("Quórum para abrir").fill("0/1")
    await browser.audit(presenter, step="chair rule")
    await presenter.get_by_role("button", name="Votar em bloco").click()
    called = await chair.wait_for(lambda: next(
        (e["data"]["block_call"] for e in chair.named("destaque.updated") if e["data"]["block_call"]), None))
    assert called["rule"] == {"majority": "fraction", "base": "present", "numerator": 3, "denominator": 5,
                              "quorum_numerator": 0, "quorum_denominator": 1}
    await chair.close()
