"""CPU-heavy endpoints (the credential sheets with a QR code per delegate, the report, exports,
the import of a roster) are the organizer's, capped, and kept off the event loop: a
participant's ping round trip stays under 100 ms while 2,000 QR codes are drawn."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.harness import ServerProcess, create_event

pytestmark = [pytest.mark.slow]
CODE = "HEAVY1"
SHEET = 2000
IMPORT = 5000
WINDOW = 10.0  # seconds of the sheet's rendering measured
INTERVAL = 0.1


def credentials(n: int) -> list[dict[str, str]]:
    return [{"name": f"Delegada {i}", "segment": "Usuários", "code": f"K{i:03d}-2MZX"} for i in range(n)]


async def ping_round_trips(url: str, stop: asyncio.Event) -> list[tuple[float, float]]:
    """(when it was sent, milliseconds of its round trip) of a ping every 100 ms (the rate limit is
    10 a second), until `stop`."""
    times: list[tuple[float, float]] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "hello", "event": CODE, "device": "ping-measuring-device"}))
        while json.loads(await ws.recv())["type"] != "snapshot":
            pass
        while not stop.is_set():
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "ping", "t": sent}))
            while (answer := json.loads(await ws.recv()))["type"] != "pong":
                assert answer["type"] != "error", answer
            times.append((sent, (time.perf_counter() - sent) * 1000))
            await asyncio.sleep(INTERVAL)
    return times


def during(times: list[tuple[float, float]], start: float, end: float) -> list[float]:
    return [rtt for sent, rtt in times if start <= sent <= end]


async def test_heavy_endpoints_are_the_organizers_capped_and_off_the_loop(tmp_path: Path) -> None:
    """The sheet of 2,000 is measured for WINDOW seconds while it renders (on a busy machine the
    whole of it takes a minute at the worker's low priority), then the server is stopped, which
    stops its worker too; a small sheet shows the cards are right."""
    server = ServerProcess("--database", str(tmp_path / "p.db")).start(tmp_path / "server.log")
    try:
        created = await create_event(server.base, code=CODE)
        secret = created["organizer_secret"]
        page = f"/api/events/{CODE}/credentials.html"
        async with httpx.AsyncClient(base_url=server.base, timeout=120) as http:
            refused = await http.post(page, json={"credentials": credentials(3)})
            assert refused.status_code == 401, "anyone could make the server draw QR codes"
            form = await http.post(page, data={"secret": secret, "credentials": json.dumps(credentials(2))})
            assert form.status_code == 200 and form.text.count("<svg") == 2, "the organizer page's form post"
            auth = {"authorization": f"Bearer {secret}"}
            small = await http.post(page, json={"credentials": credentials(20)}, headers=auth)
            assert small.text.count("<svg") == 20 and "K019-2MZX" in small.text
            too_many = await http.post(page, json={"credentials": credentials(SHEET + 1)}, headers=auth)
            assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "too_many_credentials"

            stop = asyncio.Event()
            pinger = asyncio.create_task(ping_round_trips(server.ws_url, stop))
            await asyncio.sleep(0.5)
            roster = "\n".join(f"Delegada {i},Usuários" for i in range(IMPORT)).encode()
            csv = {**auth, "content-type": "text/csv"}
            import_started = time.perf_counter()
            imported = await http.post(f"/api/events/{CODE}/delegates", content=roster, headers=csv)
            import_ended = time.perf_counter()
            assert imported.status_code == 201 and len(imported.json()["delegates"]) == IMPORT
            printable = await http.post(f"/api/events/{CODE}/delegates?format=html", content=roster, headers=csv)
            assert printable.json()["error"]["code"] == "too_many_credentials", "5,000 QR codes in one page"
            sheet = asyncio.create_task(http.post(page, json={"credentials": credentials(SHEET)}, headers=auth))
            started = time.perf_counter()
            await asyncio.wait([sheet], timeout=WINDOW)
            ended = time.perf_counter()
            stop.set()
            times = await pinger
            if sheet.done():
                assert sheet.result().text.count("<svg") == SHEET
            else:
                sheet.cancel()
        importing = during(times, import_started - INTERVAL, import_ended)
        drawing = during(times, started + 0.5, ended)
        assert len(drawing) >= 10, (ended - started, len(drawing))
        p95 = statistics.quantiles(drawing, n=20)[-1]
        print(f"{IMPORT} delegates imported in {import_ended - import_started:.2f} s, pings meanwhile up to "
              f"{max(importing):.0f} ms; while {SHEET} QR codes were drawn ({'done' if sheet.done() else 'still'} "
              f"after {ended - started:.1f} s), pings: median {statistics.median(drawing):.1f} ms, p95 {p95:.1f} ms, "
              f"max {max(drawing):.1f} ms over {len(drawing)}")
        assert max(importing) < 500, f"the import stalled a ping {max(importing):.0f} ms"
        # On the loop, every ping waited for the whole sheet (seconds). The 95th percentile, not the
        # maximum: on a shared 2-core machine an idle server, too, misses a ping now and then.
        assert p95 < 100, f"pings waited {p95:.0f} ms (95th percentile) while the sheet was drawn"
    finally:
        server.stop()
