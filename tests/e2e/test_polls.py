"""Timed votes, sectioned ballots, secret polls, credentials and elections over real websockets."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect

from server.hub.hub import PACED_FRAMES
from tests.client import Client
from tests.harness import Running, create_event

CODE = "VOTA13"


class Conf:
    """One event with a presenter client and the organizer's HTTP client."""

    def __init__(self, server: Running, created: dict[str, Any], http: httpx.AsyncClient, presenter: Client) -> None:
        self.server = server
        self.created = created
        self.http = http
        self.presenter = presenter
        self.event_id: int = created["event"]["id"]
        self.public = f"ev:{self.event_id}:public"
        self.staff = f"ev:{self.event_id}:staff"

    async def poll(self, spec: dict[str, Any], **fields: Any) -> dict[str, Any]:
        response = await self.http.post(f"/api/events/{CODE}/polls", json={"spec": spec, **fields})
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def participant(self, device: str | None = None) -> Client:
        client = await Client(self.server.ws_url, CODE, device=device).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        return client

    async def delegates(self, csv_text: str) -> list[dict[str, Any]]:
        response = await self.http.post(
            f"/api/events/{CODE}/delegates", content=csv_text.encode(), headers={"content-type": "text/csv"}
        )
        assert response.status_code == 201, response.text
        return list(response.json()["delegates"])


@pytest.fixture
async def conf(server: Running) -> AsyncIterator[Conf]:
    created = await create_event(server.base, code=CODE, segments=["Governo", "Sociedade civil", "Usuários"])
    presenter_token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        presenter = await Client(server.ws_url, CODE, token=presenter_token).connect()
        yield Conf(server, created, http, presenter)
        await presenter.close()


def proposals_spec() -> dict[str, Any]:
    """Choose 10 municipal proposals, 2 state, 2 federal; proposals grouped by axis."""
    options = [{"id": f"m{i}", "label": f"Proposta municipal {i}", "group": f"Eixo {i % 4 + 1}"} for i in range(1, 17)]
    options += [{"id": f"e{i}", "label": f"Proposta estadual {i}", "group": f"Eixo {i}"} for i in range(1, 5)]
    options += [{"id": f"f{i}", "label": f"Proposta federal {i}", "group": f"Eixo {i}"} for i in range(1, 5)]
    return {
        "kind": "multiple",
        "question": "Escolha 10 propostas municipais, 2 estaduais, 2 federais",
        "options": options,
        "sections": [
            {"id": "municipal", "title": "Municipais", "option_ids": [f"m{i}" for i in range(1, 17)], "max_picks": 10},
            {"id": "estadual", "title": "Estaduais", "option_ids": [f"e{i}" for i in range(1, 5)], "max_picks": 2},
            {"id": "federal", "title": "Federais", "option_ids": [f"f{i}" for i in range(1, 5)], "max_picks": 2},
        ],
    }


YES_NO = {"kind": "yes_no_abstain", "question": "Aprova o regimento interno?"}


def latest_tally(client: Client, poll_id: int) -> dict[str, Any] | None:
    tallies = [e["data"] for e in client.named("poll.tally") if e["data"]["poll"] == poll_id]
    return max(tallies, key=lambda t: t["computed_at"]) if tallies else None


def result_of(client: Client, poll_id: int) -> dict[str, Any] | None:
    return next((e["data"] for e in client.named("poll.result") if e["data"]["poll"] == poll_id), None)


async def test_sectioned_ballot_limits_votes_and_changes(conf: Conf) -> None:
    poll = await conf.poll(proposals_spec())
    assert poll["status"] == "draft"
    alice, bob = await conf.participant(), await conf.participant()
    assert alice.snapshots[conf.public]["polls"] == [], "drafts are not shown to participants"
    opened = await conf.presenter.ok("poll.open", poll=poll["id"])
    assert opened["poll"]["status"] == "open" and opened["poll"]["deadline"] is None
    await alice.wait_for(lambda: alice.named("poll.updated"))

    eleven = [f"m{i}" for i in range(1, 12)]
    refused = await alice.command("vote.cast", poll=poll["id"], ballot={"choices": eleven})
    assert refused["type"] == "error" and refused["code"] == "too_many_picks"
    assert refused["details"] == {"section": "municipal", "limit": 10, "got": 11}
    unknown = await alice.command("vote.cast", poll=poll["id"], ballot={"choices": ["m1", "x9"]})
    assert unknown["code"] == "unknown_option" and unknown["details"]["option"] == "x9"

    first = [*(f"m{i}" for i in range(1, 11)), "e1", "e2", "f1", "f2"]
    acked = await alice.ok("vote.cast", poll=poll["id"], ballot={"choices": first})
    assert acked["changed"] is False and acked["ballot"]["choices"] == sorted(first)
    await bob.ok("vote.cast", poll=poll["id"], ballot={"choices": ["m1", "e3", "f4"]})

    def counts() -> dict[str, int] | None:
        tally = latest_tally(conf.presenter, poll["id"])
        return tally["tally"]["counts"] if tally and tally["tally"]["ballots"] == 2 else None

    seen = await conf.presenter.wait_for(counts)
    assert seen["m1"] == 2 and seen["m2"] == 1 and seen["e3"] == 1 and seen["m16"] == 0

    changed = await alice.ok("vote.cast", poll=poll["id"], ballot={"choices": ["m16", "e4"]})
    assert changed["changed"] is True
    await conf.presenter.wait_for(lambda: (counts() or {}).get("m16") == 1)
    tally = latest_tally(conf.presenter, poll["id"])
    assert tally is not None
    assert tally["tally"]["counts"]["m1"] == 1 and tally["tally"]["counts"]["m2"] == 0
    assert tally["tally"]["sections"]["municipal"]["ballots"] == 2
    assert tally["turnout"]["voted"] == 2 and tally["turnout"]["online"] == 2
    assert len(await conf.server.services.polls.stored_ballots(poll["id"])) == 2

    # The same device sees its own ballot in a fresh snapshot.
    again = await conf.participant(device=alice.device)
    mine = again.snapshots[conf.public]["polls"][0]
    assert mine["my_vote"] == {"ballot": {"choices": ["e4", "m16"]}}
    assert mine["tally"]["tally"]["ballots"] == 2

    await conf.presenter.ok("poll.close", poll=poll["id"])
    result = await alice.wait_for(lambda: result_of(alice, poll["id"]))
    municipal = result["outcome"][0]
    assert municipal["section_id"] == "municipal" and municipal["selected"] == ["m1", "m16"]
    late = await bob.command("vote.cast", poll=poll["id"], ballot={"choices": ["m2"]})
    assert late["code"] == "poll_closed"
    for client in (alice, bob, again):
        await client.close()


