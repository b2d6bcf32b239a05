"""What a join costs the server, in its own CPU seconds and memory: figures a loaded machine
does not distort the way it distorts rates and latencies.

Starts `plenaria serve` from `--root` (a checkout, e.g. `git archive REV | tar -x -C DIR`) on
a fresh SQLite file, opens N clients (200 handshakes in flight, 20 source addresses), each
waiting for its snapshot and then idle; reads the server's CPU time (`/proc/<pid>/stat`) and
RSS before and after; closes them all and brings the same devices back (returning
participants found by device, as after a restart), again reading its CPU time.

    python benchmarks/join_cpu.py --root /tmp/before --n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def wave(url: str, code: str, devices: list[str], in_flight: int) -> tuple[list[Any], list[float]]:
    held: list[Any] = []
    latencies: list[float] = []
    gate = asyncio.Semaphore(in_flight)

    async def one(index: int, device: str) -> None:
        async with gate:
            ws = await websockets.connect(url, compression=None, proxy=None, max_size=2**22, ping_interval=None,
                                          local_addr=(f"127.0.0.{10 + index % 20}", 0), open_timeout=120)
            started = time.monotonic()
            await ws.send(json.dumps({"type": "hello", "event": code, "device": device}))
            while json.loads(await asyncio.wait_for(ws.recv(), 120))["type"] != "snapshot":
                pass
            latencies.append(time.monotonic() - started)
            held.append(ws)

    await asyncio.gather(*(one(i, device) for i, device in enumerate(devices)))
    return held, sorted(latencies)


async def measure(root: Path, n: int, in_flight: int) -> dict[str, Any]:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    database = Path(f"/tmp/join-cpu-{port}.db")
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--database",
                               f"sqlite:///{database}"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(600):
                try:
                    if (await http.get("/api/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
            code = (await http.post("/api/events", json={"title": "t", "segments": ["A"]})).json()["event"]["code"]
        url = f"ws://127.0.0.1:{port}/ws"
        devices = [secrets.token_urlsafe(18) for _ in range(n)]
        await asyncio.sleep(2)
        cpu0, rss0 = cpu_seconds(server.pid), rss_kib(server.pid)
        held, fresh = await wave(url, code, devices, in_flight)
        await asyncio.sleep(3)
        cpu1, rss1 = cpu_seconds(server.pid), rss_kib(server.pid)
        for ws in held:
            await ws.close()
        await asyncio.sleep(3)
        cpu2 = cpu_seconds(server.pid)
        held, back = await wave(url, code, devices, in_flight)
        await asyncio.sleep(3)
        cpu3 = cpu_seconds(server.pid)
        for ws in held:
            await ws.close()
        return {"root": str(root), "n": n, "in_flight": in_flight,
                "fresh_cpu_ms_per_join": round((cpu1 - cpu0) / n * 1000, 3),
                "returning_cpu_ms_per_join": round((cpu3 - cpu2) / n * 1000, 3),
                "kib_per_idle_connection": round((rss1 - rss0) / n, 2),
                "fresh_p99_ms": round(fresh[int(0.99 * (n - 1))] * 1000),
                "returning_p99_ms": round(back[int(0.99 * (n - 1))] * 1000),
                "loadavg": os.getloadavg()}
    finally:
        server.terminate()
        server.wait(20)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.root, args.n, args.in_flight))))


if __name__ == "__main__":
    main()
