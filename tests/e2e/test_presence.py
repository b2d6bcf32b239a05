"""Online presence over a real server and real websockets: minutes connected while a session is
live, two tabs counted once, two processes on Redis adding up, a delegate's own certificate, the
verification page, and erasure.

A minute lasts 0.1 s here (`attendance_minute_seconds`) and each process writes what it saw every
0.2 s, so a second connected is ten attended minutes and the test takes a few seconds.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from server.identity import digest
from server.settings import Settings
from tests.client import Client
from tests.conftest import RedisServer
from tests.harness import Running, ServerProcess, add_sessions, create_event, running_server
from tests.services import own_postgres_database

MINUTE = 0.1
FLUSH = 0.2
FAST = {"PLENARIA_ATTENDANCE_MINUTE_SECONDS": str(MINUTE), "PLENARIA_PRESENCE_FLUSH_SECONDS": str(FLUSH)}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}"),
                   attendance_minute_seconds=MINUTE, presence_flush_seconds=FLUSH)


async def conference(base: str, code: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], str]:
    """An event with one session and two delegates; (created, session, delegates, presenter token)."""
    created = await create_event(base, code=code, title="X Konferencja pomocy społecznej", default_lang="pl",
                                 languages=["pl"], segments=["Usuários", "Governo"])
    (session,) = await add_sessions(base, code, created["organizer_secret"], ["Sesja plenarna"])
    async with httpx.AsyncClient(base_url=base, headers=auth(created)) as http:
        imported = await http.post(f"/api/events/{code}/delegates", headers={"content-type": "text/csv"},
                                   content="Małgorzata Żółkiewska,Usuários\nJan Kowalski,Governo\n".encode())
        assert imported.status_code == 201, imported.text
    presenter = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    return created, session, imported.json()["delegates"], presenter


def auth(created: dict[str, Any]) -> dict[str, str]:
    return {"authorization": f"Bearer {created['organizer_secret']}"}


async def held(tab: Callable[[], Awaitable[Client]], seconds: float) -> float:
    """Open a tab, keep it `seconds`, close it; the seconds it was open as seen from here."""
    began = time.monotonic()
    client = await tab()
    await asyncio.sleep(seconds)
    await client.close()
    return time.monotonic() - began


async def people_when(http: httpx.AsyncClient, code: str, ready: Callable[[dict[str, Any]], bool],
                      timeout: float = 10.0) -> dict[str, dict[str, Any]]:
    """The organizer's certificates view by name, once `ready` holds for it (each process writes on its tick)."""
    deadline = time.monotonic() + timeout
    while True:
        view = (await http.get(f"/api/events/{code}/certificates")).json()
        people = {p["name"]: p for p in view["people"]}
        if ready(people) or time.monotonic() > deadline:
            return people
        await asyncio.sleep(FLUSH)


