"""Destaques and moções over real websockets and HTTP: who may mark and sign, on which ballot,
the organizer's signature share, and what an erasure leaves of a delegate in the procedure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.settings import Settings
from tests.client import Client
from tests.harness import Running, add_sessions, create_event

CODE = "DEST17"
SEGMENTS = ["Usuários", "Trabalhadores", "Entidades", "Governo"]
PROPOSALS = {"kind": "multiple", "question": "Propostas do eixo 1",
             "options": [{"id": f"m{i}", "label": f"Proposta municipal {i}"} for i in range(1, 5)],
             "sections": [{"id": "municipal", "title": "Municipais", "option_ids": ["m1", "m2", "m3", "m4"],
                           "max_picks": 2}]}


class Plenary:
    def __init__(self, server: Running, created: dict[str, Any], http: httpx.AsyncClient, chair: Client,
                 organizer: Client, session: int) -> None:
        self.server, self.created, self.http = server, created, http
        self.chair, self.organizer, self.session = chair, organizer, session
        self.public = f"ev:{created['event']['id']}:public"
        self.clients: list[Client] = []

    async def delegates(self, count: int, *, checked_in: int) -> list[Client]:
        """`count` delegates with their credential redeemed on a phone, the first `checked_in` at the door."""
        text = "".join(f"Delegada {i},{SEGMENTS[i % 4]}\n" for i in range(count))
        response = await self.http.post(f"/api/events/{CODE}/delegates", content=text.encode(),
                                        headers={"content-type": "text/csv"})
        assert response.status_code == 201, response.text
        phones = []
        for i, credential in enumerate(response.json()["delegates"]):
            phone = await self.client()
            await phone.ok("delegate.redeem", code=credential["code"])
            if i < checked_in:
                await self.organizer.ok("checkin.in", code=credential["code"], method="typed")
            phones.append(phone)
        return phones

    async def client(self, token: str = "") -> Client:
        client = await Client(self.server.ws_url, CODE, token=token).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        self.clients.append(client)
        return client

    async def ballot(self, spec: dict[str, Any]) -> int:
        response = await self.http.post(f"/api/events/{CODE}/polls", json={"spec": spec, "eligibility": "delegates"})
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def export(self, name: str, form: str = "json") -> Any:
        response = await self.http.get(f"/api/events/{CODE}/exports/{name}", params={"format": form})
        assert response.status_code == 200, response.text
        return response.json() if form == "json" else response.text


@pytest.fixture
def settings(store_url: str) -> Settings:
    """On SQLite and on PostgreSQL: the erasure rewrites the procedure's documents on both."""
    return Settings(database_url=store_url)


@pytest.fixture
async def plenary(server: Running) -> AsyncIterator[Plenary]:
    created = await create_event(server.base, code=CODE, segments=SEGMENTS)
    [session] = await add_sessions(server.base, CODE, created["organizer_secret"], ["Plenária final"])
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    chair_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        chair = await Client(server.ws_url, CODE, token=chair_token).connect()
        organizer = await Client(server.ws_url, CODE, token=created["organizer_secret"]).connect()
        room = Plenary(server, created, http, chair, organizer, session["id"])
        await room.client()  # the public channel's snapshot is in
        yield room
        for client in (chair, organizer, *room.clients):
            await client.close()


