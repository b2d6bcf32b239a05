"""The join storm: N participants arriving at once, then coming back at once.

Three waves against one deployment, each holding `--join-in-flight` handshakes in flight
(spread over the load processes) from many 127.0.0.x addresses, every client waiting for
its state before it counts as joined:

- **fresh**: new devices (first visits): handshake, `hello`, `welcome`, the public snapshot;
- **resume**: the same devices reconnect with a `resume` point one event back, as after a
  Wi-Fi blip: the server replays the event they missed (or sends a snapshot);
- **restart** (one process, in-memory broker): the server is stopped and started again on
  the same database, and everybody resumes into the new epoch: a snapshot each, the
  returning participants found by their devices.

Then the bare `websockets` baseline in the same run does the same work for fresh and
resume: answers each hello with frames of the sizes Plenária sent (benchmarks/bare.py).
Joins per second = clients joined / wall time of the wave; latencies are hello → state.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

import websockets

from benchmarks import bare, runner
from benchmarks.presenter import Presenter
from benchmarks.servers import Profiler, free_port, rss_kib
from benchmarks.stats import CpuWatch, summary_ms


async def sample_frames(ws_url: str, code: str, presenter: Presenter) -> dict[str, str]:
    """The welcome and snapshot a participant gets, and one public event, as sent: the bare
    baseline answers with frames of the same sizes."""
    async with websockets.connect(ws_url, compression=None, proxy=None, max_size=2**22, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "hello", "event": code, "device": secrets.token_urlsafe(18)}))
        frames: dict[str, str] = {}
        while "snapshot" not in frames:
            raw = await asyncio.wait_for(ws.recv(), 30)
            assert isinstance(raw, str)
            frames[json.loads(raw)["type"]] = raw
    updates = presenter.named("screen.updated")
    frames["event"] = json.dumps(updates[-1][1], ensure_ascii=False, separators=(",", ":"))
    return frames


async def wave(pool: runner.Pool, urls: list[str], servers: list[int], code: str, n: int, in_flight: int,
               resume: bool) -> dict[str, Any]:
    """One storm of n clients over `urls` (served by the processes `servers`); every load process
    keeps its share's devices."""
    sources = runner.source_addresses(n)
    procs = len(pool.pipes)
    per_process = max(1, math.ceil(in_flight / procs))
    requests = [{"op": "storm", "urls": urls, "event": code, "indices": list(range(number, n, procs)),
                 "sources": sources, "concurrency": per_process, "timeout": 60.0, "resume": resume}
                for number in range(procs)]
    watch = CpuWatch({"server": servers, "load": pool.pids})
    started = time.monotonic()
    answers = await pool.call_all(requests, 120 + n / 10)
    seconds = time.monotonic() - started
    cores = watch.account()
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise RuntimeError(f"load processes failed: {errors[:3]}")
    hellos = [t for a in answers for t in a["hello_to_state_ns"]]
    handshakes = [t for a in answers for t in a["handshake_to_state_ns"]]
    failures: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for answer in answers:
        failures.update(answer["failures"])
        states.update(answer["state"])
    joined = len(hellos)
    return {"requested": n, "joined": joined, "failed": sum(a["failed"] for a in answers),
            "failures": dict(failures.most_common(5)), "state": dict(states), "seconds": round(seconds, 3),
            "joins_per_second": round(joined / seconds, 1) if seconds else 0.0, "in_flight": in_flight,
            "client_addresses": len(sources), "hello_to_state": summary_ms(hellos),
            "handshake_to_state": summary_ms(handshakes), "cores": cores,
            "server_cpu_ms_per_join": round(cores["server"] * cores["seconds"] / joined * 1000, 3) if joined else None}


