"""The ata over a real server: a session held, a vote taken, the secretary's note, the PDF read
back, then the ata marked final: frozen, fingerprinted on every page, notes refused."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from tests.client import Client
from tests.harness import Running, add_sessions, create_event

CODE = "ATA18"


async def test_ata_from_the_plenary_to_a_frozen_pdf(server: Running) -> None:
    created = await create_event(server.base, code=CODE, title="Konferencja Pomocy Społecznej — Zakopane",
                                 default_lang="pl")
    secret = created["organizer_secret"]
    (opening, closing) = await add_sessions(server.base, CODE, secret, ["Otwarcie i regulamin", "Zamknięcie"])
    presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
    auth = {"authorization": f"Bearer {secret}"}
    # PDFs render in the heavy-work process, started on first use: give it time on a busy machine.
    async with httpx.AsyncClient(base_url=server.base, headers=auth, timeout=60) as http:
        await presenter.ok("session.start", session=opening["id"])
        made = await http.post(f"/api/events/{CODE}/polls", json={
            "spec": {"kind": "yes_no_abstain", "question": "Czy przyjmujemy regulamin?"}, "session": opening["id"]})
        assert made.status_code == 201, made.text
        poll = made.json()
        await presenter.ok("poll.open", poll=poll["id"])
        voters = [await Client(server.ws_url, CODE).connect() for _ in range(3)]
        for voter, choice in zip(voters, ["yes", "yes", "no"], strict=True):
            await voter.ok("vote.cast", poll=poll["id"], ballot={"choice": choice})
        await presenter.ok("poll.close", poll=poll["id"])
        await presenter.ok("session.end", session=opening["id"])

        note = "Obrady prowadziła Łucja Żółkiewska; głosowanie jawne."
        saved = await http.put(f"/api/events/{CODE}/ata/notes/{opening['id']}", json={"text": note})
        assert saved.status_code == 200, saved.text
        stranger = await http.put(f"/api/events/{CODE}/ata/notes/999999", json={"text": "x"})
        assert stranger.status_code == 404
        async with httpx.AsyncClient(base_url=server.base) as anonymous:
            outsider = await anonymous.get(f"/api/events/{CODE}/ata.pdf")
        assert outsider.status_code in (401, 403)

        draft = (await http.get(f"/api/events/{CODE}/ata")).json()
        assert draft["final"] is False and draft["notes"] == {str(opening["id"]): note}
        texts = [b.get("text", "") for b in draft["document"]["blocks"]]
        assert "Głosowanie: Czy przyjmujemy regulamin?" in texts
        assert "Wynik: przyjęta — 2 za, 1 przeciw, 0 wstrzymujący się (Zasada: zwykła większość głosów ważnych)" \
            in texts
        assert any(t.startswith("Planowana na") or t == "nie odbyła się" for t in texts), "the closing was not held"

        pdf = await http.get(f"/api/events/{CODE}/ata.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Wynik: przyjęta — 2 za, 1 przeciw" in text and note in text
        assert "Projekt (nieostateczny)" in text

        final = (await http.post(f"/api/events/{CODE}/ata/final")).json()
        again = (await http.post(f"/api/events/{CODE}/ata/final")).json()
        assert final["final"] is True and again == final and len(final["fingerprint"]) == 64
        refused = await http.put(f"/api/events/{CODE}/ata/notes/{opening['id']}", json={"text": "później"})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "ata_final"

        # Later events do not reach a final ata: a session started after it changes nothing.
        await presenter.ok("session.start", session=closing["id"])
        frozen = (await http.get(f"/api/events/{CODE}/ata")).json()
        assert frozen["final"] is True and frozen["fingerprint"] == final["fingerprint"]
        assert frozen["document"] == draft["document"]

        pdf = await http.get(f"/api/events/{CODE}/ata.pdf")
        pages = [page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(pdf.content)).pages]
        assert all(final["fingerprint"] in page for page in pages)
        assert "Protokół ostateczny" in pages[-1]
        printable = await http.get(f"/api/events/{CODE}/ata.html")
        assert printable.status_code == 200 and final["fingerprint"] in printable.text
        assert "<script" not in printable.text and "Łucja Żółkiewska" in printable.text
    for client in (presenter, *voters):
        await client.close()