async def test_participants_cannot_run_polls_and_presenters_can_create(conf: Conf) -> None:
    alice = await conf.participant()
    created = await conf.presenter.ok("poll.create", spec=YES_NO, visibility="after_close")
    poll_id = created["poll"]["id"]
    forbidden = await alice.command("poll.open", poll=poll_id)
    assert forbidden["code"] == "forbidden"
    not_open = await alice.command("vote.cast", poll=poll_id, ballot={"choice": "yes"})
    assert not_open["code"] == "poll_closed"
    staff_vote = await conf.presenter.command("vote.cast", poll=poll_id, ballot={"choice": "yes"})
    assert staff_vote["code"] == "forbidden"
    bad = await conf.presenter.command("poll.create", spec={"kind": "single", "question": "?", "options": []})
    assert bad["code"] == "invalid_poll"
    missing = await alice.command("vote.cast", poll=99999, ballot={"choice": "yes"})
    assert missing["code"] == "poll_not_found"
    await alice.close()


async def test_a_tick_while_a_secret_poll_opens_leaves_its_key_held(
        conf: Conf, monkeypatch: pytest.MonkeyPatch) -> None:
    """The poll ticker looks for polls to count on its own schedule. A pass that falls inside a
    secret poll's opening, after its key is made and before it is committed, finds no key in
    the store: that is not a poll counted elsewhere, and the key must stay, or the close
    cannot count and the result waits for the organizer secret."""
    secret = conf.server.services.polls.secret
    real_open_box = secret.open_box

    async def open_box_then_tick(db: Any, poll: Any) -> None:
        await real_open_box(db, poll)
        await secret.count_pending()  # the ticker, while this opening is uncommitted

    monkeypatch.setattr(secret, "open_box", open_box_then_tick)
    poll = await conf.poll(YES_NO, secret=True)
    await conf.presenter.ok("poll.open", poll=poll["id"])
    assert poll["id"] in secret.held
    voter = await conf.participant()
    await voter.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    await secret.count_pending()  # and a pass after the commit, while it runs
    closed = await conf.presenter.ok("poll.close", poll=poll["id"])
    assert closed["poll"]["status"] == "closed"
    result = await conf.presenter.wait_for(lambda: next(
        (e["data"] for e in conf.presenter.named("poll.result") if e["data"]["poll"] == poll["id"]), None))
    assert result["tally"]["counts"] == {"yes": 1, "no": 0, "abstain": 0}