async def test_only_present_delegates_mark_and_sign_and_only_on_a_proposal_ballot(plenary: Plenary) -> None:
    inside, _, outside = await plenary.delegates(3, checked_in=2)
    await plenary.organizer.ok("plenary.settings", motion_share=100)  # the moção stays open to signatures
    poll = await plenary.ballot(PROPOSALS)
    yes_no = await plenary.ballot({"kind": "yes_no_abstain", "question": "Aprova o regimento?"})
    single = await plenary.ballot({"kind": "single", "question": "Local da próxima conferência",
                                   "options": [{"id": "a", "label": "Centro"}, {"id": "b", "label": "Norte"}]})
    for other in (yes_no, single):
        refused = await plenary.chair.command("destaque.window", poll=other, open=True)
        assert refused["code"] == "not_a_proposal_ballot", refused
    await plenary.chair.ok("destaque.window", poll=poll, open=True)

    # The delegate at home, online participation not allowed: refused, nothing changes.
    assert (await outside.command("destaque.mark", poll=poll, proposal="m2"))["code"] == "not_present_here"
    submitted = await outside.command("mocao.submit", kind="apoio", text="Apoio à casa de acolhida",
                                      addressee="Câmara Municipal")
    assert submitted["code"] == "not_present_here"
    marked = await inside.ok("destaque.mark", poll=poll, proposal="m2")
    assert [p["marks"] for p in marked["destaques"]["proposals"]] == [0, 1, 0, 0]
    motion = (await inside.ok("mocao.submit", kind="apoio", text="Apoio à casa de acolhida",
                              addressee="Câmara Municipal"))["motion"]
    assert (await outside.command("mocao.sign", motion=motion))["code"] == "not_present_here"

    # The organizer allows online participation: the same phone now counts as present.
    await plenary.organizer.ok("plenary.settings", online_participation=True)
    await outside.ok("destaque.mark", poll=poll, proposal="m2")
    signed = await outside.ok("mocao.sign", motion=motion)
    assert signed["mocoes"]["motions"][0]["signatures"] == 2
    # Online participation withdrawn: absent once more.
    await plenary.organizer.ok("plenary.settings", online_participation=False)
    assert (await outside.command("destaque.mark", poll=poll, proposal="m3"))["code"] == "not_present_here"
    shown = plenary.clients[0]
    await shown.wait_for(lambda: any(e["data"]["proposals"][1]["marks"] == 2 for e in shown.named("destaque.updated")))
    assert all(e["data"]["proposals"][2]["marks"] == 0 for e in shown.named("destaque.updated"))


