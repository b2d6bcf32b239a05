"""What a Slido or YouTube moderator expects, over a real server and real websocket clients:
a reason with a rejection (only the author hears it), shadow-hide, bulk approve, remove all of
one person's messages, a short reply to a question, the audit log from a moderator's token."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from server import wire
from server.domain import qa
from tests.client import Client
from tests.e2e.test_qa import Room, barrier, public_events, staff_item
from tests.e2e.test_qa import room as room  # noqa: F401  (the fixture)

HELD = "Me liguem no (11) 98765-4321 sobre o benefício"


def seqs_without_gaps(client: Client, ch: str) -> bool:
    seqs = client.seqs(ch)
    return seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True


async def test_a_rejection_reason_reaches_its_author_only(room: Room) -> None:
    assert set(qa.REJECT_PRESETS) == set(wire.RejectPreset.__args__)  # type: ignore[attr-defined]
    item = (await room.alice.ok("chat.send", text=HELD))["item"]
    assert item["status"] == "held"
    await room.moderator.ok("mod.reject", kind="chat", item=item["id"], preset="personal_data",
                            reason="Tire o telefone e escreva de novo.")
    why = {"preset": "personal_data", "note": "Tire o telefone e escreva de novo."}
    mine = await room.alice.wait_for(lambda: public_events(room.alice, "chat.removed"))
    assert mine == [{"id": item["id"], "reason": "rejected", "why": why}]
    theirs = await room.bob.wait_for(lambda: public_events(room.bob, "chat.removed"))
    assert theirs == [{"id": item["id"], "reason": "rejected"}]
    # Same place in the sequence for both: nobody saw a gap.
    assert [e["seq"] for e in room.alice.named("chat.removed")] == [e["seq"] for e in room.bob.named("chat.removed")]
    assert seqs_without_gaps(room.alice, room.public) and seqs_without_gaps(room.bob, room.public)
    # After a reload, the author's own list still says why.
    again = await Client(room.server.ws_url, "QA1", device=room.alice.device).connect()
    room.clients.append(again)
    state = await again.wait_for(lambda: again.snapshots.get(room.public))
    assert [m.get("why") for m in state["mine"] if m["id"] == item["id"]] == [why]
    staff = await room.moderator.wait_for(lambda: staff_item(room.moderator, item["id"], status="rejected"))
    assert (staff["reject_reason"], staff["reject_note"]) == ("personal_data", why["note"])
    refused = await room.moderator.command("mod.reject", kind="chat", item=item["id"], preset="rude")
    assert refused["code"] == "invalid_message" and refused["details"]["field"] == "preset"


async def test_shadow_hide_keeps_the_message_for_its_author_alone(room: Room) -> None:
    item = (await room.alice.ok("chat.send", text="Essa mesa é uma palhaçada sem fim"))["item"]
    await room.bob.wait_for(lambda: public_events(room.bob, "chat.message"))
    hidden = await room.moderator.ok("mod.hide", kind="chat", item=item["id"])
    assert hidden["item"]["status"] == "hidden"
    gone = await room.bob.wait_for(lambda: public_events(room.bob, "chat.removed"))
    assert gone == [{"id": item["id"], "reason": "deleted"}]
    await barrier(room, room.alice)
    assert not public_events(room.alice, "chat.removed"), "the author is never told"
    assert [m["message"]["id"] for m in public_events(room.alice, "chat.message")].count(item["id"]) == 2
    # Reloads: the author still sees it among the published messages, with status published.
    author = await Client(room.server.ws_url, "QA1", device=room.alice.device).connect()
    other = await room.join()
    room.clients.append(author)
    state = await author.wait_for(lambda: author.snapshots.get(room.public))
    assert [m["id"] for m in state["chat"]][:1] == [item["id"]]
    assert [m["status"] for m in state["mine"] if m["id"] == item["id"]] == ["published"]
    assert item["id"] not in [m["id"] for m in other.snapshots[room.public]["chat"]]
    # A held question hidden: its author sees it published; nobody else ever sees it.
    question = (await room.alice.ok("question.ask", text=HELD))["item"]
    await room.moderator.ok("mod.hide", kind="question", item=question["id"])
    shown = await room.alice.wait_for(lambda: [e for e in public_events(room.alice, "question.updated")
                                               if e["question"]["id"] == question["id"]])
    assert shown[-1]["question"]["status"] == "published"
    await barrier(room, room.bob)
    assert not [e for e in public_events(room.bob, "question.updated") if e["question"]["id"] == question["id"]]
    again = await room.moderator.command("mod.approve", kind="question", item=question["id"])
    assert again["code"] == "already_decided"
    # Shown again to everyone.
    await room.moderator.ok("mod.hide", kind="chat", item=item["id"], hidden=False)
    back = await other.wait_for(lambda: public_events(other, "chat.message"))
    assert back[-1]["message"]["id"] == item["id"]
    async with room.http as http:
        actions = [e["action"] for e in (await http.get("/api/events/QA1/audit")).json()["entries"]]
    assert actions.count("hide") == 2 and actions.count("unhide") == 1


async def test_bulk_approve_publishes_each_and_skips_what_others_decided(room: Room) -> None:
    authors = [await room.join() for _ in range(3)]
    items = [(await a.ok("chat.send", text=f"{HELD} ({n})"))["item"] for n, a in enumerate(authors)]
    other = await room.join(token=room.token("moderator"))
    await other.ok("mod.reject", kind="chat", item=items[0]["id"])
    targets = [{"kind": "chat", "item": i["id"]} for i in items] + [{"kind": "question", "item": 999}]
    command_id = "bulk-1"
    first = await room.moderator.command("mod.approve_many", command_id=command_id, items=targets)
    result = first["result"]
    assert [i["id"] for i in result["approved"]] == [items[1]["id"], items[2]["id"]]
    assert [(s["id"], s["code"]) for s in result["skipped"]] == [(items[0]["id"], "already_decided"),
                                                                 (999, "question_not_found")]
    # Exactly once: the same command id answers the same, publishes nothing more.
    retry = await room.moderator.command("mod.approve_many", command_id=command_id, items=targets)
    assert retry["result"] == result
    published = await room.bob.wait_for(lambda: len(public_events(room.bob, "chat.message")) >= 2 and
                                        public_events(room.bob, "chat.message"))
    await barrier(room, room.bob)
    ids = [m["message"]["id"] for m in public_events(room.bob, "chat.message")]
    assert ids.count(items[1]["id"]) == 1 and ids.count(items[2]["id"]) == 1 and published
    too_many = await room.moderator.command("mod.approve_many", items=[{"kind": "chat", "item": 1}] * 101)
    assert too_many["code"] == "invalid_message"


async def test_remove_all_of_one_persons_messages(room: Room) -> None:
    spammer = await room.join()
    items = [(await spammer.ok("chat.send", text=text))["item"]
             for text in ("Boa tarde, pessoal", "Alguém do CRAS Norte aqui?", HELD)]
    items.append((await spammer.ok("question.ask", text="Quando abre o CRAS do Jardim?"))["item"])
    assert sorted(i["status"] for i in items) == ["held", "published", "published", "published"]
    keep = (await room.bob.ok("chat.send", text="Minha mensagem fica"))["item"]
    public_id = spammer.welcome["participant"]["id"]
    result = await room.moderator.ok("mod.remove_all", participant=public_id, reason="spam")
    by_id = {r["id"]: r["status"] for r in result["removed"]}
    assert by_id == {i["id"]: "rejected" if i["status"] == "held" else "deleted" for i in items}
    other = await room.join()
    state = other.snapshots[room.public]
    assert [m["id"] for m in state["chat"]] == [keep["id"]] and state["questions"] == []
    async with room.http as http:
        entries = (await http.get("/api/events/QA1/audit")).json()["entries"]
    summary = [e for e in entries if e["action"] == "remove_all"]
    assert len(summary) == 1 and summary[0]["participant"] == public_id
    assert summary[0]["note"] == f"{len(by_id)} items · spam"
    assert len([e for e in entries if e["note"] == "remove_all"]) == len(by_id)
    missing = await room.moderator.command("mod.remove_all", participant="ffffffff")
    assert missing["code"] == "participant_not_found"


async def test_a_reply_shows_under_the_question_for_everyone(room: Room) -> None:
    question = (await room.alice.ok("question.ask", text="Quando abre o CRAS do Jardim?"))["item"]
    answer = "Em março, segundo a secretaria."
    result = await room.moderator.ok("question.reply", question=question["id"], text=answer)
    assert result["question"]["reply"] == answer and result["question"]["status"] == "published"

    def replied(client: Client) -> Any:
        events = [e for e in public_events(client, "question.updated") if e["question"]["reply"]]
        return events and events[-1]["question"]["reply"]

    for client in (room.alice, room.bob):
        reply = await client.wait_for(lambda c=client: replied(c))
        assert reply["text"] == answer and reply["at"] is not None
    late = await room.join()
    assert late.snapshots[room.public]["questions"][0]["reply"]["text"] == answer
    await room.moderator.ok("question.reply", question=question["id"], text="")
    cleared = await room.bob.wait_for(lambda: [e for e in public_events(room.bob, "question.updated")
                                               if e["question"]["reply"] is None and e["question"]["version"] > 2])
    assert cleared
    long = await room.moderator.command("question.reply", question=question["id"], text="x" * 501)
    assert long["code"] == "invalid_message"
    chat = (await room.alice.ok("chat.send", text="uma mensagem de chat"))["item"]
    wrong = await room.moderator.command("question.reply", question=chat["id"], text="oi")
    assert wrong["code"] == "question_not_found"
    participant = await room.bob.command("question.reply", question=question["id"], text="eu sei")
    assert participant["code"] == "forbidden"
    async with room.http as http:
        actions = [e["action"] for e in (await http.get("/api/events/QA1/audit")).json()["entries"]]
    assert actions.count("reply") == 1 and actions.count("unreply") == 1


async def test_a_moderator_token_exports_the_audit_log(room: Room) -> None:
    item = (await room.alice.ok("chat.send", text=HELD))["item"]
    await room.moderator.ok("mod.approve", kind="chat", item=item["id"])
    async with httpx.AsyncClient(base_url=room.server.base) as http:
        as_moderator = {"authorization": f"Bearer {room.token('moderator')}"}
        answer = await http.get("/api/events/QA1/audit?format=csv", headers=as_moderator)
        assert answer.status_code == 200 and "approve" in answer.text
        as_presenter = {"authorization": f"Bearer {room.token('presenter')}"}
        presenter = await http.get("/api/events/QA1/audit", headers=as_presenter)
        assert presenter.status_code == 403 and presenter.json()["error"]["code"] == "forbidden"
        anyone = await http.get("/api/events/QA1/audit")
        assert anyone.status_code == 401
        wrong = await http.get("/api/events/QA1/audit", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_token"


async def test_concurrent_hide_and_approve_decide_a_held_item_once(room: Room) -> None:
    item = (await room.alice.ok("chat.send", text=HELD))["item"]
    other = await room.join(token=room.token("moderator"))
    answers = await asyncio.gather(
        room.moderator.command("mod.hide", kind="chat", item=item["id"]),
        other.command("mod.approve", kind="chat", item=item["id"]),
    )
    hid, approved = answers
    if approved["type"] == "error":  # hiding came first: it was the held item's decision
        assert hid["type"] == "ack" and approved["code"] == "already_decided"
    else:
        # Approval came first and published it; hiding a published message is then its own act,
        # never a second decision of the held one: both are acknowledged and the item ends hidden.
        assert approved["type"] == "ack" and hid["type"] == "ack"
        assert hid["result"]["item"]["status"] == "hidden"
