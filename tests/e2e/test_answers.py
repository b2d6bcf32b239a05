"""Word-cloud answers and display names pass moderation: a real server, real websocket clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.client import Client
from tests.harness import Running, create_event

CODE = "NUVEM1"
# Public tallies come at most once a second; the machine running the suite may be busy.
WAIT = 15.0
CLOUD = {"kind": "open_text", "question": "Uma palavra para a assistência social", "max_text_length": 80}


@dataclass
class Hall:
    server: Running
    created: dict[str, Any]
    http: httpx.AsyncClient
    moderator: Client
    presenter: Client
    clients: list[Client] = field(default_factory=list)

    @property
    def public(self) -> str:
        return f"ev:{self.created['event']['id']}:public"

    async def join(self, token: str = "") -> Client:
        client = await Client(self.server.ws_url, CODE, token=token).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        self.clients.append(client)
        return client

    async def cloud(self, **fields: Any) -> int:
        response = await self.http.post(f"/api/events/{CODE}/polls", json={"spec": CLOUD, **fields})
        assert response.status_code == 201, response.text
        poll_id: int = response.json()["id"]
        await self.presenter.ok("poll.open", poll=poll_id)
        return poll_id


@pytest.fixture
async def hall(server: Running) -> AsyncIterator[Hall]:
    created = await create_event(server.base, code=CODE)
    tokens = {s["role"]: s["token"] for s in created["staff"]}
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        moderator = await Client(server.ws_url, CODE, token=tokens["moderator"]).connect()
        presenter = await Client(server.ws_url, CODE, token=tokens["presenter"]).connect()
        hall = Hall(server, created, http, moderator, presenter)
        yield hall
        for client in [moderator, presenter, *hall.clients]:
            await client.close()


def words_of(client: Client, poll_id: int) -> list[str] | None:
    """The words of the latest public tally or result of `poll_id` this client received."""
    for event in reversed(client.events):
        data = event["data"]
        if event["ch"].endswith(":public") and event["name"] in ("poll.tally", "poll.result") \
                and data.get("poll") == poll_id:
            return [word for word, _ in data["tally"]["words"]]
    return None


def public_frames(client: Client) -> str:
    """Everything a participant's page was sent: its snapshots and every public event."""
    return json.dumps([client.snapshots, client.events], ensure_ascii=False).casefold()


def answers_of(client: Client, poll_id: int) -> dict[str, dict[str, Any]]:
    """The latest `mod.answers` items of a poll a staff client received, by key."""
    for event in reversed(client.named("mod.answers")):
        if event["data"]["poll"] == poll_id:
            return {item["key"]: item for item in event["data"]["answers"]}
    return {}


async def test_an_insult_never_reaches_a_screen_and_a_held_answer_waits_for_approval(hall: Hall) -> None:
    poll = await hall.cloud()
    screen, alice, bob, carla = [await hall.join() for _ in range(4)]
    refused = await alice.command("vote.cast", poll=poll, ballot={"text": "vai tomar no cu, prefeito"})
    assert refused["type"] == "error" and refused["code"] == "answer_refused"
    assert (await alice.ok("vote.cast", poll=poll, ballot={"text": "Saúde"})).get("moderation") is None
    held = await bob.ok("vote.cast", poll=poll, ballot={"text": "me liga 600 123 456"})
    assert held["moderation"] == "held"
    await carla.ok("vote.cast", poll=poll, ballot={"text": "educação"})
    await screen.wait_for(lambda: {"saúde", "educação"} <= set(words_of(screen, poll) or []), WAIT)
    await hall.moderator.wait_for(lambda: answers_of(hall.moderator, poll).get("me liga 600 123 456"), WAIT)
    item = answers_of(hall.moderator, poll)["me liga 600 123 456"]
    assert item["status"] == "held" and item["count"] == 1 and item["author"] is None
    assert [r["rule"] for r in item["reasons"]] == ["personal_data"]
    assert "600" not in " ".join(words_of(screen, poll) or [])
    # The moderator approves it: the projector shows it with the next tally, without a reload.
    decided = await hall.moderator.ok("mod.answer", poll=poll, answer=item["key"], decision="approve")
    assert decided == {"poll": poll, "subject": "answer", "key": "me liga 600 123 456", "shown": True}
    await screen.wait_for(lambda: "liga" in (words_of(screen, poll) or []), WAIT)
    again = await hall.moderator.command("mod.answer", poll=poll, answer=item["key"], decision="reject")
    assert again["code"] == "already_decided" and again["details"]["status"] == "approved"
    late = await hall.join()
    tally = next(p for p in late.snapshots[hall.public]["polls"] if p["id"] == poll)["tally"]
    assert "liga" in [word for word, _ in tally["tally"]["words"]]
    for client in (screen, alice, bob, carla, late):
        assert "tomar" not in public_frames(client)
    ballots = await hall.server.services.polls.stored_ballots(poll)
    assert sorted(b["text"] for b in ballots) == ["Saúde", "educação", "me liga 600 123 456"]


