"""Participants' data, retention, exports and the report, over a real server and real websockets.

Each control has a test that fails without it: the export holds exactly one
participant's data; erasure unlinks messages and ballots and forgets the device
(and is refused while a poll it voted in runs); purge removes only old chat;
CSV cells cannot become formulas; the report escapes what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import update

from server.cli import main as cli_main
from server.settings import Settings
from server.store.qa_tables import QAItemRow
from tests.client import Client
from tests.harness import Running, add_sessions, create_event

CODE = "PRIV13"
DAY = 86_400


class Conf:
    def __init__(self, server: Running, created: dict[str, Any], http: httpx.AsyncClient) -> None:
        self.server = server
        self.created = created
        self.http = http
        self.event_id: int = created["event"]["id"]
        self.public = f"ev:{self.event_id}:public"
        self.staff = f"ev:{self.event_id}:staff"
        self.clients: list[Client] = []

    def token(self, role: str) -> str:
        return str(next(s["token"] for s in self.created["staff"] if s["role"] == role))

    async def join(self, *, token: str = "", device: str | None = None, name: str = "",
                   segment: str = "") -> Client:
        client = await Client(self.server.ws_url, CODE, token=token, device=device).connect()
        await client.wait_for(lambda: self.public in client.snapshots)
        if token:
            await client.wait_for(lambda: self.staff in client.snapshots)
        if name or segment:
            await client.ok("profile.update", name=name, segment=segment)
        self.clients.append(client)
        return client

    async def poll(self, spec: dict[str, Any], **fields: Any) -> int:
        response = await self.http.post(f"/api/events/{CODE}/polls", json={"spec": spec, **fields})
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def export(self, public_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/api/events/{CODE}/participants/{public_id}/export")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


@pytest.fixture
def settings(store_url: str) -> Settings:
    """Every test on SQLite and on a fresh PostgreSQL database of its own."""
    return Settings(database_url=store_url)


@pytest.fixture
async def conf(server: Running) -> AsyncIterator[Conf]:
    created = await create_event(server.base, code=CODE, segments=["Usuários", "Governo"], default_lang="pt-BR")
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        conf = Conf(server, created, http)
        yield conf
        for client in conf.clients:
            await client.close()


def public_id(client: Client) -> str:
    return str(client.welcome["participant"]["id"])


YES_NO = {"kind": "yes_no_abstain", "question": "Aprova o regimento interno?"}


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


async def test_export_holds_exactly_one_participants_data(conf: Conf) -> None:
    moderator = await conf.join(token=conf.token("moderator"))
    presenter = await conf.join(token=conf.token("presenter"))
    alice = await conf.join(name="Alice Ribeiro", segment="Usuários")
    bob = await conf.join(name="Bob Nowak", segment="Governo")

    mine = (await alice.ok("chat.send", text="Boa tarde, sou usuária do CRAS"))["item"]
    asked = (await alice.ok("question.ask", text="Quando abre o CRAS do Jardim?", anonymous=False))["item"]
    await bob.ok("chat.send", text="Mensagem do Bob, só dele")
    bobs = (await bob.ok("question.ask", text="Pergunta do Bob sobre o orçamento?", anonymous=False))["item"]
    await alice.ok("question.upvote", question=bobs["id"], up=True)
    await bob.ok("question.upvote", question=asked["id"], up=True)

    imported = await conf.http.post(f"/api/events/{CODE}/delegates", headers={"content-type": "text/csv"},
                                    content="Alice Ribeiro,Usuários\nBob Nowak,Governo".encode())
    codes = {d["name"]: d["code"] for d in imported.json()["delegates"]}
    await alice.ok("delegate.redeem", code=codes["Alice Ribeiro"])
    await bob.ok("delegate.redeem", code=codes["Bob Nowak"])

    open_poll = await conf.poll(YES_NO)
    secret_poll = await conf.poll({**YES_NO, "question": "Voto secreto?"}, secret=True)
    bob_only = await conf.poll({**YES_NO, "question": "Só o Bob vota aqui"})
    for poll in (open_poll, secret_poll, bob_only):
        await presenter.ok("poll.open", poll=poll)
    await alice.ok("vote.cast", poll=open_poll, ballot={"choice": "yes"})
    await bob.ok("vote.cast", poll=open_poll, ballot={"choice": "no"})
    await alice.ok("vote.cast", poll=secret_poll, ballot={"choice": "no"})
    await bob.ok("vote.cast", poll=bob_only, ballot={"choice": "abstain"})
    await moderator.ok("mod.mute", participant=public_id(alice), minutes=5)

    data = await conf.export(public_id(alice))
    assert data["participant"] == {"id": public_id(alice), "name": "Alice Ribeiro", "segment": "Usuários",
                                   "joined_at": data["participant"]["joined_at"]}
    assert [m["id"] for m in data["messages"]] == [mine["id"]]
    assert data["messages"][0]["text"] == "Boa tarde, sou usuária do CRAS"
    assert data["messages"][0]["status"] == "published" and data["messages"][0]["verdict"] == "allow"
    assert [q["id"] for q in data["questions"]] == [asked["id"]] and data["questions"][0]["upvotes"] == 1
    assert [u["question"] for u in data["upvotes"]] == [bobs["id"]]
    assert data["sanction"]["muted_until"] is not None and data["sanction"]["banned"] is False
    assert data["delegate"]["name"] == "Alice Ribeiro" and data["delegate"]["status"] == "used"
    assert [(b["poll"], b["ballot"]) for b in data["ballots"]] == [(open_poll, {"choices": ["yes"]})]
    assert data["secret_polls_voted"] == [{"poll": secret_poll, "question": "Voto secreto?"}]
    assert [m["action"] for m in data["moderation"]] == ["mute"]

    text = json.dumps(data, ensure_ascii=False)
    for foreign in ("Bob", public_id(bob), "orçamento", "abstain", "Governo"):
        assert foreign not in text, f"someone else's data in the export: {foreign}"
    assert '["no"]' not in text, "a secret ballot never appears in an export"

    as_csv = await conf.http.get(f"/api/events/{CODE}/participants/{public_id(alice)}/export?format=csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    records = [row[0] for row in csv_rows(as_csv.text)[1:]]
    assert records == ["profile", "message", "question", "upvote", "sanction", "delegate", "ballot",
                       "secret_poll_voted", "moderation"]
    assert "Boa tarde, sou usuária do CRAS" in as_csv.text and "Bob" not in as_csv.text

    async with httpx.AsyncClient(base_url=conf.server.base) as nobody:
        anonymous = await nobody.get(f"/api/events/{CODE}/participants/{public_id(alice)}/export")
        assert anonymous.status_code == 401
        refused = await nobody.delete(f"/api/events/{CODE}/participants/{public_id(alice)}")
        assert refused.status_code == 401
    missing = await conf.http.get(f"/api/events/{CODE}/participants/0123456789ab/export")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "participant_not_found"


async def test_delete_anonymises_unlinks_ballots_and_forgets_the_device(conf: Conf) -> None:
    presenter = await conf.join(token=conf.token("presenter"))
    moderator = await conf.join(token=conf.token("moderator"))
    alice = await conf.join(name="Alice Ribeiro", segment="Usuários")
    bob = await conf.join(name="Bob")
    old_id = public_id(alice)

    chat = (await alice.ok("chat.send", text="Sou a Alice e concordo com a mesa"))["item"]
    question = (await alice.ok("question.ask", text="Qual o prazo do edital?", anonymous=False))["item"]
    await bob.ok("question.upvote", question=question["id"], up=True)
    poll = await conf.poll(YES_NO)
    secret = await conf.poll({**YES_NO, "question": "Secreta"}, secret=True)
    for p in (poll, secret):
        await presenter.ok("poll.open", poll=p)
    await alice.ok("vote.cast", poll=poll, ballot={"choice": "yes"})
    await bob.ok("vote.cast", poll=poll, ballot={"choice": "no"})
    await alice.ok("vote.cast", poll=secret, ballot={"choice": "yes"})

    running = await conf.http.delete(f"/api/events/{CODE}/participants/{old_id}")
    assert running.status_code == 409 and running.json()["error"]["code"] == "poll_open"
    assert (await conf.export(old_id))["participant"]["name"] == "Alice Ribeiro", "a refusal changes nothing"
    for p in (poll, secret):
        await presenter.ok("poll.close", poll=p)
    before = (await conf.http.get(f"/api/events/{CODE}/polls/{poll}/export.json")).json()

    bad = await conf.http.delete(f"/api/events/{CODE}/participants/{old_id}?messages=shred")
    assert bad.status_code == 422 and bad.json()["error"]["details"] == {"field": "messages"}
    deleted = await conf.http.delete(f"/api/events/{CODE}/participants/{old_id}?messages=anonymise")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() | {"audit_entries": 0, "commands": 0, "staff_answers": 0, "presence": 0} == {
        "deleted": True, "mode": "anonymise", "messages": 1, "questions": 1, "ballots": 1, "sanction": False,
        "delegate": False, "audit_entries": 0, "commands": 0, "staff_answers": 0, "procedure_entries": 0,
        "presence": 0,
        "contributions": 0,
    }

    # Live pages drop the author's name: the chat message is upserted, the question has a newer version.
    def anonymous_chat() -> Any:
        return next((e["data"]["message"] for e in bob.named("chat.message")
                     if e["data"]["message"]["id"] == chat["id"] and e["data"]["message"]["author"]["name"] is None),
                    None)

    message = await bob.wait_for(anonymous_chat)
    assert message["text"] == "Sou a Alice e concordo com a mesa" and message["author"]["anonymous"] is True

    def anonymous_question() -> Any:
        return next((e["data"]["question"] for e in bob.named("question.updated")
                     if e["data"]["question"]["id"] == question["id"]
                     and e["data"]["question"]["author"]["name"] is None), None)

    updated = await bob.wait_for(anonymous_question)
    assert updated["author"] == {"name": None, "anonymous": True} and updated["upvotes"] == 1
    earlier = [e["data"]["question"]["version"] for e in bob.named("question.updated")
               if e["data"]["question"]["author"]["name"] == "Alice Ribeiro"]
    earlier += [e["data"]["version"] for e in bob.named("question.upvotes") if e["data"]["id"] == question["id"]]
    assert earlier and updated["version"] > max(earlier), "pages apply a question change only if its version is newer"
    staff_item = await moderator.wait_for(lambda: next(
        (e["data"]["item"] for e in moderator.named("mod.item")
         if e["data"]["item"]["id"] == chat["id"] and e["data"]["item"]["version"] > 1), None))
    assert staff_item["author"] == {"id": "", "name": None, "anonymous": True}

    # The tally still equals the ballots; the ballot belongs to nobody.
    after = (await conf.http.get(f"/api/events/{CODE}/polls/{poll}/export.json")).json()
    assert after["result"]["tally"] == before["result"]["tally"] and after["result"]["tally"]["ballots"] == 2
    assert len(await conf.server.services.polls.stored_ballots(poll)) == 2
    voters = sorted(b["voter"] for b in after["ballots"])
    assert voters == sorted(["", public_id(bob)]) and old_id not in json.dumps(after)
    secret_after = (await conf.http.get(f"/api/events/{CODE}/polls/{secret}/export.json")).json()
    assert secret_after["vote_records"] == 1 and secret_after["ballots_counted"] == 1

    # Nothing is left under the old public id; the same device is someone new.
    gone = await conf.http.get(f"/api/events/{CODE}/participants/{old_id}/export")
    assert gone.status_code == 404
    again = await conf.join(device=alice.device)
    assert public_id(again) != old_id and again.welcome["participant"]["name"] == ""
    state = again.snapshots[conf.public]
    assert state["mine"] == [] and all(p["my_vote"] is None for p in state["polls"])
    fresh = await conf.export(public_id(again))
    assert fresh["messages"] == fresh["questions"] == fresh["ballots"] == fresh["secret_polls_voted"] == []

    messages = (await conf.http.get(f"/api/events/{CODE}/exports/messages")).json()["messages"]
    kept = {m["id"]: m for m in messages}
    assert kept[chat["id"]]["text"] == "Sou a Alice e concordo com a mesa"
    assert kept[chat["id"]]["author_id"] is None and kept[chat["id"]]["author_name"] is None
    audit = (await conf.http.get(f"/api/events/{CODE}/audit")).json()["entries"]
    erased = [e for e in audit if e["action"] == "participant.deleted"]
    assert len(erased) == 1 and erased[0]["participant"] is None
    assert "Alice" not in json.dumps(erased) and old_id not in json.dumps(audit)


async def test_delete_can_remove_the_texts(conf: Conf) -> None:
    moderator = await conf.join(token=conf.token("moderator"))
    alice = await conf.join(name="Alice")
    bob = await conf.join()
    chat = (await alice.ok("chat.send", text="Texto que deve sumir"))["item"]
    question = (await alice.ok("question.ask", text="Pergunta que deve sumir?", anonymous=False))["item"]
    await moderator.ok("mod.ban", participant=public_id(alice))

    deleted = await conf.http.delete(f"/api/events/{CODE}/participants/{public_id(alice)}?messages=remove")
    assert deleted.status_code == 200 and deleted.json()["sanction"] is True
    await bob.wait_for(lambda: any(e["data"]["id"] == chat["id"] for e in bob.named("chat.removed")))
    await bob.wait_for(lambda: any(e["data"]["id"] == question["id"] for e in bob.named("question.removed")))
    exported = await conf.http.get(f"/api/events/{CODE}/exports/messages?format=csv")
    assert "deve sumir" not in exported.text
    messages = (await conf.http.get(f"/api/events/{CODE}/exports/messages")).json()["messages"]
    assert {m["status"] for m in messages if m["id"] in (chat["id"], question["id"])} == {"deleted"}
    # The ban went with the participant: the same device writes again, as someone new.
    again = await conf.join(device=alice.device)
    assert (await again.ok("chat.send", text="De volta"))["item"]["status"] == "published"


async def test_erasure_reaches_every_copy_and_the_files(conf: Conf) -> None:
    """Pass: after an erasure with `messages=remove`, the name, old public id and texts of the
    participant are nowhere: not in a table (staff commands' cached answers included), not in
    the replay history (a resuming client gets a snapshot), and on SQLite not in the bytes of
    the database file or its WAL; on PostgreSQL not in any row version, live or dead, once the
    erasure's VACUUM has run. Tallies are unchanged."""
    await conf.http.put(f"/api/events/{CODE}/moderation", json={"chat_mode": "pre", "questions_mode": "pre"})
    moderator = await conf.join(token=conf.token("moderator"))
    presenter = await conf.join(token=conf.token("presenter"))
    alice = await conf.join(name="Zuleica Quintanilha")
    bob = await conf.join(name="Bob")
    await bob.close()  # Bob comes back after the erasure, resuming from before what Zuleica did
    watcher = await conf.join()
    old_id = public_id(alice)
    texts = ["Zuleica escreve: apoio a proposta da Casa Lilas", "Quando abre a Casa Lilas de Quintanilha?"]
    chat = (await alice.ok("chat.send", text=texts[0]))["item"]
    question = (await alice.ok("question.ask", text=texts[1], anonymous=False))["item"]
    await moderator.ok("mod.approve", kind="chat", item=chat["id"], text="Zuleica apoia a Casa Lilas (editado)")
    await moderator.ok("mod.approve", kind="question", item=question["id"])
    await moderator.ok("question.answer", question=question["id"])
    await moderator.ok("mod.mute", participant=old_id, minutes=10)
    await moderator.ok("mod.mute", participant=old_id, minutes=0)
    poll = await conf.poll(YES_NO)
    await presenter.ok("poll.open", poll=poll)
    await alice.ok("vote.cast", poll=poll, ballot={"choice": "yes"})
    await watcher.ok("vote.cast", poll=poll, ballot={"choice": "no"})
    await presenter.ok("poll.close", poll=poll)
    tally = (await conf.http.get(f"/api/events/{CODE}/polls/{poll}/export.json")).json()["result"]["tally"]
    await watcher.wait_for(lambda: watcher.named("question.updated"))

    deleted = await conf.http.delete(f"/api/events/{CODE}/participants/{old_id}?messages=remove")
    assert deleted.status_code == 200 and deleted.json()["staff_answers"] >= 4, deleted.text
    needles = ["Zuleica", "Quintanilha", "Casa Lilas", old_id]
    after = (await conf.http.get(f"/api/events/{CODE}/polls/{poll}/export.json")).json()["result"]["tally"]
    assert after == tally, "an erasure changes no tally"

    bob.snapshots.clear()
    mark = len(bob.events)
    await bob.connect(resume=True)
    await bob.wait_for(lambda: conf.public in bob.snapshots)
    assert bob.snapshots[conf.public]["questions"] == []
    seen = json.dumps([bob.snapshots, bob.events[mark:]], ensure_ascii=False)
    assert not [n for n in needles if n in seen], "a resuming client was replayed what was erased"
    audit = (await conf.http.get(f"/api/events/{CODE}/audit")).text
    assert not [n for n in needles if n in audit]
    await _assert_store_forgot(conf, needles)


async def _assert_store_forgot(conf: Conf, needles: list[str]) -> None:
    db = conf.server.services.db
    if db.is_sqlite:
        path = Path(conf.server.settings.database_url.removeprefix("sqlite:///"))
        files = [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        raw = b"".join(p.read_bytes() for p in files)
        left = [n for n in needles if n.encode() in raw]
        assert not left, f"{left} still in the bytes of {[p.name for p in files]}"
        return
    url = conf.server.settings.database_url
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        listed = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [r["tablename"] for r in listed]
        for table in tables:
            rows = " ".join(r["t"] for r in await conn.fetch(f'SELECT t::text AS t FROM "{table}" t'))
            assert not [n for n in needles if n in rows], f"{table} still holds them"
            # Every row version still in the table's pages, dead ones included (VACUUM removes
            # those; the bytes of free space it leaves are docs/privacy.md's business).
            blocks = await conn.fetchval(f"SELECT pg_relation_size('\"{table}\"') / 8192")
            versions = b"".join([
                item["t_data"] or b"" for n in range(blocks)
                for item in await conn.fetch(f"SELECT t_data FROM heap_page_items(get_raw_page('\"{table}\"', {n}))")
            ])
            left = [n for n in needles if n.encode() in versions]
            assert not left, f"{left} still in row versions of {table}"
    finally:
        await conn.close()


async def _age(conf: Conf, item_ids: list[int], days: float) -> None:
    """Write an old created_at through the store, as if the rows were written `days` ago."""
    async with conf.server.services.db.session() as db:
        for item_id in item_ids:
            await db.exec(update(QAItemRow).where(QAItemRow.id == item_id)  # type: ignore[arg-type]
                          .values(created_at=QAItemRow.created_at - days * DAY))


async def test_purge_removes_old_chat_and_keeps_questions_and_recent_chat(conf: Conf) -> None:
    alice = await conf.join(name="Alice")
    bob = await conf.join()
    old = (await alice.ok("chat.send", text="Mensagem antiga"))["item"]
    old_question = (await alice.ok("question.ask", text="Pergunta antiga?", anonymous=False))["item"]
    await _age(conf, [old["id"], old_question["id"]], 40)
    recent = (await alice.ok("chat.send", text="Mensagem recente"))["item"]

    async def stored() -> set[str]:
        response = await conf.http.get(f"/api/events/{CODE}/exports/messages")
        return {m["text"] for m in response.json()["messages"]}

    # No retention set: nothing is purged.
    none = await conf.http.post(f"/api/events/{CODE}/privacy/purge", json={})
    assert none.json()["days"] is None and none.json()["chat_deleted"] == 0

    assert (await conf.http.get(f"/api/events/{CODE}/privacy")).json() == {"chat_retention_days": None}
    bad = await conf.http.put(f"/api/events/{CODE}/privacy", json={"chat_retention_days": -1})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_field"
    put = await conf.http.put(f"/api/events/{CODE}/privacy", json={"chat_retention_days": 30})
    assert put.json() == {"chat_retention_days": 30}

    # `plenaria purge --dry-run` counts and changes nothing; the command runs outside the server.
    database = conf.server.settings.database_url
    out = io.StringIO()

    def run_cli(*args: str) -> int:
        with contextlib.redirect_stdout(out):
            return cli_main(["purge", "--database", database, "--event", CODE, *args])

    assert await asyncio.to_thread(run_cli, "--dry-run") == 0
    assert f"{CODE}: would delete 1 chat message(s) older than 30 day(s)" in out.getvalue()
    assert await stored() == {"Mensagem antiga", "Pergunta antiga?", "Mensagem recente"}

    purged = await conf.http.post(f"/api/events/{CODE}/privacy/purge", json={})
    assert purged.json()["chat_deleted"] == 1 and purged.json()["days"] == 30
    await bob.wait_for(lambda: any(e["data"]["id"] == old["id"] for e in bob.named("chat.removed")))
    assert await stored() == {"Pergunta antiga?", "Mensagem recente"}
    assert not any(e["data"]["id"] == recent["id"] for e in bob.named("chat.removed"))

    # --days overrides the event's setting: 0 days takes the recent message too, never the question.
    assert await asyncio.to_thread(run_cli, "--days", "0") == 0
    assert await stored() == {"Pergunta antiga?"}
    unknown = await asyncio.to_thread(lambda: cli_main(["purge", "--database", database, "--event", "NOSUCH1"]))
    assert unknown == 1


async def test_csv_exports_are_formula_safe_and_keep_accents(conf: Conf) -> None:
    presenter = await conf.join(token=conf.token("presenter"))
    alice = await conf.join(name="=Alice")
    await alice.ok("chat.send", text="=1+2")
    await alice.ok("chat.send", text="Zażółć gęślą jaźń, ação e inclusão")
    await alice.ok("question.ask", text="@SUM(1;2) faz sentido?", anonymous=False)
    poll = await conf.poll({"kind": "single", "question": "-Qual?", "options": [
        {"id": "a", "label": "=cmd|' /C calc'!A0"}, {"id": "b", "label": "Opção łódź"}]})
    await presenter.ok("poll.open", poll=poll)
    await alice.ok("vote.cast", poll=poll, ballot={"choice": "a"})
    await presenter.ok("poll.close", poll=poll)

    response = await conf.http.get(f"/api/events/{CODE}/exports/messages?format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbfid,kind,at,"), "a UTF-8 byte-order mark (Excel), then the header"
    rows = csv_rows(response.content.decode("utf-8"))
    texts = [row[rows[0].index("text")] for row in rows[1:]]
    assert texts == ["'=1+2", "Zażółć gęślą jaźń, ação e inclusão", "'@SUM(1;2) faz sentido?"]
    assert {row[rows[0].index("author_name")] for row in rows[1:]} == {"'=Alice"}

    polls = csv_rows((await conf.http.get(f"/api/events/{CODE}/exports/polls?format=csv")).text)
    labels = {row[polls[0].index("label")] for row in polls[1:]}
    assert labels == {"'=cmd|' /C calc'!A0", "Opção łódź"}
    assert {row[polls[0].index("question")] for row in polls[1:]} == {"'-Qual?"}
    votes = {row[polls[0].index("option_id")]: row[polls[0].index("votes")] for row in polls[1:]}
    assert votes == {"a": "1", "b": "0"}, "numbers stay numbers"

    person = csv_rows((await conf.http.get(
        f"/api/events/{CODE}/participants/{public_id(alice)}/export?format=csv")).text)
    assert [person[2][0], person[2][5]] == ["message", "'=1+2"]

    listing = (await conf.http.get(f"/api/events/{CODE}/exports")).json()["exports"]
    assert listing["audit"]["csv"] == f"/api/events/{CODE}/audit?format=csv"
    for name in ("messages", "polls", "delegates"):
        for form in ("json", "csv"):
            assert (await conf.http.get(listing[name][form])).status_code == 200


def proposals() -> dict[str, Any]:
    options = [
        {"id": "m1", "label": "<script>alert(1)</script> Ampliar o CRAS", "group": "Eixo 1 — Financiamento"},
        {"id": "m2", "label": "Concurso público", "group": "Eixo 2 — Gestão"},
        {"id": "m3", "label": "Proposta rejeitada", "group": "Eixo 2 — Gestão"},
        {"id": "e1", "label": "Repasse estadual fundo a fundo", "group": "Eixo 1 — Financiamento"},
        {"id": "e2", "label": "Apoio técnico regional", "group": "Eixo 2 — Gestão"},
    ]
    return {"kind": "multiple", "question": "Escolha 2 municipais e 1 estadual", "options": options, "sections": [
        {"id": "municipal", "title": "Propostas municipais", "option_ids": ["m1", "m2", "m3"], "max_picks": 2},
        {"id": "estadual", "title": "Propostas estaduais", "option_ids": ["e1", "e2"], "max_picks": 1},
    ]}


def election() -> dict[str, Any]:
    return {"kind": "election", "question": "Eleição de delegados", "method": "plurality", "options": [
        {"id": "g1", "label": "Ana Paula Ribeiro", "group": "Governo"},
        {"id": "g2", "label": "Carlos Nunes", "group": "Governo"},
        {"id": "s1", "label": "Maria das Graças", "group": "Sociedade civil"},
        {"id": "s2", "label": "Antônio Pereira", "group": "Sociedade civil"},
        {"id": "s3", "label": "Sebastião Rocha", "group": "Sociedade civil"},
    ], "sections": [
        {"id": "governo", "title": "Governo", "seats": 1, "alternates": 1, "option_ids": ["g1", "g2"],
         "max_picks": 1},
        {"id": "sociedade_civil", "title": "Sociedade civil", "seats": 1, "alternates": 0,
         "option_ids": ["s1", "s2", "s3"], "max_picks": 1},
    ]}


async def test_report_shows_proposals_elections_turnout_and_escapes(conf: Conf) -> None:
    await add_sessions(conf.server.base, CODE, conf.created["organizer_secret"], ["Abertura", "Plenária final"])
    presenter = await conf.join(token=conf.token("presenter"))
    voters = [await conf.join() for _ in range(3)]
    await voters[0].ok("question.ask", text="Como fica o <b>orçamento</b>?", anonymous=False)
    ballot_poll = await conf.poll(proposals())
    vote = await conf.poll(election(), secret=True)
    for p in (ballot_poll, vote):
        await presenter.ok("poll.open", poll=p)
    for voter in voters:
        await voter.ok("vote.cast", poll=ballot_poll, ballot={"choices": ["m1", "m2", "e1"]})
    await voters[0].ok("vote.cast", poll=vote, ballot={"choices": ["g1", "s1"]})
    await voters[1].ok("vote.cast", poll=vote, ballot={"choices": ["g1", "s2"]})
    await voters[2].ok("vote.cast", poll=vote, ballot={"choices": ["g2"]})
    for p in (ballot_poll, vote):
        await presenter.ok("poll.close", poll=p)

    response = await conf.http.get(f"/api/events/{CODE}/report")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<script" not in page.lower() and "style=" not in page and "<style" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ampliar o CRAS" in page
    assert "&lt;b&gt;orçamento&lt;/b&gt;" in page
    assert f'<link rel="stylesheet" href="{conf.server.base}/static/css/report.css">' in page
    assert '<html lang="pt-BR">' in page
    assert "1 votos" not in page and "1 voto<" in page, "one vote is singular"
    for text in ("Relatório da conferência", "Programação", "Abertura", "Plenária final", "Propostas aprovadas",
                 "Propostas municipais", "Eixo 1 — Financiamento", "Concurso público", "Propostas estaduais",
                 "Repasse estadual fundo a fundo", "Eleição de delegados", "Ana Paula Ribeiro",
                 "Maria das Graças", "Antônio Pereira", "Empate a decidir", "Participação nas votações"):
        assert text in page, text
    assert "Proposta rejeitada" not in page and "Apoio técnico regional" not in page
    proposals_part = page.split('class="proposals"')[1].split("</section>")[0]
    assert proposals_part.index("Propostas municipais") < proposals_part.index("Propostas estaduais")

    css = await conf.http.get("/static/css/report.css")
    assert css.status_code == 200 and "@media print" in css.text and "break-" in css.text

    elected = (await conf.http.get(f"/api/events/{CODE}/exports/delegates")).json()["elections"]
    segments = {s["segment"]: s for s in elected[0]["segments"]}
    assert [c["name"] for c in segments["governo"]["elected"]] == ["Ana Paula Ribeiro"]
    assert [c["name"] for c in segments["governo"]["alternates"]] == ["Carlos Nunes"]
    assert {c["name"] for c in segments["sociedade_civil"]["tied"]} == {"Maria das Graças", "Antônio Pereira"}
    rows = csv_rows((await conf.http.get(f"/api/events/{CODE}/exports/delegates?format=csv")).text)
    assert rows[0] == ["poll", "question", "poll_status", "segment", "place", "candidate_id", "candidate", "votes",
                       "method", "rounds"]
    assert rows[1][3:] == ["Governo", "elected", "g1", "Ana Paula Ribeiro", "2", "plurality", "0"]

    english = await conf.http.patch(f"/api/events/{CODE}", json={"default_lang": "pl"})
    assert english.status_code == 200
    polish = (await conf.http.get(f"/api/events/{CODE}/report")).text
    assert "Sprawozdanie z konferencji" in polish and '<html lang="pl">' in polish
    assert "1 głos<" in polish and "2 głosy<" in polish and "1 głosów" not in polish
    async with httpx.AsyncClient(base_url=conf.server.base) as nobody:
        assert (await nobody.get(f"/api/events/{CODE}/report")).status_code == 401


async def test_privacy_page_in_four_languages(server: Running) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.get("/privacy")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for lang in ("pt-BR", "pl", "en", "es"):
        assert f'lang="{lang}"' in page
    assert "<script" not in page and "style=" not in page and "<style" not in page
    for words in ("chat_retention_days", "organiza", "secret"):
        assert words in page
