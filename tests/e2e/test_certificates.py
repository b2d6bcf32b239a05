"""Certificates over a real server: delegates checked in at the door while a session is live,
a threshold, certificates issued in bulk as PDF, and the public verification page."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from tests.client import Client
from tests.harness import Running, add_sessions, create_event

CODE = "CERT18"


async def test_certificates_from_the_door_to_the_verification_page(server: Running) -> None:
    created = await create_event(server.base, code=CODE, title="13ª Conferência Municipal de Sonora",
                                 segments=["Usuários", "Governo"])
    secret = created["organizer_secret"]
    (session,) = await add_sessions(server.base, CODE, secret, ["Plenária final"])
    auth = {"authorization": f"Bearer {secret}"}
    # PDFs render in the heavy-work process, started on first use: give it time on a busy machine.
    async with httpx.AsyncClient(base_url=server.base, headers=auth, timeout=60) as http:
        imported = await http.post(f"/api/events/{CODE}/delegates", headers={"content-type": "text/csv"},
                                   content="Maria das Graças Silva,Usuários\nJoão Batista,Governo\n".encode())
        assert imported.status_code == 201, imported.text
        maria, joao = imported.json()["delegates"]
        link = await http.post(f"/api/events/{CODE}/staff", json={"role": "checkin", "label": "Porta"})
        presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        door = await Client(server.ws_url, CODE, token=link.json()["token"]).connect()
        presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
        await presenter.ok("session.start", session=session["id"])
        await door.ok("checkin.in", code=maria["code"], method="typed")
        await presenter.ok("session.end", session=session["id"])

        view = (await http.get(f"/api/events/{CODE}/certificates")).json()
        people = {p["name"]: p for p in view["people"]}
        assert view["min_minutes"] == 0
        assert people["Maria das Graças Silva"]["eligible"] is True and people["Maria das Graças Silva"]["minutes"] >= 0
        assert people["João Batista"] == {**people["João Batista"], "minutes": 0, "eligible": False, "code": None}
        refused = await http.put(f"/api/events/{CODE}/certificates/threshold", json={"min_minutes": -1})
        assert refused.status_code == 422
        none_yet = await http.get(f"/api/events/{CODE}/certificates.pdf")
        assert none_yet.status_code == 404 and none_yet.json()["error"]["code"] == "no_certificates"

        # A threshold of 3 hours leaves Maria's few seconds short; back to 0 she gets hers.
        assert (await http.put(f"/api/events/{CODE}/certificates/threshold", json={"min_minutes": 180})).status_code \
            == 200
        assert (await http.post(f"/api/events/{CODE}/certificates/issue")).json()["issued"] == 0
        await http.put(f"/api/events/{CODE}/certificates/threshold", json={"min_minutes": 0})
        assert (await http.post(f"/api/events/{CODE}/certificates/issue")).json()["issued"] == 1
        code = next(p["code"] for p in (await http.get(f"/api/events/{CODE}/certificates")).json()["people"]
                    if p["code"])
        again = await http.post(f"/api/events/{CODE}/certificates/issue")
        assert again.json()["issued"] == 1, "issuing again keeps one certificate per person"

        bulk = await http.get(f"/api/events/{CODE}/certificates.pdf")
        assert bulk.status_code == 200 and bulk.headers["content-type"] == "application/pdf"
        (page,) = PdfReader(io.BytesIO(bulk.content)).pages
        text = page.extract_text().replace("\n", " ")
        assert "Certificado de participação" in text
        assert "Certificamos que Maria das Graças Silva participou da 13ª Conferência Municipal de Sonora" in text
        assert f"Código de verificação: {code}" in text and f"/verify/{code}" in text

    async with httpx.AsyncClient(base_url=server.base) as anyone:
        assert (await anyone.get(f"/api/events/{CODE}/certificates")).status_code in (401, 403)
        checked = await anyone.get(f"/verify/{code.lower().replace('-', ' ')}")
        assert checked.status_code == 200 and "Certificado válido" in checked.text
        assert "Maria das Graças Silva" in checked.text and "<script" not in checked.text
        wrong = await anyone.get("/verify/AAAA-BBBB-CCCC")
        assert wrong.status_code == 404 and "Nenhum certificado com este código." in wrong.text
        assert (await anyone.get(f"/api/certificates/{code}")).json()["valid"] is True
    for client in (door, presenter):
        await client.close()