async def test_a_secret_cloud_is_screened_at_its_count_and_publishes_no_held_answer(hall: Hall) -> None:
    """A secret poll's answers are sealed until its count, so nobody (moderators included) reads
    them live: the rules still refuse an insult when it is cast, a held answer stays out of the
    counted cloud and out of the published ballots until a moderator approves it after the count,
    and the recount of the published file keeps matching."""
    poll = await hall.cloud(secret=True)
    screen, alice, bob, carla = [await hall.join() for _ in range(4)]
    refused = await alice.command("vote.cast", poll=poll, ballot={"text": "vai tomar no cu, prefeito"})
    assert refused["code"] == "answer_refused"
    # A refused answer is not a vote: in a secret poll the participant can still answer once.
    assert (await alice.ok("vote.cast", poll=poll, ballot={"text": "Saúde"}))["secret"] is True
    assert (await bob.ok("vote.cast", poll=poll, ballot={"text": "me liga 600 123 456"}))["moderation"] == "held"
    await carla.ok("vote.cast", poll=poll, ballot={"text": "educação"})
    await hall.presenter.ok("poll.close", poll=poll)
    result = await screen.wait_for(lambda: next(
        (e["data"] for e in screen.named("poll.result") if e["data"]["poll"] == poll), None), WAIT)
    assert sorted(word for word, _ in result["tally"]["words"]) == ["educação", "saúde"]
    assert result["tally"]["ballots"] == 3 and result["verification"]["recount_matches"]
    # Moderators get the answers with the count, the held one in their queue, and nobody's name.
    await hall.moderator.wait_for(lambda: answers_of(hall.moderator, poll).get("me liga 600 123 456"), WAIT)
    item = answers_of(hall.moderator, poll)["me liga 600 123 456"]
    assert item["status"] == "held" and item["author"] is None
    published = (await hall.http.get(f"/api/events/{CODE}/polls/{poll}/published-ballots.csv")).text
    assert "600" not in published and "saúde" in published.casefold()
    await hall.moderator.ok("mod.answer", poll=poll, answer=item["key"], decision="approve")
    shown = await screen.wait_for(lambda: "liga" in (words_of(screen, poll) or []) and next(
        e["data"] for e in reversed(screen.named("poll.result")) if e["data"]["poll"] == poll), WAIT)
    assert shown["verification"]["recount_matches"], "moderation keeps the published count checkable"
    assert "600 123 456" in (await hall.http.get(f"/api/events/{CODE}/polls/{poll}/published-ballots.csv")).text
    for client in (screen, alice, bob, carla):
        assert "tomar" not in public_frames(client)