async def test_the_organizer_sets_the_signature_share_over_http_validated_and_audited(plenary: Plenary) -> None:
    phones = await plenary.delegates(10, checked_in=10)
    current = await plenary.http.get(f"/api/events/{CODE}/plenary")
    assert current.json()["settings"]["motion_share"] == 20
    motion = (await phones[0].ok("mocao.submit", kind="repudio", text="Repúdio ao fechamento do CRAS",
                                 addressee="Prefeitura"))["motion"]
    assert (await phones[1].ok("mocao.sign", motion=motion))["mocoes"]["needed"] == 2  # 20 % of the 10 present

    for bad in (0, 101, 12.5, "30", True):
        refused = await plenary.http.put(f"/api/events/{CODE}/plenary", json={"motion_share": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["code"] == "invalid_field"
        assert refused.json()["error"]["details"]["field"] == "motion_share"
    unknown = await plenary.http.put(f"/api/events/{CODE}/plenary", json={"share": 30})
    assert unknown.status_code == 422 and unknown.json()["error"]["details"]["field"] == "share"
    assert (await plenary.chair.command("plenary.settings", motion_share=50))["code"] == "forbidden"

    saved = await plenary.http.put(f"/api/events/{CODE}/plenary", json={"motion_share": 50})
    assert saved.status_code == 200 and saved.json()["settings"]["motion_share"] == 50
    assert (await plenary.http.get(f"/api/events/{CODE}/plenary")).json()["settings"]["motion_share"] == 50
    await phones[0].wait_for(lambda: phones[0].named("plenary.settings"))
    # A new moção needs half of the ten present; the one already queued stays before the plenária.
    second = await phones[2].ok("mocao.submit", kind="apoio", text="Apoio ao conselho tutelar", addressee="Câmara")
    assert second["mocoes"]["needed"] == 5
    for phone in phones[3:6]:
        view = (await phone.ok("mocao.sign", motion=second["motion"]))["mocoes"]
    assert next(m for m in view["motions"] if m["id"] == second["motion"])["queued_at"] is None
    view = (await phones[6].ok("mocao.sign", motion=second["motion"]))["mocoes"]
    assert next(m for m in view["motions"] if m["id"] == second["motion"])["queued_at"] is not None
    # Over the websocket too (the organizer page's Plenária card sends this).
    await plenary.organizer.ok("plenary.settings", motion_share=25)

    audit = (await plenary.http.get(f"/api/events/{CODE}/audit")).json()["entries"]
    notes = [e["note"] for e in audit if e["action"] == "plenary.settings"]
    assert notes == ["motion_share=50", "motion_share=25"], notes


async def test_erasing_a_delegate_keeps_the_counts_and_drops_the_name_everywhere(plenary: Plenary) -> None:
    ana, bruno, carla = await plenary.delegates(3, checked_in=3)
    name, ana_id = "Delegada 0", str(ana.welcome["participant"]["id"])
    ana_delegate = (await plenary.http.get(f"/api/events/{CODE}/delegates")).json()["delegates"][0]["id"]
    s, chair = plenary.session, plenary.chair
    # Ana speaks (and asks again, still waiting when erased); Bruno speaks too.
    await chair.ok("session.start", session=s)
    for phone in (ana, bruno):
        await phone.ok("speakers.request", session=s, stance="for")
        await chair.ok("speakers.start", session=s, seconds=60)
        await chair.ok("speakers.end", session=s)
    await ana.ok("speakers.request", session=s, stance="order")
    # Ana marks a destaque; she writes one moção and signs Bruno's.
    poll = await plenary.ballot(PROPOSALS)
    await chair.ok("destaque.window", poll=poll, open=True)
    await ana.ok("destaque.mark", poll=poll, proposal="m1")
    await carla.ok("destaque.mark", poll=poll, proposal="m1")
    await chair.ok("destaque.window", poll=poll, open=False)
    await plenary.organizer.ok("plenary.settings", motion_share=100)
    mine = (await ana.ok("mocao.submit", kind="repudio", text="Repúdio ao corte", addressee="Governo"))["motion"]
    theirs = (await bruno.ok("mocao.submit", kind="apoio", text="Apoio ao CRAS", addressee="Câmara"))["motion"]
    await ana.ok("mocao.sign", motion=theirs)
    await carla.ok("mocao.sign", motion=mine)
    before = {name: json.dumps(await plenary.export(name), ensure_ascii=False)
              for name in ("speakers", "destaques", "procedure")}
    assert name in before["speakers"] and ana_id in before["speakers"]

    erased = await plenary.http.delete(f"/api/events/{CODE}/participants/{ana_id}")
    assert erased.status_code == 200, erased.text
    assert erased.json()["procedure_entries"] == 5  # two requests, a mark, a moção, a signature

    speakers = (await plenary.export("speakers"))["speakers"][0]
    assert [(e["name"], e["public_id"], e["segment"]) for e in speakers["spoken"]] == [
        ("", "", "Usuários"), ("Delegada 1", str(bruno.welcome["participant"]["id"]), "Trabalhadores")]
    assert speakers["queue"] == []  # her waiting question of order went with her
    people = speakers["totals"]["people"]
    assert sorted((p["name"], p["speeches"]) for p in people) == [("", 1), ("Delegada 1", 1)]
    assert set(speakers["totals"]["segments"]) == {"Usuários", "Trabalhadores"}
    destaques = (await plenary.export("destaques"))
    marked_by = destaques["destaques"][0]["marked_by"]["m1"]
    assert len(marked_by) == 2 and ana_delegate not in marked_by
    motions = {m["id"]: m for m in destaques["mocoes"]["motions"]}
    assert motions[mine]["author"] == {"name": "", "segment": "Usuários"}
    assert len(motions[mine]["signers"]) == 2 and len(motions[theirs]["signers"]) == 2
    assert ana_delegate not in motions[mine]["signers"] + motions[theirs]["signers"]
    log = (await plenary.export("procedure"))
    ana_actor = [e for e in log["log"] if e["actor"] == "erased"]
    assert len(ana_actor) == 5  # what she did stays, by nobody
    for after in [json.dumps(await plenary.export(n), ensure_ascii=False) for n in ("speakers", "destaques",
                                                                                   "procedure")]:
        assert name not in after and ana_id not in after
        assert f'"delegate": {ana_delegate},' not in after and f'"delegate": {ana_delegate}}}' not in after
    for form in ("speakers", "destaques", "procedure"):
        assert name not in await plenary.export(form, "csv")

    # A screen that joins now sees the counts and not her; open screens were told at once.
    late = await plenary.client()
    snapshot = json.dumps(late.snapshots[plenary.public], ensure_ascii=False)
    assert name not in snapshot and ana_id not in snapshot
    state = late.snapshots[plenary.public]
    assert state["destaques"][0]["proposals"][0]["marks"] == 2
    assert {m["id"]: m["signatures"] for m in state["mocoes"]["motions"]} == {mine: 2, theirs: 2}
    watcher = plenary.clients[0]
    await watcher.wait_for(lambda: any(not e["data"]["queue"] for e in watcher.named("speakers.updated")))
    await watcher.wait_for(lambda: any(m["author"]["name"] == "" for e in watcher.named("mocao.updated")
                                       for m in e["data"]["motions"]))
