"""Chat, questions and moderation over a real server, real port and real websocket clients."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.client import Client
from tests.harness import Running, create_event


@dataclass
class Room:
    server: Running
    created: dict[str, Any]
    public: str
    staff: str
    moderator: Client
    alice: Client
    bob: Client
    clients: list[Client]

    async def join(self, *, token: str = "") -> Client:
        client = await Client(self.server.ws_url, "QA1", token=token).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        if token:
            await client.wait_for(lambda: self.staff in client.snapshots)
        self.clients.append(client)
        return client

    def token(self, role: str) -> str:
        return str(next(s["token"] for s in self.created["staff"] if s["role"] == role))

    @property
    def http(self) -> httpx.AsyncClient:
        secret = self.created["organizer_secret"]
        return httpx.AsyncClient(base_url=self.server.base, headers={"authorization": f"Bearer {secret}"})


@pytest.fixture
async def room(server: Running) -> AsyncIterator[Room]:
    created = await create_event(server.base, code="QA1")
    event_id = created["event"]["id"]
    room = Room(server, created, f"ev:{event_id}:public", f"ev:{event_id}:staff", None, None, None, [])  # type: ignore[arg-type]
    room.moderator = await room.join(token=room.token("moderator"))
    room.alice = await room.join()
    room.bob = await room.join()
    await room.alice.ok("profile.update", name="Alice")
    yield room
    for client in room.clients:
        await client.close()


def public_events(client: Client, name: str) -> list[dict[str, Any]]:
    return [e["data"] for e in client.named(name)]


def staff_item(client: Client, item_id: int, **want: Any) -> dict[str, Any] | None:
    for event in reversed(client.named("mod.item")):
        item: dict[str, Any] = event["data"]["item"]
        if item["id"] == item_id and all(item.get(k) == v for k, v in want.items()):
            return item
    return None


async def barrier(room: Room, *clients: Client) -> None:
    """A clean chat message after everything sent so far: once a client has it, it has every
    earlier public event too (one channel, in order), so absence can be asserted without sleeping."""
    writer = await room.join()
    marker = await writer.ok("chat.send", text="marcador")
    for client in clients:
        await client.wait_for(
            lambda c=client: any(m["message"]["id"] == marker["item"]["id"] for m in public_events(c, "chat.message"))
        )


async def test_clean_chat_reaches_every_participant(room: Room) -> None:
    result = await room.alice.ok("chat.send", text="Boa tarde a todos, quando começa a mesa?")
    item = result["item"]
    assert item["status"] == "published" and item["kind"] == "chat"
    for client in (room.alice, room.bob, room.moderator):
        message = await client.wait_for(lambda c=client: public_events(c, "chat.message"))
        assert message[0]["message"] == {
            "id": item["id"],
            "text": "Boa tarde a todos, quando começa a mesa?",
            "author": {"name": "Alice", "anonymous": False},
            "at": item["at"],
        }
    staff = await room.moderator.wait_for(lambda: staff_item(room.moderator, item["id"]))
    assert staff["author"]["id"] == room.alice.welcome["participant"]["id"]
    late = await room.join()
    assert [m["text"] for m in late.snapshots[room.public]["chat"]] == ["Boa tarde a todos, quando começa a mesa?"]
    assert "device" not in str(late.snapshots[room.public])


async def test_question_with_personal_data_is_held_then_approved(room: Room) -> None:
    text = "Meu CPF é 123.456.789-09, podem me ligar no (11) 98765-4321 sobre o benefício?"
    item = (await room.alice.ok("question.ask", text=text))["item"]
    assert item["status"] == "held"

    held = await room.moderator.wait_for(lambda: staff_item(room.moderator, item["id"], status="held"))
    spans = {r["detail"]: text[r["start"]:r["end"]] for r in held["reasons"]}
    assert spans == {"cpf": "123.456.789-09", "phone": "(11) 98765-4321"}
    assert held["verdict"] == "review"
    await barrier(room, room.bob, room.alice)
    assert not public_events(room.bob, "question.updated")

    # The author sees their own question waiting; others do not see it at all.
    again = await Client(room.server.ws_url, "QA1", device=room.alice.device).connect()
    room.clients.append(again)
    state = await again.wait_for(lambda: again.snapshots.get(room.public))
    assert [(m["id"], m["status"]) for m in state["mine"] if m["kind"] == "question"] == [(item["id"], "held")]
    assert state["questions"] == []
    queue = room.moderator.snapshots[room.staff]["moderation"]["queue"]
    assert queue == []  # the moderator joined before it was asked; a new console gets it in its snapshot
    console = await room.join(token=room.token("moderator"))
    assert [q["id"] for q in console.snapshots[room.staff]["moderation"]["queue"]] == [item["id"]]

    await room.moderator.ok("mod.approve", kind="question", item=item["id"])
    for client in (room.alice, room.bob, again):
        updated = await client.wait_for(lambda c=client: public_events(c, "question.updated"))
        assert updated[-1]["question"]["text"] == text
        assert updated[-1]["question"]["status"] == "published"
    await console.wait_for(lambda: staff_item(console, item["id"], status="published", decided_by="moderator"))


async def test_edit_then_approve_publishes_the_edit_and_audits_both_texts(room: Room) -> None:
    text = "Liguem para 11 98765-4321 e falem com a coordenação do CRAS"
    item = (await room.alice.ok("question.ask", text=text))["item"]
    assert item["status"] == "held"
    edited = "Liguem para [telefone removido] e falem com a coordenação do CRAS"
    result = await room.moderator.ok("mod.approve", kind="question", item=item["id"], text=edited)
    assert result["item"]["original_text"] == text
    updated = await room.bob.wait_for(lambda: public_events(room.bob, "question.updated"))
    assert updated[-1]["question"]["text"] == edited
    async with room.http as http:
        entries = (await http.get("/api/events/QA1/audit")).json()["entries"]
    approve = next(e for e in entries if e["action"] == "approve")
    assert (approve["text_before"], approve["text_after"]) == (text, edited)
    assert approve["actor"]["label"] == "moderator" and approve["actor"]["kind"] == "staff"


async def test_blocked_insult_is_not_published_and_criticism_passes(room: Room) -> None:
    blocked = (await room.alice.ok("chat.send", text="Seu vagabundo filho da puta"))["item"]
    assert blocked["status"] == "rejected"
    assert "reasons" not in blocked  # the author gets a neutral status, not the rule list
    critique = "O prefeito mentiu sobre o orçamento da assistência e a gestão dele é um fracasso vergonhoso!"
    passed = (await room.bob.ok("chat.send", text=critique))["item"]
    assert passed["status"] == "published"
    await room.alice.wait_for(lambda: public_events(room.alice, "chat.message"))
    assert [m["message"]["text"] for m in public_events(room.alice, "chat.message")] == [critique]

    auto = await room.moderator.wait_for(lambda: staff_item(room.moderator, blocked["id"], auto_blocked=True))
    assert auto["verdict"] == "block" and any(r["rule"] == "wordlist" for r in auto["reasons"])
    console = await room.join(token=room.token("moderator"))
    assert [i["id"] for i in console.snapshots[room.staff]["moderation"]["blocked"]] == [blocked["id"]]
    # A false positive can still be approved by a human, exactly once.
    await room.moderator.ok("mod.approve", kind="chat", item=blocked["id"])
    await room.bob.wait_for(lambda: len(public_events(room.bob, "chat.message")) == 2)
    again = await room.moderator.command("mod.approve", kind="chat", item=blocked["id"])
    assert again["code"] == "already_decided" and again["details"]["by"] == "moderator"


async def test_pre_moderation_holds_every_question(room: Room) -> None:
    await room.moderator.ok("mod.policy", questions_mode="pre")
    settings = await room.alice.wait_for(lambda: public_events(room.alice, "qa.settings.updated"))
    assert settings[0]["settings"]["questions_mode"] == "pre"
    item = (await room.alice.ok("question.ask", text="Quando abre o CRAS do bairro Jardim?"))["item"]
    assert item["status"] == "held"
    held = await room.moderator.wait_for(lambda: staff_item(room.moderator, item["id"], status="held"))
    assert held["reasons"] == [{"rule": "pre_moderation", "verdict": "review", "detail": "question", "start": 0,
                                "end": 0}]
    chat = (await room.alice.ok("chat.send", text="Chat continua livre"))["item"]
    assert chat["status"] == "published"


async def test_slow_mode_refuses_a_second_message_with_retry_after(room: Room) -> None:
    await room.moderator.ok("mod.policy", slow_mode_seconds=30)
    await room.alice.ok("chat.send", text="primeira mensagem")
    refused = await room.alice.command("chat.send", text="segunda mensagem")
    assert refused["type"] == "error" and refused["code"] == "slow_mode"
    assert 25 < refused["details"]["retry_after"] <= 30
    assert (await room.bob.ok("chat.send", text="outra pessoa pode falar"))["item"]["status"] == "published"
    await room.moderator.ok("mod.policy", slow_mode_seconds=0)
    assert (await room.alice.ok("chat.send", text="agora sim"))["item"]["status"] == "published"


async def test_ban_takes_effect_at_once_and_unban_lifts_it(room: Room) -> None:
    first = (await room.alice.ok("chat.send", text="Mensagem antes do banimento"))["item"]
    alice_id = room.alice.welcome["participant"]["id"]
    result = await room.moderator.ok("mod.ban", participant=alice_id)
    assert result == {"participant": {"id": alice_id, "name": "Alice"}, "muted_until": None, "banned": True}
    refused = await room.alice.command("chat.send", text="Ainda posso escrever?")
    assert refused["code"] == "banned"
    assert (await room.alice.command("question.ask", text="E perguntar?"))["code"] == "banned"
    await room.moderator.wait_for(lambda: public_events(room.moderator, "mod.sanction"))
    # What was published before stays unless a moderator deletes it.
    late = await room.join()
    assert [m["id"] for m in late.snapshots[room.public]["chat"]] == [first["id"]]
    console = await room.join(token=room.token("moderator"))
    assert console.snapshots[room.staff]["moderation"]["sanctions"][0]["banned"] is True
    await room.moderator.ok("mod.unban", participant=alice_id)
    assert (await room.alice.ok("chat.send", text="Voltei"))["item"]["status"] == "published"


async def test_mute_for_minutes_then_unmute(room: Room) -> None:
    alice_id = room.alice.welcome["participant"]["id"]
    await room.moderator.ok("mod.mute", participant=alice_id, minutes=5)
    refused = await room.alice.command("chat.send", text="Oi")
    assert refused["code"] == "muted" and 290 < refused["details"]["retry_after"] <= 300
    await room.moderator.ok("mod.mute", participant=alice_id, minutes=0)
    assert (await room.alice.ok("chat.send", text="Oi de novo"))["item"]["status"] == "published"


async def test_delete_removes_a_published_message(room: Room) -> None:
    item = (await room.alice.ok("chat.send", text="mensagem que vai sumir"))["item"]
    await room.moderator.ok("mod.delete", kind="chat", item=item["id"], reason="fora do tema")
    removed = await room.bob.wait_for(lambda: public_events(room.bob, "chat.removed"))
    assert removed == [{"id": item["id"], "reason": "deleted"}]
    late = await room.join()
    assert late.snapshots[room.public]["chat"] == []


async def test_two_moderators_racing_yield_exactly_one_decision(room: Room) -> None:
    other = await room.join(token=room.token("moderator"))
    topics = ["o CRAS", "o CREAS", "os conselhos", "o orçamento", "as vagas", "o transporte"]
    items = []
    for i, topic in enumerate(topics):  # one author each: flood and repeat rules would block a burst
        author = await room.join()
        asked = await author.ok("question.ask", text=f"Sobre {topic}: me liguem no (11) 9876{i}-432{i}")
        assert asked["item"]["status"] == "held"
        items.append(asked["item"])
    answers = await asyncio.gather(
        *(
            client.command(action, kind="question", item=item["id"])
            for item in items
            for client, action in ((room.moderator, "mod.approve"), (other, "mod.reject"))
        )
    )
    for i in range(len(items)):
        pair = answers[2 * i: 2 * i + 2]
        assert sorted(a["type"] for a in pair) == ["ack", "error"], pair
        loser = next(a for a in pair if a["type"] == "error")
        assert loser["code"] == "already_decided"
        assert loser["details"]["by"] == "moderator"
    async with room.http as http:
        entries = (await http.get("/api/events/QA1/audit")).json()["entries"]
    for item in items:
        human = [e for e in entries if e["target"]["id"] == item["id"] and e["actor"]["kind"] == "staff"]
        assert len(human) == 1


async def test_upvote_once_per_participant(room: Room) -> None:
    question = (await room.alice.ok("question.ask", text="Vai haver transporte para a plenária final?"))["item"]
    qid = question["id"]
    first = await room.bob.ok("question.upvote", question=qid, command_id="up-1")
    assert first == {"question": qid, "upvoted": True, "upvotes": 1}
    retry = await room.bob.command("question.upvote", question=qid, command_id="up-1")
    assert retry["result"] == first
    del room.bob.answers["up-1"]
    assert (await room.bob.ok("question.upvote", question=qid))["upvotes"] == 1
    own = await room.alice.command("question.upvote", question=qid)
    assert own["code"] == "own_question"
    carol = await room.join()
    assert (await carol.ok("question.upvote", question=qid))["upvotes"] == 2
    # Counts are coalesced (a few updates a second): the latest one is what matters.
    counts = await room.alice.wait_for(
        lambda: [e["upvotes"] for e in public_events(room.alice, "question.upvotes")][-1:] == [2] or None
    )
    assert counts
    state = (await Client(room.server.ws_url, "QA1", device=room.bob.device).connect())
    room.clients.append(state)
    snap = await state.wait_for(lambda: state.snapshots.get(room.public))
    assert [(q["id"], q["upvotes"], q["upvoted"]) for q in snap["questions"]] == [(qid, 2, True)]
    assert (await room.bob.ok("question.upvote", question=qid, up=False))["upvotes"] == 1
    assert (await room.bob.ok("question.upvote", question=qid, up=False))["upvotes"] == 1


async def test_upvote_counts_are_coalesced(room: Room) -> None:
    """A burst of upvotes costs a few fan-outs, not one per upvote; the last count is exact."""
    qid = (await room.alice.ok("question.ask", text="Quando sai o resultado das propostas?"))["item"]["id"]
    voters = [await room.join() for _ in range(12)]
    await asyncio.gather(*(voter.ok("question.upvote", question=qid) for voter in voters))
    await room.bob.wait_for(lambda: [e["upvotes"] for e in public_events(room.bob, "question.upvotes")][-1:] == [12])
    await asyncio.sleep(0.3)
    assert len(public_events(room.bob, "question.upvotes")) < 6


async def test_merge_unites_voters_without_double_counting(room: Room) -> None:
    carol, dave = await room.join(), await room.join()
    kept = (await room.alice.ok("question.ask", text="Como vão ser escolhidos os delegados?"))["item"]["id"]
    dup = (await room.bob.ok("question.ask", text="Qual o critério para escolher delegados?"))["item"]["id"]
    await carol.ok("question.upvote", question=kept)
    await dave.ok("question.upvote", question=kept)
    await carol.ok("question.upvote", question=dup)
    await room.alice.ok("question.upvote", question=dup)  # the kept question's author: not counted on their own
    result = await room.moderator.ok("question.merge", question=dup, into=kept)
    assert result["question"]["upvotes"] == 2  # carol and dave; alice excluded, carol once
    removed = await room.bob.wait_for(lambda: public_events(room.bob, "question.removed"))
    assert removed == [{"id": dup, "reason": "merged", "into": kept}]
    late = await room.join()
    assert [(q["id"], q["upvotes"]) for q in late.snapshots[room.public]["questions"]] == [(kept, 2)]
    assert (await dave.ok("question.upvote", question=kept))["upvotes"] == 2


async def test_pin_answer_archive_and_permissions(room: Room) -> None:
    presenter = await room.join(token=room.token("presenter"))
    q1 = (await room.alice.ok("question.ask", text="Primeira pergunta sobre o orçamento"))["item"]["id"]
    q2 = (await room.bob.ok("question.ask", text="Segunda pergunta sobre os conselhos"))["item"]["id"]
    await presenter.ok("question.pin", question=q1)
    await presenter.ok("question.pin", question=q2)
    late = await room.join()
    pins = {q["id"]: q["pinned"] for q in late.snapshots[room.public]["questions"]}
    assert pins == {q1: False, q2: True}
    answered = await presenter.ok("question.answer", question=q2)
    assert answered["question"]["status"] == "answered"
    assert (await presenter.command("question.archive", question=q1))["code"] == "forbidden"
    assert (await presenter.command("mod.approve", kind="question", item=q1))["code"] == "forbidden"
    assert (await room.alice.command("mod.ban", participant="x"))["code"] == "forbidden"
    assert (await room.moderator.command("chat.send", text="oi"))["code"] == "forbidden"
    await room.moderator.ok("question.archive", question=q1)
    removed = await room.bob.wait_for(lambda: public_events(room.bob, "question.removed"))
    assert removed == [{"id": q1, "reason": "archived"}]
    assert (await room.alice.command("question.upvote", question=q2))["code"] == "question_closed"


async def test_bad_input_is_refused_at_the_edge(room: Room) -> None:
    assert (await room.alice.command("chat.send", text="x" * 501))["code"] == "invalid_message"
    assert (await room.alice.command("question.ask", text="x" * 301))["code"] == "invalid_message"
    assert (await room.alice.command("chat.send", text="   "))["code"] == "empty_text"
    assert (await room.moderator.command("mod.policy", slow_mode_seconds=-1))["code"] == "invalid_message"
    bad_rules = await room.moderator.command("mod.policy", rules={"links": "sometimes"})
    assert bad_rules["code"] == "invalid_policy"
    await room.moderator.ok("mod.policy", chat_max_length=20, anonymous_questions=False)
    too_long = await room.alice.command("chat.send", text="x" * 21)
    assert too_long["code"] == "too_long" and too_long["details"]["limit"] == 20
    anon = await room.alice.command("question.ask", text="Pergunta anônima?", anonymous=True)
    assert anon["code"] == "anonymous_not_allowed"


async def test_anonymous_question_hides_the_author_from_participants_only(room: Room) -> None:
    item = (await room.alice.ok("question.ask", text="Pergunta sem nome, por favor", anonymous=True))["item"]
    updated = await room.bob.wait_for(lambda: public_events(room.bob, "question.updated"))
    assert updated[0]["question"]["author"] == {"name": None, "anonymous": True}
    staff = await room.moderator.wait_for(lambda: staff_item(room.moderator, item["id"]))
    assert staff["author"] == {"id": room.alice.welcome["participant"]["id"], "name": "Alice", "anonymous": True}


async def test_audit_log_exports_every_decision_as_json_and_csv(room: Room) -> None:
    held = (await room.alice.ok("question.ask", text="Meu e-mail é maria@example.com, me respondam"))["item"]
    blocked = (await room.bob.ok("chat.send", text="vai tomar no cu"))["item"]
    assert blocked["status"] == "rejected"
    await room.moderator.ok("mod.reject", kind="question", item=held["id"], reason="dados pessoais")
    await room.moderator.ok("mod.ban", participant=room.bob.welcome["participant"]["id"])
    await room.moderator.ok("mod.policy", chat_mode="pre")
    async with room.http as http:
        as_json = await http.get("/api/events/QA1/audit?format=json")
        as_csv = await http.get("/api/events/QA1/audit?format=csv")
        policy = (await http.get("/api/events/QA1/moderation")).json()
        put = await http.put("/api/events/QA1/moderation", json={"slow_mode_seconds": 10})
        bad = await http.put("/api/events/QA1/moderation", json={"slow_mode_seconds": "ten"})
    async with httpx.AsyncClient(base_url=room.server.base) as anonymous:
        assert (await anonymous.get("/api/events/QA1/audit")).status_code == 401
    actions = [(e["action"], e["actor"]["kind"], e["target"]["kind"]) for e in as_json.json()["entries"]]
    assert actions == [
        ("hold", "auto", "question"),
        ("block", "auto", "chat"),
        ("reject", "staff", "question"),
        ("ban", "staff", "participant"),
        ("policy", "staff", "event"),
    ]
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["action"] for r in rows] == ["hold", "block", "reject", "ban", "policy"]
    assert rows[0]["reasons"] == "personal_data:email" and rows[2]["note"] == "dados pessoais"
    assert policy["policy"]["chat_mode"] == "pre"
    assert put.status_code == 200 and put.json()["policy"]["slow_mode_seconds"] == 10
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_policy"
    settings = await room.alice.wait_for(lambda: len(public_events(room.alice, "qa.settings.updated")) == 2)
    assert settings