async def test_a_held_answer_stays_off_every_screen_and_a_shown_word_can_be_hidden(hall: Hall) -> None:
    poll = await hall.cloud()
    voters = [await hall.join() for _ in range(4)]
    await voters[0].ok("vote.cast", poll=poll, ballot={"text": "esse vereador é um idiota"})
    for voter, text in zip(voters[1:], ("lixo", "Lixo!", "moradia"), strict=True):
        await voter.ok("vote.cast", poll=poll, ballot={"text": text})
    await hall.moderator.wait_for(lambda: answers_of(hall.moderator, poll).get("lixo", {}).get("count") == 2, WAIT)
    assert answers_of(hall.moderator, poll)["esse vereador é um idiota"]["status"] == "held"
    await hall.presenter.ok("poll.close", poll=poll)
    screen = await hall.join()
    result = next(p for p in screen.snapshots[hall.public]["polls"] if p["id"] == poll)["result"]
    assert [word for word, _ in result["tally"]["words"]] == ["lixo", "moradia"]
    assert result["tally"]["ballots"] == 4  # every answer counts as an answer; held words do not show
    # Hiding a word of a closed poll's cloud changes its stored result at once, on every screen.
    assert (await hall.presenter.ok("mod.word", poll=poll, word="Lixo"))["shown"] is False
    await screen.wait_for(lambda: words_of(screen, poll) == ["moradia"], WAIT)
    export = (await hall.http.get(f"/api/events/{CODE}/polls/{poll}/export.json")).json()
    assert export["hidden_words"] == ["lixo"]
    assert {a["key"]: a["status"] for a in export["answers"]} == {
        "lixo": "published", "moradia": "published", "esse vereador é um idiota": "held"}
    assert sorted(b["moderation"] for b in export["ballots"]) == ["held", "published", "published", "published"]
    csv_lines = (await hall.http.get(f"/api/events/{CODE}/polls/{poll}/export.csv")).text.lstrip("\ufeff").splitlines()
    assert csv_lines == ["word,answers,status", "moradia,1,shown", "lixo,,hidden", "esse vereador é um idiota,1,held"]
    event_csv = (await hall.http.get(f"/api/events/{CODE}/exports/polls?format=csv")).text
    assert ",lixo,,,hidden" in event_csv and ",esse vereador é um idiota,,1,held" in event_csv
    # Showing it again brings it back; a moderator can also hide a whole answer.
    await hall.moderator.ok("mod.word", poll=poll, word="lixo", hidden=False)
    await screen.wait_for(lambda: words_of(screen, poll) == ["lixo", "moradia"], WAIT)
    await hall.moderator.ok("mod.answer", poll=poll, answer="MORADIA", decision="hide")
    await screen.wait_for(lambda: words_of(screen, poll) == ["lixo"], WAIT)
    audit = [(e["action"], e["target"]["kind"], e["text_before"])
             for e in (await hall.http.get(f"/api/events/{CODE}/audit?format=json")).json()["entries"]]
    assert audit == [("hide", "word", "lixo"), ("show", "word", "lixo"), ("hide", "answer", "moradia")]


async def test_the_events_own_terms_refuse_answers_and_clean_the_cloud(hall: Hall) -> None:
    poll = await hall.cloud()
    screen, voter, other = [await hall.join() for _ in range(3)]
    await voter.ok("vote.cast", poll=poll, ballot={"text": "golpista"})
    await other.ok("vote.cast", poll=poll, ballot={"text": "transparência"})
    await screen.wait_for(lambda: words_of(screen, poll) == ["golpista", "transparência"], WAIT)
    await hall.moderator.ok("mod.policy", rules={"blocked_terms": ["golpist*"]})
    # Already given: it leaves the cloud, and moderators see it blocked (they may still approve it).
    await screen.wait_for(lambda: words_of(screen, poll) == ["transparência"], WAIT)
    blocked = lambda: answers_of(hall.moderator, poll).get("golpista", {}).get("auto_blocked")  # noqa: E731
    await hall.moderator.wait_for(blocked, WAIT)
    refused = await (await hall.join()).command("vote.cast", poll=poll, ballot={"text": "Golpistas!"})
    assert refused["code"] == "answer_refused"


async def test_banned_participants_write_no_answers(hall: Hall) -> None:
    poll = await hall.cloud()
    voter = await hall.join()
    # The ballot rules still speak first about an empty or overlong answer.
    assert (await voter.command("vote.cast", poll=poll, ballot={"text": "  "}))["code"] == "text_empty"
    assert (await voter.command("vote.cast", poll=poll, ballot={"text": "x" * 600}))["code"] == "text_too_long"
    await hall.moderator.ok("mod.ban", participant=voter.welcome["participant"]["id"])
    refused = await voter.command("vote.cast", poll=poll, ballot={"text": "moradia"})
    assert refused["code"] == "banned"


async def test_display_names_pass_the_events_rules(hall: Hall) -> None:
    person = await hall.join()
    for name in ("Filho da Puta", "Maria Idiota", "Jan 600 123 456"):
        refused = await person.command("profile.update", name=name)
        assert refused["type"] == "error" and refused["code"] == "name_refused", name
    assert (await person.ok("profile.update", name="MARIA DAS GRAÇAS"))["participant"]["name"] == "MARIA DAS GRAÇAS"
    await hall.moderator.ok("mod.policy", rules={"blocked_terms": ["Zé Golpe"]})
    assert (await person.command("profile.update", name="Zé Golpe"))["code"] == "name_refused"