async def measure_joins(config: str, n: int, pool: runner.Pool, args: argparse.Namespace,
                        workdir: Path) -> dict[str, Any]:
    label = f"{config}-{n}-joins"
    print(f"== {label}: starting", flush=True)
    loop = asyncio.get_running_loop()
    deployment = await loop.run_in_executor(None, runner.deploy, config, args, workdir, label)
    result: dict[str, Any] = {"deployment": deployment.description}
    in_flight = args.join_in_flight
    try:
        created = await runner.create_event(deployment.base)
        code = created["event"]["code"]
        token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        presenter = await Presenter(deployment.ws_urls[0], code, token).connect()
        await presenter.command("screen.show", kind="message", text="Entrem agora")
        for _ in range(200):
            if presenter.named("screen.updated"):
                break
            await asyncio.sleep(0.01)
        frames = await sample_frames(deployment.ws_urls[0], code, presenter)
        result["frame_bytes"] = {kind: len(frame.encode()) for kind, frame in frames.items()}
        profiler = Profiler(deployment.pids[0], workdir / f"{label}-profile.txt").start() if args.profile else None
        result["fresh"] = await wave(pool, deployment.ws_urls, deployment.pids, code, n, in_flight, resume=False)
        if profiler is not None:
            result["profile"] = profiler.stop()
        print(f"   fresh: {_line(result['fresh'])}", flush=True)
        await pool.same({"op": "disconnect"}, 120)
        await asyncio.sleep(runner.settle(n))
        result["resume"] = await wave(pool, deployment.ws_urls, deployment.pids, code, n, in_flight, resume=True)
        print(f"   resume: {_line(result['resume'])}", flush=True)
        await pool.same({"op": "disconnect"}, 120)
        await presenter.close()
        if deployment.restart is not None:
            await asyncio.sleep(runner.settle(n))
            await loop.run_in_executor(None, deployment.restart)
            profiler = (Profiler(deployment.pids[0], workdir / f"{label}-restart-profile.txt").start()
                        if args.profile else None)
            result["restart"] = await wave(pool, deployment.ws_urls, deployment.pids, code, n, in_flight, resume=True)
            if profiler is not None:
                result["restart_profile"] = profiler.stop()
            print(f"   after a restart: {_line(result['restart'])}", flush=True)
            await pool.same({"op": "disconnect"}, 120)
    finally:
        await loop.run_in_executor(None, deployment.stop)
    if not args.no_bare:
        print(f"== {label}: bare websockets baseline", flush=True)
        result["bare"] = await bare_joins(pool, args, n, frames)
        result["ratio_to_bare"] = {
            kind: round(result[kind]["joins_per_second"] / result["bare"][kind]["joins_per_second"], 3)
            if result["bare"][kind]["joins_per_second"] else None for kind in ("fresh", "resume")
        }
    return result


async def bare_joins(pool: runner.Pool, args: argparse.Namespace, n: int, frames: dict[str, str]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    port = free_port()
    process = context.Process(target=bare.run, args=(theirs, port), daemon=True)
    process.start()
    loop = asyncio.get_running_loop()
    url = [f"ws://127.0.0.1:{port}/"]
    try:
        if not mine.poll(30):
            raise RuntimeError("bare server did not start")
        ready = mine.recv()
        pid = ready["pid"]
        await loop.run_in_executor(None, runner.Pool._call, mine, {"op": "join_frames", "frames": frames}, 30)
        before = rss_kib(pid)
        out: dict[str, Any] = {"loop": ready.get("loop")}
        out["fresh"] = await wave(pool, url, [pid], "bare", n, args.join_in_flight, resume=False)
        out["kib_per_connection"] = round((rss_kib(pid) - before) / max(1, out["fresh"]["joined"]), 2)
        await pool.same({"op": "disconnect"}, 120)
        await asyncio.sleep(runner.settle(n))
        out["resume"] = await wave(pool, url, [pid], "bare", n, args.join_in_flight, resume=True)
        await pool.same({"op": "disconnect"}, 120)
        await loop.run_in_executor(None, runner.Pool._call, mine, {"op": "exit"}, 30)
        return out
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)


def _line(figures: dict[str, Any]) -> str:
    latency = figures["hello_to_state"]
    return (f"{figures['joined']}/{figures['requested']} in {figures['seconds']} s, "
            f"{figures['joins_per_second']:.0f} joins/s, hello→state p50 {latency['p50_ms']:.0f} ms, "
            f"p99 {latency['p99_ms']:.0f} ms, {figures['state']}; cores {figures['cores']}")


def table(runs: list[dict[str, Any]]) -> list[str]:
    """The join-storm rows of the printed table."""
    lines = ["", "join storm (hello -> state; joins/s = joined / wall time; x bare = our rate / bare rate; "
                 f"cores: busy on average during the wave, the servers' and all the machine's {os.cpu_count()})",
             "| config    |      N | wave    | joined | joins/s | p50 ms | p99 ms | bare j/s | bare p99 | x bare | "
             "server cores | machine cores | server ms/join |",
             "|-----------|--------|---------|--------|---------|--------|--------|----------|----------|--------|"
             "--------------|---------------|----------------|"]
    for run in runs:
        joins = run.get("joins")
        if not joins:
            continue
        for kind in ("fresh", "resume", "restart"):
            if kind not in joins:
                continue
            ours = joins[kind]
            theirs = joins.get("bare", {}).get(kind, {})
            ratio = joins.get("ratio_to_bare", {}).get(kind)
            bare_rate = f"{theirs['joins_per_second']:>8.0f}" if theirs else f"{'-':>8}"
            bare_p99 = f"{theirs['hello_to_state']['p99_ms']:>8.0f}" if theirs else f"{'-':>8}"
            cores = ours.get("cores", {})
            lines.append(
                f"| {run['config']:<9} | {run['n']:>6} | {kind:<7} | {ours['joined']:>6} | "
                f"{ours['joins_per_second']:>7.0f} | {ours['hello_to_state']['p50_ms']:>6.0f} | "
                f"{ours['hello_to_state']['p99_ms']:>6.0f} | {bare_rate} | {bare_p99} | "
                f"{(f'{ratio:.2f}' if ratio is not None else '-'):>6} | {cores.get('server', '-'):>12} | "
                f"{cores.get('machine', '-'):>13} | {ours.get('server_cpu_ms_per_join', '-'):>14} |")
    return lines