async def test_secret_poll_trackers_prove_inclusion_and_never_the_vote(conf: Conf, tmp_path: Path) -> None:
    poll = await conf.poll(YES_NO, secret=True)
    await conf.presenter.ok("poll.open", poll=poll["id"])
    alice, bob = await conf.participant(), await conf.participant()
    base = f"/api/events/{CODE}/polls/{poll['id']}"

    first = await alice.command("vote.cast", command_id="secret-1", poll=poll["id"], ballot={"choice": "yes"})
    assert first["type"] == "ack" and first["result"]["secret"] is True
    tracker = first["result"]["tracker"]
    assert len(tracker) == 14 and tracker.count("-") == 2 and "ballot" not in first["result"]
    alice.answers.clear()
    retry = await alice.command("vote.cast", command_id="secret-1", poll=poll["id"], ballot={"choice": "no"})
    assert retry["result"] == first["result"], "a retry gets the same ack and the same tracker"
    again = await alice.command("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    assert again["code"] == "already_voted"
    bob_tracker = (await bob.ok("vote.cast", poll=poll["id"], ballot={"choice": "no"}))["tracker"]
    assert bob_tracker != tracker

    # While the poll runs, nobody sees counts: the tally is the turnout, sealed.
    sealed_tally = await conf.presenter.wait_for(lambda: next(
        (e["data"] for e in conf.presenter.named("poll.tally")
         if e["data"]["poll"] == poll["id"] and e["data"]["turnout"]["voted"] == 2), None))
    assert sealed_tally["tally"] is None and sealed_tally["sealed"] is True

    # A tracker lookup says found or not, and nothing about the ballot.
    typed = tracker.replace("O", "0").replace("I", "1").replace("-", " ").lower()
    checked = await conf.http.get(f"{base}/trackers/{typed}")
    assert checked.status_code == 200 and checked.json() == {
        "poll": poll["id"], "tracker": tracker, "found": True, "counted": False}
    wrong = await conf.http.get(f"{base}/trackers/AAAA-BBBB-CCCC")
    assert wrong.json() == {"poll": poll["id"], "tracker": "AAAA-BBBB-CCCC", "found": False, "counted": False}
    box = (await conf.http.get(f"{base}/trackers")).json()
    assert box["trackers"] == sorted([tracker, bob_tracker]) and box["counted"] is False and box["result"] is None
    early = await conf.http.get(f"{base}/published-ballots.csv")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_counted"

    snapshot = (await conf.participant(device=alice.device)).snapshots[conf.public]
    assert snapshot["polls"][0]["my_vote"] == {"voted": True}

    # Storage while open: sealed ballots of one size, nothing in clear.
    engine = conf.server.services.db.engine
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {t: {c["name"] for c in inspect(sync).get_columns(t)}
                          for t in ("sealed_ballot", "vote_record", "ballot_tracker", "counted_ballot")})
        sealed = (await connection.exec_driver_sql("SELECT sealed FROM sealed_ballot")).scalars().all()
    assert columns == {"sealed_ballot": {"poll_id", "key", "sealed"}, "vote_record": {"poll_id", "voter"},
                       "ballot_tracker": {"poll_id", "tracker"}, "counted_ballot": {"poll_id", "key", "ballot"}}
    assert len(sealed) == 2 and len(sealed[0]) == len(sealed[1]), "padded: the length says nothing"

    await conf.presenter.ok("poll.close", poll=poll["id"])
    result = await conf.presenter.wait_for(lambda: next(
        (e["data"] for e in conf.presenter.named("poll.result") if e["data"]["poll"] == poll["id"]), None))
    assert result["tally"]["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert result["verification"] == {"trackers": 2, "ballots": 2, "voters": 2, "recount_matches": True}
    counted = (await conf.http.get(f"{base}/trackers/{bob_tracker}")).json()
    assert counted == {"poll": poll["id"], "tracker": bob_tracker, "found": True, "counted": True}
    assert (await conf.http.get(f"{base}/trackers")).json()["result"]["verification"]["recount_matches"]

    # Anyone recounts the published ballots with a plain Python and the downloaded script.
    published = await conf.http.get(f"{base}/published-ballots.csv")
    assert published.status_code == 200 and tracker not in published.text and bob_tracker not in published.text
    script = await conf.http.get("/recount.py")
    (tmp_path / "recount.py").write_text(script.text, encoding="utf-8")
    (tmp_path / "ballots.csv").write_bytes(published.content)
    recount = subprocess.run([sys.executable, "-I", "recount.py", "ballots.csv"], cwd=tmp_path, check=True,
                             capture_output=True, text=True, timeout=30)
    assert recount.stdout.splitlines() == ["ballots 2", "choice no 1", "choice yes 1"]

    export = (await conf.http.get(f"{base}/export.json")).json()
    assert export["vote_records"] == 2 and export["ballots_counted"] == 2
    assert export["trackers"] == sorted([tracker, bob_tracker])
    assert sorted(b["choices"][0] for b in export["ballots"]) == ["no", "yes"]
    csv_text = (await conf.http.get(f"{base}/ballots.csv")).text
    assert csv_text.lstrip("\ufeff").splitlines()[0] == "ballot,choice,rank,rating,text"
    reopened = await conf.presenter.command("poll.reopen", poll=poll["id"])
    assert reopened["code"] == "secret_poll_counted", "a second count would publish the difference"
    for client in (alice, bob):
        await client.close()


async def test_delegates_only_credentials_revoke_and_reissue(conf: Conf) -> None:
    credentials = await conf.delegates(
        "name,segment\nJoão da Conceição,Governo\nMaria Łukasiewicz-Gonçalves,Sociedade civil\nZofia Żółć,\n"
    )
    assert [c["name"] for c in credentials] == ["João da Conceição", "Maria Łukasiewicz-Gonçalves", "Zofia Żółć"]
    assert [c["segment"] for c in credentials] == ["Governo", "Sociedade civil", ""]
    joao = credentials[0]
    bad_csv = await conf.http.post(f"/api/events/{CODE}/delegates", json={"csv": "Ana,Marte\n"})
    assert bad_csv.status_code == 422 and bad_csv.json()["error"]["details"]["line"] == 1

    poll = await conf.poll(YES_NO, eligibility="delegates")
    await conf.presenter.ok("poll.open", poll=poll["id"])
    alice, bob = await conf.participant(), await conf.participant()
    refused = await alice.command("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    assert refused["code"] == "not_eligible"

    redeemed = await alice.ok("delegate.redeem", code=joao["code"].lower().replace("-", ""))
    assert redeemed["delegate"]["name"] == "João da Conceição" and redeemed["delegate"]["status"] == "used"
    await alice.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    used = await bob.command("delegate.redeem", code=joao["code"])
    assert used["code"] == "code_used"
    wrong = await bob.command("delegate.redeem", code="ZZZZ-ZZZZ")
    assert wrong["code"] == "invalid_code"
    second = await alice.command("delegate.redeem", code=credentials[1]["code"])
    assert second["code"] == "already_delegate"
    snapshot = (await conf.participant(device=alice.device)).snapshots[conf.public]
    assert snapshot["delegate"]["name"] == "João da Conceição"

    revoked = await conf.http.post(f"/api/events/{CODE}/delegates/{joao['id']}/revoke")
    assert revoked.json()["status"] == "revoked"
    after = await alice.command("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    assert after["code"] == "not_eligible"
    stale = await bob.command("delegate.redeem", code=joao["code"])
    assert stale["code"] == "code_revoked"

    reissued = (await conf.http.post(f"/api/events/{CODE}/delegates/{joao['id']}/reissue")).json()
    assert reissued["code"] != joao["code"] and reissued["link"].endswith(f"/e/{CODE}#delegate={reissued['code']}")
    old = await bob.command("delegate.redeem", code=joao["code"])
    assert old["code"] == "invalid_code"
    await bob.ok("delegate.redeem", code=reissued["code"])
    changed = await bob.ok("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    assert changed["changed"] is True, "the same delegate on a new device changes, not adds, a ballot"
    assert await conf.server.services.polls.stored_ballots(poll["id"]) == [{"choices": ["no"]}]

    def counts_the_change() -> dict[str, Any] | None:
        tally = latest_tally(conf.presenter, poll["id"])
        return tally if tally is not None and tally["tally"]["counts"].get("no") == 1 else None

    tally = await conf.presenter.wait_for(counts_the_change)
    assert tally["turnout"]["eligible"] == 3, "credentials not revoked"
    listing = (await conf.http.get(f"/api/events/{CODE}/delegates")).json()
    assert listing["counts"] == {"issued": 2, "used": 1, "revoked": 0}

    page = await conf.http.post(f"/api/events/{CODE}/credentials.html", data={"credentials": _json(credentials)})
    assert page.status_code == 200 and page.text.count("<svg") == 3
    assert "Maria Łukasiewicz-Gonçalves" in page.text and credentials[2]["code"] in page.text
    assert f"/e/{CODE}#delegate={credentials[2]['code']}" in page.text
    printable = await conf.http.post(
        f"/api/events/{CODE}/delegates?format=html", content="Ana Souza;Usuários\n".encode(),
        headers={"content-type": "text/csv"},
    )
    assert printable.headers["content-type"].startswith("text/html") and "Ana Souza" in printable.text
    for client in (alice, bob):
        await client.close()


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


async def test_tallies_are_coalesced(conf: Conf) -> None:
    poll = await conf.poll(YES_NO)
    await conf.presenter.ok("poll.open", poll=poll["id"])
    voters = await asyncio.gather(*(conf.participant() for _ in range(60)))
    choices = ("yes", "no", "abstain")
    await asyncio.gather(
        *(v.ok("vote.cast", poll=poll["id"], ballot={"choice": choices[i % 3]}) for i, v in enumerate(voters))
    )
    final = await conf.presenter.wait_for(
        lambda: (t := latest_tally(conf.presenter, poll["id"])) and t["tally"]["ballots"] == 60 and t
    )
    assert final["tally"]["counts"] == {"yes": 20, "no": 20, "abstain": 20}
    published = len([e for e in conf.presenter.named("poll.tally") if e["data"]["poll"] == poll["id"]])
    assert published <= 15, f"{published} tallies for 60 votes: not coalesced"
    for voter in voters:
        await voter.close()


async def test_after_close_visibility_hides_live_tallies(conf: Conf) -> None:
    poll = await conf.poll(YES_NO, visibility="after_close")
    alice = await conf.participant()
    await conf.presenter.ok("poll.open", poll=poll["id"])
    await alice.ok("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    # The poll's empty tally at opening may come first: wait for the one that counts the vote.
    await conf.presenter.wait_for(
        lambda: (t := latest_tally(conf.presenter, poll["id"])) and t["tally"]["ballots"] == 1)
    assert next(e for e in conf.presenter.named("poll.tally"))["ch"] == conf.staff
    fresh = await conf.participant()
    assert "tally" not in fresh.snapshots[conf.public]["polls"][0]
    await conf.presenter.ok("poll.close", poll=poll["id"])
    result = await alice.wait_for(lambda: result_of(alice, poll["id"]))
    assert result["tally"]["counts"]["no"] == 1 and result["outcome"][0]["selected"] == ["no"]
    assert not alice.named("poll.tally"), "participants never saw a live tally"

    hidden = await conf.poll(YES_NO, visibility="hidden")
    await conf.presenter.ok("poll.open", poll=hidden["id"])
    await alice.ok("vote.cast", poll=hidden["id"], ballot={"choice": "yes"})
    await conf.presenter.ok("poll.close", poll=hidden["id"])
    await conf.presenter.wait_for(lambda: result_of(conf.presenter, hidden["id"]))
    await alice.wait_for(lambda: any(e["data"]["id"] == hidden["id"] and e["data"]["status"] == "closed"
                                     for e in alice.named("poll.updated")))
    assert result_of(alice, hidden["id"]) is None and not alice.named("poll.tally")
    await conf.presenter.ok("poll.visibility", poll=hidden["id"], visibility="live")
    shown = await alice.wait_for(lambda: result_of(alice, hidden["id"]))
    assert shown["tally"]["counts"]["yes"] == 1
    for client in (alice, fresh):
        await client.close()


def latest_turnout(client: Client, poll_id: int) -> dict[str, Any] | None:
    frames = [e["data"] for e in client.named("poll.turnout") if e["data"]["poll"] == poll_id]
    return max(frames, key=lambda t: t["computed_at"])["turnout"] if frames else None


ELECTION = {
    "kind": "election",
    "question": "Eleição de delegados",
    "options": [{"id": "g1", "label": "Ana"}, {"id": "g2", "label": "Bruno"},
                {"id": "c1", "label": "Dora"}, {"id": "c2", "label": "Edu"}],
    "sections": [{"id": "governo", "title": "Governo", "option_ids": ["g1", "g2"], "seats": 1},
                 {"id": "sociedade", "title": "Sociedade civil", "option_ids": ["c1", "c2"], "seats": 1}],
}


async def test_hidden_results_still_count_the_ballots_right(conf: Conf) -> None:
    """Participants who may not see what was voted see how many voted, and the count is right:
    while a secret election runs, after a hidden poll closes, and when results are hidden midway."""
    election = await conf.poll(ELECTION, visibility="after_close", secret=True)
    screen = await conf.participant()
    await conf.presenter.ok("poll.open", poll=election["id"])
    voters = [await conf.participant() for _ in range(3)]
    for voter in voters:
        await voter.ok("vote.cast", poll=election["id"], ballot={"choices": ["g1", "c2"]})
    turnout = await screen.wait_for(
        lambda: (t := latest_turnout(screen, election["id"])) and t["voted"] == 3 and t, timeout=5
    )
    assert turnout["eligible"] >= 3
    staff = await conf.presenter.wait_for(
        lambda: (t := latest_tally(conf.presenter, election["id"])) and t["turnout"]["voted"] == 3 and t
    )
    assert staff["tally"] is None and staff["sealed"], "a secret poll's counts stay sealed for staff too"
    assert not screen.named("poll.tally"), "no counts of candidates reach participants"
    assert all(set(e["data"]) == {"poll", "turnout", "computed_at"} for e in screen.named("poll.turnout"))
    late = await conf.participant()
    (view,) = late.snapshots[conf.public]["polls"]
    assert "tally" not in view and "result" not in view
    assert view["turnout"]["turnout"]["voted"] == 3 and view["turnout"]["poll"] == election["id"]
    await conf.presenter.ok("poll.close", poll=election["id"])
    result = await screen.wait_for(lambda: result_of(screen, election["id"]))
    assert result["turnout"]["voted"] == 3 and result["tally"]["ballots"] == 3

    hidden = await conf.poll(YES_NO, visibility="hidden")
    await conf.presenter.ok("poll.open", poll=hidden["id"])
    for voter in voters[:2]:
        await voter.ok("vote.cast", poll=hidden["id"], ballot={"choice": "yes"})
    await screen.wait_for(lambda: (t := latest_turnout(screen, hidden["id"])) and t["voted"] == 2)
    await conf.presenter.ok("poll.close", poll=hidden["id"])
    closed = await screen.wait_for(
        lambda: [e for e in screen.named("poll.turnout")
                 if e["data"]["poll"] == hidden["id"] and e["data"]["computed_at"] >= staff["computed_at"]
                 and any(u["data"]["id"] == hidden["id"] and u["data"]["status"] == "closed"
                         and u["seq"] < e["seq"] for u in screen.named("poll.updated"))]
    )
    assert closed[-1]["data"]["turnout"]["voted"] == 2, "the closed hidden poll says how many voted"
    assert result_of(screen, hidden["id"]) is None
    after = await conf.participant()
    view = next(p for p in after.snapshots[conf.public]["polls"] if p["id"] == hidden["id"])
    assert view["status"] == "closed" and "result" not in view and view["turnout"]["turnout"]["voted"] == 2

    live = await conf.poll(YES_NO, visibility="live")
    await conf.presenter.ok("poll.open", poll=live["id"])
    await voters[0].ok("vote.cast", poll=live["id"], ballot={"choice": "no"})
    await screen.wait_for(lambda: (t := latest_tally(screen, live["id"])) and t["tally"]["ballots"] == 1)
    await conf.presenter.ok("poll.visibility", poll=live["id"], visibility="hidden")
    hid = await screen.wait_for(lambda: latest_turnout(screen, live["id"]))
    assert hid["voted"] == 1
    for client in (screen, late, after, *voters):
        await client.close()


async def test_a_vote_one_moment_after_the_deadline_is_refused(conf: Conf) -> None:
    ticker = conf.server.services.polls.ticker
    await ticker.stop()  # nothing closes the poll: the refusal comes from the deadline alone
    poll = await conf.poll(YES_NO)
    alice, bob = await conf.participant(), await conf.participant()
    opened = await conf.presenter.ok("poll.open", poll=poll["id"], seconds=1)
    deadline = opened["poll"]["deadline"]
    assert deadline == pytest.approx(opened["poll"]["server_time"] + 1)
    await alice.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    await asyncio.sleep(max(0.0, deadline - time.time()) + 0.005)
    late = await bob.command("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    assert late["code"] == "poll_closed"
    assert late["details"]["status"] == "open" and late["details"]["server_time"] >= deadline
    ticker.start()
    closed = await bob.wait_for(
        lambda: next((e["data"] for e in bob.named("poll.updated") if e["data"]["status"] == "closed"), None)
    )
    assert closed["closed_at"] == deadline
    result = await bob.wait_for(lambda: result_of(bob, poll["id"]))
    assert result["tally"]["ballots"] == 1
    for client in (alice, bob):
        await client.close()


async def test_pause_extend_resume_close_reopen(conf: Conf) -> None:
    poll = await conf.poll(YES_NO)
    alice = await conf.participant()
    pid = poll["id"]
    opened = (await conf.presenter.ok("poll.open", poll=pid, seconds=60))["poll"]
    paused = (await conf.presenter.ok("poll.pause", poll=pid))["poll"]
    assert paused["status"] == "paused" and paused["deadline"] is None and 59 < paused["remaining"] <= 60
    refused = await alice.command("vote.cast", poll=pid, ballot={"choice": "yes"})
    assert refused["code"] == "poll_closed" and refused["details"]["status"] == "paused"
    extended = (await conf.presenter.ok("poll.extend", poll=pid, seconds=30))["poll"]
    assert extended["remaining"] == pytest.approx(paused["remaining"] + 30)
    resumed = (await conf.presenter.ok("poll.resume", poll=pid))["poll"]
    assert resumed["status"] == "open"
    assert resumed["deadline"] == pytest.approx(resumed["server_time"] + extended["remaining"], abs=0.01)
    assert resumed["deadline"] > opened["deadline"] + 29
    extended = (await conf.presenter.ok("poll.extend", poll=pid, seconds=10))["poll"]
    assert extended["deadline"] == pytest.approx(resumed["deadline"] + 10)
    wrong = await conf.presenter.command("poll.resume", poll=pid)
    assert wrong["code"] == "invalid_transition"
    await alice.ok("vote.cast", poll=pid, ballot={"choice": "yes"})
    closed = (await conf.presenter.ok("poll.close", poll=pid))["poll"]
    assert closed["status"] == "closed"
    reopened = (await conf.presenter.ok("poll.reopen", poll=pid, seconds=5))["poll"]
    assert reopened["status"] == "open" and reopened["deadline"] == pytest.approx(reopened["server_time"] + 5)
    changed = await alice.ok("vote.cast", poll=pid, ballot={"choice": "no"})
    assert changed["changed"] is True
    untimed = await conf.poll(YES_NO)
    await conf.presenter.ok("poll.open", poll=untimed["id"])
    not_timed = await conf.presenter.command("poll.extend", poll=untimed["id"], seconds=10)
    assert not_timed["code"] == "not_timed"
    edit = await conf.http.patch(f"/api/events/{CODE}/polls/{pid}", json={"secret": True})
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "poll_not_draft"
    await alice.close()


async def test_election_with_parity_reports_a_tie(conf: Conf) -> None:
    spec = {
        "kind": "election",
        "question": "Eleição de delegados para a Conferência Estadual",
        "method": "plurality",
        "options": [
            {"id": "g1", "label": "Ana (Governo)"}, {"id": "g2", "label": "Bruno (Governo)"},
            {"id": "g3", "label": "Carla (Governo)"},
            {"id": "c1", "label": "Dora (Sociedade civil)"}, {"id": "c2", "label": "Edu (Sociedade civil)"},
            {"id": "c3", "label": "Fábio (Sociedade civil)"},
        ],
        "sections": [
            {"id": "governo", "title": "Governo", "option_ids": ["g1", "g2", "g3"], "seats": 1, "alternates": 1},
            {"id": "sociedade", "title": "Sociedade civil", "option_ids": ["c1", "c2", "c3"], "seats": 1,
             "alternates": 1},
        ],
    }
    poll = await conf.poll(spec)
    await conf.presenter.ok("poll.open", poll=poll["id"])
    ballots = [["g1", "c1"], ["g1", "c2"], ["g2", "c1"], ["g1", "c2"], ["g2", "c3"]]
    voters = [await conf.participant() for _ in ballots]
    for voter, choices in zip(voters, ballots, strict=True):
        await voter.ok("vote.cast", poll=poll["id"], ballot={"choices": choices})
    too_many = await voters[0].command("vote.cast", poll=poll["id"], ballot={"choices": ["g1", "g2"]})
    assert too_many["code"] == "too_many_picks" and too_many["details"]["section"] == "governo"
    await conf.presenter.ok("poll.close", poll=poll["id"])
    result = await voters[0].wait_for(lambda: result_of(voters[0], poll["id"]))
    governo, sociedade = result["election"]["segments"]
    assert governo["status"] == "decided"
    assert [c["id"] for c in governo["elected"]] == ["g1"] and [c["id"] for c in governo["alternates"]] == ["g2"]
    assert sociedade["status"] == "tie" and sociedade["elected"] == []
    assert [c["id"] for c in sociedade["tied"]] == ["c1", "c2"] and sociedade["open_places"] == 1
    assert result["election"]["parity"]["equal_seats"] is True
    csv_text = (await conf.http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.csv")).text
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0] == "segment,candidate_id,candidate,votes,status"
    assert "Sociedade civil,c1,Dora (Sociedade civil),2,tied" in lines
    open_export = (await conf.http.get(f"/api/events/{CODE}/polls/{poll['id']}/ballots.csv")).text
    assert voters[0].welcome["participant"]["id"] in open_export
    for voter in voters:
        await voter.close()


async def test_the_last_vote_of_a_burst_is_counted_at_once_whatever_the_recounts_cost(conf: Conf) -> None:
    """While votes keep coming, an expensive recount waits three times its cost before the next;
    once they stop, the burst's last recount does not wait for that."""
    poll = await conf.poll(YES_NO)
    await conf.presenter.ok("poll.open", poll=poll["id"])
    first, last = await conf.participant(), await conf.participant()
    await first.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
    await conf.presenter.wait_for(
        lambda: (t := latest_tally(conf.presenter, poll["id"])) and t["tally"]["ballots"] == 1)
    ticker = conf.server.services.polls.ticker
    ticker._next_recount[poll["id"]] = time.monotonic() + 60  # as if that recount had taken 20 s
    voted = time.monotonic()
    await last.ok("vote.cast", poll=poll["id"], ballot={"choice": "no"})
    await conf.presenter.wait_for(
        lambda: (t := latest_tally(conf.presenter, poll["id"])) and t["tally"]["ballots"] == 2, timeout=5)
    assert time.monotonic() - voted < 2 * ticker.interval + 1
    for client in (first, last):
        await client.close()


async def test_a_crowd_gets_paced_tallies_in_order_and_the_presenter_its_own_copy(conf: Conf) -> None:
    """More participants than a paced slice: their live tallies come in the hub's paced lane,
    with a screen change published in between; every one of them sees every public event once,
    in order, and the final tally; the presenter also gets each recount on the staff channel."""
    crowd: list[Client] = []
    for _ in range((PACED_FRAMES + 50) // 50):
        crowd += await asyncio.gather(*(conf.participant() for _ in range(50)))
    poll = await conf.poll(YES_NO, visibility="live")
    await conf.presenter.ok("poll.open", poll=poll["id"])
    voters = crowd[:20]
    for i, voter in enumerate(voters):
        await voter.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes" if i % 2 else "no"})
        if i == len(voters) // 2:
            await conf.presenter.ok("screen.show", kind="message", text="Intervalo")
        await asyncio.sleep(0.05)

    def final(client: Client) -> dict[str, Any] | None:
        tally = latest_tally(client, poll["id"])
        return tally if tally is not None and tally["tally"]["ballots"] == len(voters) else None

    staff = await conf.presenter.wait_for(
        lambda: next((e["data"] for e in conf.presenter.events if e["ch"] == conf.staff and e["name"] == "poll.tally"
                      and e["data"]["tally"]["ballots"] == len(voters)), None), timeout=10)
    assert staff["tally"]["counts"] == {"yes": 10, "no": 10, "abstain": 0}
    for client in crowd:
        await client.wait_for(lambda c=client: final(c), timeout=10)
        seqs = client.relative_seqs(conf.public)
        assert seqs == list(range(1, len(seqs) + 1)), "a gap or a duplicate on the public channel"
        assert client.named("screen.updated"), "the screen change reached everybody"
    assert conf.server.services.hub.stats["paced_deliveries"] >= 1
    for client in crowd:
        await client.close()


async def test_participants_get_a_tally_a_second_and_staff_every_recount(conf: Conf) -> None:
    """While votes keep coming, participants receive at most one tally per second (a phone on
    a slow link gets a quarter of the bytes), the presenter every recount, and the last one
    reaches participants too."""
    poll = await conf.poll(YES_NO, visibility="live")
    voters = [await conf.participant() for _ in range(12)]
    watcher = voters[0]
    await conf.presenter.ok("poll.open", poll=poll["id"])
    started = time.monotonic()
    for voter in voters:  # a vote every 150 ms for about two seconds
        await voter.ok("vote.cast", poll=poll["id"], ballot={"choice": "yes"})
        await asyncio.sleep(0.15)

    def everyone_counted(client: Client) -> dict[str, Any] | None:
        tally = latest_tally(client, poll["id"])
        return tally if tally is not None and tally["tally"]["ballots"] == len(voters) else None

    await conf.presenter.wait_for(lambda: everyone_counted(conf.presenter), timeout=5)
    await watcher.wait_for(lambda: everyone_counted(watcher), timeout=5)
    elapsed = time.monotonic() - started

    public = [e for e in watcher.named("poll.tally") if e["data"]["poll"] == poll["id"]]
    assert len(public) <= elapsed + 1, f"{len(public)} tallies in {elapsed:.1f} s"
    staff = [e for e in conf.presenter.named("poll.tally") if e["data"]["poll"] == poll["id"]]
    assert len(staff) > len(public), (len(staff), len(public))


async def test_rotating_the_organizer_secret_waits_for_sealed_ballots_and_moves_the_escrow(conf: Conf) -> None:
    """The escrow key that lets the organizer count a secret poll whose key holder is gone derives
    from the organizer secret: rotation is refused while ballots are sealed, and afterwards the
    new secret (not the old one) counts a poll whose key was lost."""
    first = await conf.poll(YES_NO, secret=True)
    await conf.presenter.ok("poll.open", poll=first["id"])
    alice = await conf.participant()
    await alice.ok("vote.cast", poll=first["id"], ballot={"choice": "yes"})
    refused = await conf.http.post(f"/api/events/{CODE}/secret")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "secret_poll_sealed"
    await conf.presenter.ok("poll.close", poll=first["id"])
    await conf.presenter.wait_for(lambda: result_of(conf.presenter, first["id"]))
    rotated = await conf.http.post(f"/api/events/{CODE}/secret")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["organizer_secret"]

    async with httpx.AsyncClient(base_url=conf.server.base,
                                 headers={"authorization": f"Bearer {new_secret}"}) as http:
        second = (await http.post(f"/api/events/{CODE}/polls", json={"spec": YES_NO, "secret": True})).json()
        await conf.presenter.ok("poll.open", poll=second["id"])
        await alice.ok("vote.cast", poll=second["id"], ballot={"choice": "no"})
        conf.server.services.polls.secret._forget(second["id"])  # the key holder is gone
        await conf.presenter.ok("poll.close", poll=second["id"])
        stale = await conf.http.post(f"/api/events/{CODE}/polls/{second['id']}/count")
        assert stale.status_code == 401, "the old secret counts nothing"
        counted = await http.post(f"/api/events/{CODE}/polls/{second['id']}/count")
        assert counted.status_code == 200, counted.text
        result = await conf.presenter.wait_for(lambda: result_of(conf.presenter, second["id"]))
        assert result["tally"]["counts"] == {"yes": 0, "no": 1, "abstain": 0}
    await alice.close()


async def test_ranking_poll_counted_by_instant_runoff_shows_its_rounds(conf: Conf) -> None:
    # 4 voters want a first, 3 b then c, 2 c then b: a leads on first preferences, but once
    # c is eliminated b holds 5 of 9, the quota, and wins.
    spec = {"kind": "ranking", "question": "Sede da próxima conferência?", "method": "irv",
            "options": [{"id": "a", "label": "CRAS Nações"}, {"id": "b", "label": "Câmara"},
                        {"id": "c", "label": "Escola Estadual"}]}
    refused = await conf.http.post(f"/api/events/{CODE}/polls", json={"spec": {**spec, "seats": 2}})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == {"field": "seats", "rule": "seats_need_stv"}
    poll = await conf.poll(spec)
    assert poll["spec"]["method"] == "irv" and poll["spec"]["seats"] == 1
    await conf.presenter.ok("poll.open", poll=poll["id"])
    rankings = [["a"]] * 4 + [["b", "c"]] * 3 + [["c", "b"]] * 2
    voters = [await conf.participant() for _ in rankings]
    for voter, ranking in zip(voters, rankings, strict=True):
        await voter.ok("vote.cast", poll=poll["id"], ballot={"ranking": ranking})
    await conf.presenter.ok("poll.close", poll=poll["id"])
    result = await voters[0].wait_for(lambda: result_of(voters[0], poll["id"]))
    ranked = result["ranked"]
    assert ranked["elected"] == ["b"] and ranked["quota"] == 5 and ranked["tied"] == []
    assert [(r["totals"], r["eliminated"], r["elected"]) for r in ranked["rounds"]] == [
        ({"a": 4.0, "b": 3.0, "c": 2.0}, ["c"], []),
        ({"b": 5.0, "a": 4.0}, [], ["b"]),
    ]
    assert result["outcome"] == [{"section_id": "", "title": "", "selected": ["b"], "alternates": [], "tied": [],
                                  "open_places": 0}]
    exported = await conf.http.get(f"/api/events/{CODE}/polls/{poll['id']}/export.csv")
    assert exported.status_code == 200
    lines = exported.text.lstrip("\ufeff").splitlines()  # a BOM, for spreadsheets
    assert lines[0] == "round,place,option_id,label,votes,status"
    assert "1,,c,Escola Estadual,2.0,eliminated" in lines and "2,,b,Câmara,5.0,elected" in lines
    for voter in voters:
        await voter.close()