async def test_online_minutes_two_tabs_own_certificate_verification_and_erasure(server: Running) -> None:
    code = "PRES1"
    created, session, (malgorzata, jan), presenter_token = await conference(server.base, code)
    presenter = await Client(server.ws_url, code, token=presenter_token).connect()
    phone = Client(server.ws_url, code)
    await phone.connect()
    await phone.ok("delegate.redeem", code=malgorzata["code"])
    await phone.close()
    late = Client(server.ws_url, code)
    await late.connect()
    await late.ok("delegate.redeem", code=jan["code"])
    await late.close()
    anonymous = await Client(server.ws_url, code).connect()  # online, but holds no credential

    await presenter.ok("session.start", session=session["id"])
    # Małgorzata: a phone for ~2 s and a laptop (the same browser's device) for ~1.2 s inside it.
    phone_open = asyncio.create_task(held(lambda: Client(server.ws_url, code, device=phone.device).connect(), 2.0))
    await asyncio.sleep(0.3)
    laptop = await held(lambda: Client(server.ws_url, code, device=phone.device).connect(), 1.2)
    outer = await phone_open
    jan_open = await held(lambda: Client(server.ws_url, code, device=late.device).connect(), 0.3)
    await presenter.ok("session.end", session=session["id"])
    # Connected after the session ended: not counted.
    await held(lambda: Client(server.ws_url, code, device=late.device).connect(), 0.5)

    async with httpx.AsyncClient(base_url=server.base, headers=auth(created), timeout=60) as http:
        people = await people_when(http, code, lambda p: p["Jan Kowalski"]["online_minutes"] > 0)
        mine, his = people["Małgorzata Żółkiewska"], people["Jan Kowalski"]
        # The two tabs count once: the union of 2 s and 1.2 s inside it, never their sum. (The server
        # sees a close a little after the client: on a busy machine, up to a few tenths of a second.)
        assert (outer - 0.3) / MINUTE <= mine["online_minutes"] <= (outer + 0.6) / MINUTE, (mine, outer)
        assert mine["online_minutes"] < (outer + laptop - 0.6) / MINUTE
        assert mine["online_sessions"] == {str(session["id"]): mine["online_minutes"]}
        assert mine["door_minutes"] == 0 and mine["minutes"] == mine["online_minutes"]
        assert (jan_open - 0.2) / MINUTE <= his["online_minutes"] <= (jan_open + 0.6) / MINUTE, his
        # The threshold between them: she qualifies, he does not; the room alone counts nothing here.
        threshold = int((mine["minutes"] + his["minutes"]) / 2)
        saved = await http.put(f"/api/events/{code}/certificates/threshold", json={"min_minutes": threshold})
        assert saved.json() == {"min_minutes": threshold, "sources": "both"}
        wrong = await http.put(f"/api/events/{code}/certificates/threshold",
                               json={"min_minutes": threshold, "sources": "phone"})
        assert wrong.status_code == 422 and wrong.json()["error"]["details"] == {"field": "sources"}

        async with httpx.AsyncClient(base_url=server.base, timeout=60) as browser:
            status = await browser.post(f"/api/events/{code}/my-certificate", json={"device": phone.device})
            assert status.status_code == 200 and status.json()["eligible"] is True, status.text
            assert status.json()["code"] is None, "not issued until asked for"
            below = await browser.post(f"/api/events/{code}/my-certificate.pdf", json={"device": late.device})
            assert below.status_code == 409 and below.json()["error"]["code"] == "below_threshold"
            assert below.json()["error"]["details"]["min_minutes"] == threshold
            stranger = await browser.post(f"/api/events/{code}/my-certificate.pdf",
                                          json={"device": anonymous.device})
            assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "no_credential"
            unknown = await browser.post(f"/api/events/{code}/my-certificate.pdf", json={"device": "x" * 22})
            assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "unknown_device"
            bad = await browser.post(f"/api/events/{code}/my-certificate.pdf", json={"device": "not a device"})
            assert bad.status_code == 401

            own = await browser.post(f"/api/events/{code}/my-certificate.pdf", json={"device": phone.device})
            assert own.status_code == 200 and own.headers["content-type"] == "application/pdf", own.text
            (page,) = PdfReader(io.BytesIO(own.content)).pages
            text = page.extract_text().replace("\n", " ")
            issued = (await browser.post(f"/api/events/{code}/my-certificate", json={"device": phone.device})).json()
            hours = f"{issued['minutes'] / 60:.1f}".replace(".", ",")
            assert "Zaświadczenie o udziale" in text
            assert ("Zaświadcza się, że Małgorzata Żółkiewska uczestniczył(a) w wydarzeniu „X Konferencja pomocy "
                    f"społecznej” w wymiarze {hours} godzin") in text, text
            assert f"Kod weryfikacyjny: {issued['code']}" in text
            again = await browser.post(f"/api/events/{code}/my-certificate", json={"device": phone.device})
            assert again.json()["code"] == issued["code"], "downloading again keeps the code"

            checked = await browser.get(f"/verify/{issued['code']}")
            assert checked.status_code == 200 and "Zaświadczenie ważne" in checked.text
            assert "Małgorzata Żółkiewska" in checked.text

        # Only online time counts when the organizer says so; only the room: nobody qualifies.
        await http.put(f"/api/events/{code}/certificates/threshold", json={"min_minutes": threshold,
                                                                            "sources": "door"})
        assert not any(p["eligible"] for p in (await http.get(f"/api/events/{code}/certificates")).json()["people"])

        # Erasure: her pieces of presence are deleted, in the store and from her export.
        public_id = phone.welcome["participant"]["id"]
        participant = await participant_id(server, code, phone.device)
        export = (await http.get(f"/api/events/{code}/participants/{public_id}/export")).json()
        assert export["presence"] and export["presence"][0]["session"] == session["id"]
        erased = await http.delete(f"/api/events/{code}/participants/{public_id}")
        assert erased.status_code == 200 and erased.json()["presence"] == len(export["presence"])
        seconds = await server.services.presence.seconds(phone.welcome["event_id"])
        assert participant is not None and participant not in seconds and seconds, seconds
        assert (await browser_status(server.base, code, phone.device)) == 401
    for client in (presenter, anonymous):
        await client.close()


async def participant_id(server: Running, code: str, device: str) -> int | None:
    """The participant id of a device in the event."""
    async with server.services.db.session() as db:
        found = await db.certificates.participant_by_device(code, digest(device))
    return None if found is None else found[1]


async def browser_status(base: str, code: str, device: str) -> int:
    async with httpx.AsyncClient(base_url=base) as browser:
        return (await browser.post(f"/api/events/{code}/my-certificate", json={"device": device})).status_code


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A PostgreSQL database of this test's own (created, then dropped)."""
    async with own_postgres_database("plenaria_presence") as url:
        yield url


