"""Pre-conferences over a real server: the conference's organizer adds two meetings (each its
own event and join code), participants of each meeting submit proposals over the websocket,
the organizer consolidates them over HTTP (merge, edit, undo), makes the sectioned ballot from
the list, delegates vote at the conference, and the results and exports show every origin."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from tests.client import Client
from tests.harness import Running, create_event

CODE = "PATRO26"
EIXOS = ["Financiamento da assistência social", "Controle social"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_meetings_feed_the_conference_ballot_with_their_origins(server: Running) -> None:
    created = await create_event(server.base, code=CODE, title="Conferência Municipal de Assistência Social")
    secret = created["organizer_secret"]
    presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    auth = {"authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth, timeout=30) as http:
        base = f"/api/events/{CODE}/preconference"
        assert (await http.put(f"{base}/eixos", json={"eixos": EIXOS})).json() == {"eixos": EIXOS}
        made = [(await http.post(f"{base}/meetings", json=fields)) for fields in (
            {"place": "CRAS Nações", "date": "2025-06-13", "area": "Nações", "code": "CRASNACOES"},
            {"place": "CRAS São Benedito", "date": "2025-06-16", "area": "São Benedito"})]
        assert [m.status_code for m in made] == [201, 201], made[0].text
        nacoes, benedito = (m.json() for m in made)
        assert nacoes["event"]["code"] == "CRASNACOES" and nacoes["links"]["participant"].endswith("/e/CRASNACOES")
        assert nacoes["event"]["stream"]["kind"] == "none" and nacoes["organizer_secret"]
        refused = await http.post(f"{base}/meetings", json={"place": "CRAS", "date": "13/06/2025"})
        assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == "date"
        async with httpx.AsyncClient(base_url=server.base) as anonymous:
            assert (await anonymous.get(base)).status_code == 401

        # Participants at the meetings, on the meetings' own codes and the same participant page.
        ana = await Client(server.ws_url, nacoes["event"]["code"]).connect()
        bia = await Client(server.ws_url, nacoes["event"]["code"]).connect()
        caio = await Client(server.ws_url, benedito["event"]["code"]).connect()
        shown = (await ana.wait_for(lambda: next((s for s in ana.snapshots.values() if "preconference" in s),
                                                  None)))["preconference"]
        assert shown["meeting"]["place"] == "CRAS Nações" and shown["eixos"] == EIXOS
        assert shown["levels"] == ["municipal", "state", "federal"]
        finance, control = EIXOS
        one = await ana.ok("proposal.submit", text="Ampliar a equipe do CRAS Nações", eixo=finance, level="municipal")
        two = await bia.ok("proposal.submit", text="Mais técnicos   no CRAS", eixo=finance, level="municipal")
        three = await caio.ok("proposal.submit", text="Cofinanciamento estadual regular", eixo=finance,
                              level="state")
        four = await caio.ok("proposal.submit", text="Conselho com paridade real", eixo=control, level="municipal")
        assert two["contribution"]["text"] == "Mais técnicos no CRAS" and two["contribution"]["proposal"] is None
        wrong = await ana.command("proposal.submit", text="x", eixo="Saúde", level="municipal")
        assert wrong["code"] == "invalid_eixo"
        wrong_level = await ana.command("proposal.submit", text="x", eixo=finance, level="regional")
        assert wrong_level["code"] == "invalid_message"
        at_conference = await Client(server.ws_url, CODE).connect()
        elsewhere = await at_conference.command("proposal.submit", text="x", eixo=finance, level="municipal")
        assert elsewhere["code"] == "not_a_preconference"
        await at_conference.close()

        # A new eixo reaches the meetings' pages live, and is accepted at once.
        more = [*EIXOS, "Gestão do SUAS"]
        assert (await http.put(f"{base}/eixos", json={"eixos": more})).status_code == 200
        changed = await caio.wait_for(lambda: caio.named("preconference.meeting"))
        assert changed[-1]["data"]["eixos"] == more and changed[-1]["data"]["meeting"]["place"] == "CRAS São Benedito"
        assert (await caio.ok("proposal.submit", text="Vigilância socioassistencial", eixo="Gestão do SUAS",
                              level="federal"))["contribution"]["eixo"] == "Gestão do SUAS"

        state = (await http.get(base)).json()
        assert [c["text"] for c in state["contributions"]][:4] == [
            "Ampliar a equipe do CRAS Nações", "Mais técnicos no CRAS", "Cofinanciamento estadual regular",
            "Conselho com paridade real"]
        assert [m["contributions"] for m in state["meetings"]] == [2, 3]

        # Consolidate: two contributions of CRAS Nações merge, reworded; the others alone.
        ids = [one["contribution"]["id"], two["contribution"]["id"]]
        merged = await http.post(f"{base}/proposals", json={
            "contributions": ids, "text": "Ampliar as equipes de referência dos CRAS"})
        assert merged.status_code == 201, merged.text
        proposal = merged.json()
        assert proposal["origin_label"] == "CRAS Nações, 13/06 — 2 contribuições reunidas"
        assert proposal["supporters"] == 2 and proposal["contributions"] == ids
        assert proposal["original"] == "Ampliar a equipe do CRAS Nações\nMais técnicos no CRAS"
        mixed = await http.post(f"{base}/proposals", json={
            "contributions": [three["contribution"]["id"], four["contribution"]["id"]]})
        assert mixed.status_code == 422 and mixed.json()["error"]["code"] == "eixo_required"
        alone = {"contributions": [three["contribution"]["id"]]}
        state_one = (await http.post(f"{base}/proposals", json=alone)).json()
        control = {"contributions": [four["contribution"]["id"]]}
        control_one = (await http.post(f"{base}/proposals", json=control)).json()
        # Undo a merge, then merge again; the undone one leaves no trace in the list.
        await http.delete(f"{base}/proposals/{control_one['id']}")
        control_one = (await http.post(f"{base}/proposals", json=control)).json()
        edited = await http.patch(f"{base}/proposals/{control_one['id']}",
                                  json={"text": "Conselho municipal com paridade real", "level": "federal"})
        assert edited.status_code == 200, edited.text
        assert edited.json()["original"] == "Conselho com paridade real" and edited.json()["level"] == "federal"
        bad = await http.patch(f"{base}/proposals/{control_one['id']}", json={"eixo": "Saúde"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_eixo"
        state = (await http.get(base)).json()
        assert [p["text"] for p in state["proposals"]] == [
            "Ampliar as equipes de referência dos CRAS", "Cofinanciamento estadual regular",
            "Conselho municipal com paridade real"]
        assert state["proposals"][1]["origin_label"] == "CRAS São Benedito, 16/06"

        # The ballot from the consolidated list, voted at the conference.
        answer = await http.post(f"{base}/ballot", json={"limits": {"municipal": 1, "state": 1, "federal": 1}})
        assert answer.status_code == 201, answer.text
        poll = answer.json()
        spec = poll["spec"]
        assert [s["id"] for s in spec["sections"]] == ["municipal", "state", "federal"]
        assert spec["options"][0] == {"id": f"pc{proposal['id']}", "label": "Ampliar as equipes de referência dos CRAS",
                                      "group": EIXOS[0], "origin": "CRAS Nações, 13/06 — 2 contribuições reunidas"}
        presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
        await presenter.ok("poll.open", poll=poll["id"])
        voters = [await Client(server.ws_url, CODE).connect() for _ in range(3)]
        for voter in voters:
            await voter.ok("vote.cast", poll=poll["id"], ballot={"choices": [f"pc{proposal['id']}",
                                                                            f"pc{state_one['id']}"]})
        await presenter.ok("poll.close", poll=poll["id"])
        results = await voters[0].wait_for(lambda: next(
            (e["data"] for e in voters[0].named("poll.result") if e["data"]["poll"] == poll["id"]), None))
        assert f"pc{proposal['id']}" in results["outcome"][0]["selected"]
        exported: dict[str, Any] = (await http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.json")).json()
        assert exported["poll"]["spec"]["options"][0]["origin"] == "CRAS Nações, 13/06 — 2 contribuições reunidas"

        contributions = rows((await http.get(f"/api/events/{CODE}/exports/contributions?format=csv")).text)
        assert [(r["meeting"], r["date"], r["join_code"], r["level"]) for r in contributions][:2] == [
            ("CRAS Nações", "2025-06-13", "CRASNACOES", "municipal")] * 2
        assert contributions[0]["proposal"] == str(proposal["id"])
        listed = rows((await http.get(f"/api/events/{CODE}/exports/proposals?format=csv")).text)
        assert listed[0]["origin"] == "CRAS Nações, 13/06 — 2 contribuições reunidas"
        assert listed[0]["original"] == "Ampliar a equipe do CRAS Nações\nMais técnicos no CRAS"
        assert (listed[0]["contributions"], listed[0]["supporters"]) == ("2", "2")
        assert listed[2]["level"] == "federal" and listed[2]["text"] == "Conselho municipal com paridade real"
        audit = rows((await http.get(f"/api/events/{CODE}/audit?format=csv")).text)
        actions = [r["action"] for r in audit]
        assert actions.count("preconference.meeting") == 2 and "preconference.undo" in actions
        assert actions[-1] == "preconference.ballot" and actions.count("preconference.merge") == 4
        report = await http.get(f"/api/events/{CODE}/report")
        assert '<span class="origin">CRAS Nações, 13/06 — 2 contribuições reunidas</span>' in report.text
        ata = (await http.get(f"/api/events/{CODE}/ata")).json()
        approved = [row for block in ata["document"]["blocks"] if block["kind"] == "table" for row in block["rows"]]
        assert ["Municipal", EIXOS[0], "Ampliar as equipes de referência dos CRAS (CRAS Nações, 13/06 — 2 contribuições"
                " reunidas)", "3"] in approved
        # A meeting's participant's data export lists their contributions; erasing them keeps each
        # contribution, consolidated, without their id.
        meeting_auth = {"authorization": f"Bearer {nacoes['organizer_secret']}"}
        ana_id = ana.welcome["participant"]["id"]
        own = await http.get(f"/api/events/CRASNACOES/participants/{ana_id}/export?format=csv", headers=meeting_auth)
        record = rows(own.text)[-1]
        assert (record["record"], record["id"], record["status"], record["detail"]) == (
            "contribution", str(one["contribution"]["id"]), "municipal", "Ampliar a equipe do CRAS Nações")
        erased = await http.delete(f"/api/events/CRASNACOES/participants/{ana_id}", headers=meeting_auth)
        assert erased.status_code == 200 and erased.json()["contributions"] == 1, erased.text
        state = (await http.get(base)).json()
        assert state["contributions"][0]["author"] == "" and state["contributions"][0]["text"].startswith("Ampliar")
        assert state["proposals"][0]["supporters"] == 2 and ana_id not in str(state)
        for client in (ana, bia, caio, presenter, *voters):
            await client.close()