@pytest.mark.postgres
async def test_two_processes_on_redis_add_up_and_count_a_person_once(
    redis_server: RedisServer, database: str, tmp_path: Path
) -> None:
    """Each process writes its own connections: Jan on A then on B adds up; Małgorzata on A and,
    overlapping, on B counts the union of the two."""
    options = ("--redis", redis_server.url, "--database", database)
    a, b = ServerProcess(*options, env=FAST), ServerProcess(*options, env=FAST)
    try:
        a.start(tmp_path / "a.log")
        b.start(tmp_path / "b.log")
        code = "PRES2"
        created, session, (malgorzata, jan), presenter_token = await conference(a.base, code)
        presenter = await Client(a.ws_url, code, token=presenter_token).connect()
        her, him = Client(a.ws_url, code), Client(b.ws_url, code)
        for client, credential in ((her, malgorzata), (him, jan)):
            await client.connect()
            await client.ok("delegate.redeem", code=credential["code"])
            await client.close()
        await presenter.ok("session.start", session=session["id"])

        async def jan_on_a_then_b() -> float:
            first = await held(lambda: Client(a.ws_url, code, device=him.device).connect(), 0.6)
            await asyncio.sleep(0.4)
            return first + await held(lambda: Client(b.ws_url, code, device=him.device).connect(), 0.6)

        async def her_on_both() -> tuple[float, float, float]:
            began = time.monotonic()
            on_a = asyncio.create_task(held(lambda: Client(a.ws_url, code, device=her.device).connect(), 2.0))
            await asyncio.sleep(0.4)
            on_b = await held(lambda: Client(b.ws_url, code, device=her.device).connect(), 2.0)
            return await on_a, on_b, time.monotonic() - began

        his_total, (her_a, her_b, her_span) = await asyncio.gather(jan_on_a_then_b(), her_on_both())
        await asyncio.sleep(0.3)
        await presenter.ok("session.end", session=session["id"])
        async with httpx.AsyncClient(base_url=b.base, headers=auth(created)) as http:
            people = await people_when(http, code, lambda p: p["Jan Kowalski"]["online_minutes"]
                                       >= (his_total - 0.4) / MINUTE)
        mine, his = people["Małgorzata Żółkiewska"], people["Jan Kowalski"]
        # Jan: his time on A plus his time on B, written by two processes.
        # (The servers see a close a little after the client does: the upper bounds allow for it.)
        assert (his_total - 0.4) / MINUTE <= his["online_minutes"] <= (his_total + 1.0) / MINUTE, (his, his_total)
        # Małgorzata: from her first tab's opening to her last one's closing, not the sum of both.
        assert (her_span - 0.4) / MINUTE <= mine["online_minutes"] <= (her_span + 0.8) / MINUTE, (mine, her_span)
        assert mine["online_minutes"] < (her_a + her_b - 0.8) / MINUTE, (mine, her_a, her_b)
        await presenter.close()
    finally:
        a.stop()
        b.stop()


async def test_a_stopping_server_writes_what_it_saw_and_retention_purges_it(tmp_path: Path) -> None:
    """No tick ever comes (the interval is an hour): the stretch is written when the server stops,
    read back by the next one, and the chat retention's purge deletes it."""
    slow = replace(Settings(database_url=f"sqlite:///{tmp_path / 'plenaria.db'}"),
                   attendance_minute_seconds=MINUTE, presence_flush_seconds=3600)
    code = "PRES3"
    async with running_server(slow) as first:
        created, session, (malgorzata, _), presenter_token = await conference(first.base, code)
        presenter = await Client(first.ws_url, code, token=presenter_token).connect()
        await presenter.ok("session.start", session=session["id"])
        phone = await Client(first.ws_url, code).connect()
        await phone.ok("delegate.redeem", code=malgorzata["code"])
        await asyncio.sleep(0.6)
        assert await first.services.presence.seconds(phone.welcome["event_id"]) == {}, "nothing written yet"
    async with running_server(replace(slow, port=8000)) as second, \
            httpx.AsyncClient(base_url=second.base, headers=auth(created)) as http:
        people = (await http.get(f"/api/events/{code}/certificates")).json()["people"]
        (mine,) = [p for p in people if p["name"] == "Małgorzata Żółkiewska"]
        assert mine["online_minutes"] >= 0.5 / MINUTE, mine
        dry = (await http.post(f"/api/events/{code}/privacy/purge", json={"days": 0, "dry_run": True})).json()
        assert dry["presence_deleted"] == 1 and dry["dry_run"] is True
        purged = (await http.post(f"/api/events/{code}/privacy/purge", json={"days": 0})).json()
        assert purged["presence_deleted"] == 1
        people = (await http.get(f"/api/events/{code}/certificates")).json()["people"]
        assert [p["online_minutes"] for p in people if p["name"] == "Małgorzata Żółkiewska"] == [0]
