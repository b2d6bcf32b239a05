"""`python -m benchmarks run`: start servers, hold N participants, measure, print a table, write JSON.

For each configuration (embedded: one `plenaria serve` on a fresh SQLite file;
redis: two `plenaria serve` processes sharing a redis-server of the run's own and
a fresh PostgreSQL database) and each N, in one run:

1. start the server(s), create an event over HTTP, connect the presenter;
2. read the server's RSS, open N participants from P load processes, read it again;
3. fan-out: the presenter sends M `screen.show` commands carrying their send time,
   one per `--interval`; every participant records its receipt time;
4. vote burst: a sectioned poll, N ballots at `--vote-rate` per second, acks timed,
   the presenter's tally compared with the ballots and the store;
5. drop the participants and stop the server(s);
6. the bare `websockets.broadcast()` baseline: same clients, same frame size, same N.

Moderation throughput (benchmarks/moderation_bench.py) runs first, on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from benchmarks import bare, load
from benchmarks.presenter import Presenter
from benchmarks.servers import (
    PlenariaServer,
    PostgresDatabase,
    Profiler,
    RedisServer,
    free_port,
    raise_fd_limit,
    rss_kib,
)
from benchmarks.stats import CpuWatch, environment, summary_ms

SCENARIOS = ("joins", "fanout", "votes", "moderation")
CONFIGS = ("embedded", "redis")
PER_ADDRESS = 150  # the server admits 200 connections per client address: stay below
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"

TARGETS = {
    "joins": "10,000 arriving at once, 500 in flight: >= 1/3 of the bare join rate, p99 hello->snapshot < 1 s; "
             "resumes at least as fast",
    "memory": "10,000 participants on one process, < 40 KiB server RSS per idle connection",
    "fanout": "fan-out to 10,000: p99 < 250 ms and <= 2x the bare websockets broadcast (same run)",
    "votes": "10,000 votes in 10 s: all acknowledged, none lost, p99 ack < 500 ms, tally exact within 1 s",
    "moderation": "moderation > 20,000 messages/s on one core",
    "scale_out": "two processes on Redis: >= 1.6x one process's join rate and votes/s, same run",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Plenária benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the benchmarks and print a table")
    run.add_argument("--scenario", default="fanout,votes,moderation",
                     help="comma-separated: joins, fanout, votes, moderation (default: fanout, votes, moderation)")
    run.add_argument("--config", default="embedded", help="comma-separated: embedded, redis (default embedded)")
    run.add_argument("--n", default="1000", help="participant counts, comma-separated (default 1000)")
    run.add_argument("--procs", type=int, default=4, help="load-generator processes (default 4)")
    run.add_argument("--messages", type=int, default=10, help="fan-out messages measured per N (default 10)")
    run.add_argument("--warmup", type=int, default=1, help="fan-out messages sent first and not measured")
    run.add_argument("--interval", type=float, default=1.0, help="seconds between fan-out messages (default 1)")
    run.add_argument("--frame-bytes", type=int, default=200, help="size of the fan-out frame (default 200)")
    run.add_argument("--vote-rate", type=float, default=1000.0,
                     help="ballots per second in the vote burst (default 1000: 10,000 in 10 s)")
    run.add_argument("--secret", action="store_true",
                     help="the vote burst uses a secret poll (sealed ballots, counted at the close)")
    run.add_argument("--poll-visibility", default="live", choices=("live", "after_close", "hidden"),
                     help="live: tallies go to every participant (default); otherwise to staff only")
    run.add_argument("--moderation-seconds", type=float, default=10.0)
    run.add_argument("--join-in-flight", type=int, default=500,
                     help="join storm: handshakes in flight over all load processes (default 500)")
    run.add_argument("--connect-concurrency", type=int, default=64, help="handshakes in flight per load process")
    run.add_argument("--quiet-wait", type=float, default=120.0,
                     help="before each phase wait up to this long for other jobs to use < 0.25 core (0: do not wait)")
    run.add_argument("--no-bare", action="store_true", help="skip the bare websockets baseline")
    run.add_argument("--max-connections", type=int,
                     help="each server process's cap of open websockets (default: the server's, 18,000)")
    run.add_argument("--target", help="base URL of an already running server (http://host:port): start nothing")
    run.add_argument("--server-pid", type=int, action="append", default=[],
                     help="with --target: pid(s) whose RSS to read")
    run.add_argument("--postgres", default=POSTGRES_ADMIN,
                     help="admin URL for the redis configuration's fresh database; 'sqlite' to share a SQLite file")
    run.add_argument("--profile", action="store_true",
                     help="record the (first) server with py-spy during fan-out and votes; top frames in the JSON")
    run.add_argument("--workdir", help="where logs, databases and profiles go (default: a new temp directory)")
    run.add_argument("--json", dest="json_out", help="write the results as JSON to this file")
    show = commands.add_parser("table", help="print the tables of one or more JSON reports, runs merged")
    show.add_argument("files", nargs="+")
    from benchmarks import fuzz

    fuzz.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command in ("table", "fuzz"):
        return args
    args.scenarios = [s.strip() for s in args.scenario.split(",") if s.strip()]
    args.configs = [c.strip() for c in args.config.split(",") if c.strip()]
    args.sizes = [int(n.replace("_", "")) for n in args.n.split(",") if n.strip()]
    for name in args.scenarios:
        if name not in SCENARIOS:
            parser.error(f"unknown scenario {name!r}")
    for name in args.configs:
        if name not in CONFIGS:
            parser.error(f"unknown config {name!r}")
    if args.target:
        args.configs = ["target"]
    return args


# -- load-generator pool ---------------------------------------------------------------


class Pool:
    """P load-generator processes; `call_all` sends one request to each and waits for every answer."""

    def __init__(self, procs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        for number in range(procs):
            mine, theirs = context.Pipe()
            process = context.Process(target=load.run, args=(theirs, number), daemon=True)
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)
        self.threads = ThreadPoolExecutor(max(2, procs))

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    @staticmethod
    def _call(pipe: Connection, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        pipe.send(request)
        if not pipe.poll(timeout):
            raise TimeoutError(f"load process did not answer {request['op']} within {timeout} s")
        answer: dict[str, Any] = pipe.recv()
        return answer

    async def call_all(self, requests: list[dict[str, Any]], timeout: float) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        calls = [loop.run_in_executor(self.threads, self._call, pipe, request, timeout)
                 for pipe, request in zip(self.pipes, requests, strict=True)]
        return list(await asyncio.gather(*calls))

    async def same(self, request: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
        return await self.call_all([dict(request) for _ in self.pipes], timeout)

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError, EOFError, TimeoutError):
                self._call(pipe, {"op": "exit"}, 30)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
        self.threads.shutdown()


def settle(n: int) -> float:
    """Seconds to let the processes settle after a step involving n connections (3 s at 5,000 and up)."""
    return 0.3 + min(2.7, n / 1850)


def source_addresses(n: int) -> list[str]:
    """Enough 127.0.0.x client addresses for the server's per-address cap (and for ephemeral ports)."""
    count = min(240, max(4, math.ceil(n / PER_ADDRESS)))
    return [f"127.0.0.{10 + i}" for i in range(count)]


async def connect_all(pool: Pool, urls: list[str], event: str, n: int, concurrency: int) -> dict[str, Any]:
    """Spread participants 0..n-1 over load processes (round robin) and over `urls` (by index)."""
    sources = source_addresses(n)
    procs = len(pool.pipes)
    requests: list[dict[str, Any]] = []
    timeout = 60 + n / 20
    for number in range(procs):
        indices = list(range(number, n, procs))
        requests.append({"op": "connect", "url": "", "event": event, "indices": indices, "sources": sources,
                         "concurrency": concurrency, "timeout": 60.0})
    started = time.monotonic()
    answers = []
    if len(urls) == 1:
        for request in requests:
            request["url"] = urls[0]
        answers = await pool.call_all(requests, timeout)
    else:  # one call per server URL: each load process splits its indices over the servers
        for offset, url in enumerate(urls):
            part = []
            for request in requests:
                part.append({**request, "url": url,
                             "indices": [i for i in request["indices"] if i % len(urls) == offset]})
            answers += await pool.call_all(part, timeout)
    seconds = time.monotonic() - started
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise RuntimeError(f"load processes failed: {errors[:3]}")
    held = sum(a["open"] for a in await pool.same({"op": "status"}, 60))
    failures: Counter[str] = Counter()
    for answer in answers:
        failures.update(answer["failures"])
    return {"requested": n, "held": held, "failed": sum(a["failed"] for a in answers),
            "failures": dict(failures.most_common(5)), "connect_seconds": round(seconds, 2),
            "connects_per_second": round(n / seconds, 1) if seconds else 0.0,
            "client_addresses": len(sources)}


async def gather_arrivals(pool: Pool) -> tuple[dict[int, list[int]], int]:
    merged: dict[int, list[int]] = {}
    still_open = 0
    for answer in await pool.same({"op": "arrivals"}, 120):
        still_open += answer["open"]
        for k, times in answer["arrivals"].items():
            merged.setdefault(int(k), []).extend(times)
    return merged, still_open


def fanout_figures(t0s: dict[int, int], arrivals: dict[int, list[int]], measured: list[int], receivers: int,
                   frame_bytes: int) -> dict[str, Any]:
    latencies = [t - t0s[k] for k in measured for t in arrivals.get(k, [])]
    per_message_p99 = []
    for k in measured:
        one = sorted(t - t0s[k] for t in arrivals.get(k, []))
        if one:
            per_message_p99.append(summary_ms(one)["p99_ms"])
    expected = receivers * len(measured)
    return {
        "messages": len(measured),
        "receivers": receivers,
        "frame_bytes": frame_bytes,
        "deliveries": len(latencies),
        "missing": max(0, expected - len(latencies)),
        **summary_ms(latencies),
        "worst_message_p99_ms": max(per_message_p99, default=0.0),
    }


# -- deployments -----------------------------------------------------------------------


@dataclass
class Deployment:
    config: str
    base: str  # HTTP API of the server the presenter uses
    ws_urls: list[str]
    pids: list[int]
    stoppers: list[Any] = field(default_factory=list)
    description: dict[str, Any] = field(default_factory=dict)
    restart: Callable[[], None] | None = None  # stop and start the server again on the same database

    def rss(self) -> int:
        return sum(rss_kib(pid) for pid in self.pids)

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                print(f"warning: stopping failed: {exc}", file=sys.stderr)


def deploy(config: str, args: argparse.Namespace, workdir: Path, label: str) -> Deployment:
    if config == "target":
        base = args.target.rstrip("/")
        ws = base.replace("http://", "ws://").replace("https://", "wss://") + "/ws"
        return Deployment(config, base, [ws], list(args.server_pid), description={"target": base})
    if config == "embedded":
        database = f"sqlite:///{workdir / f'{label}.db'}"
        server = PlenariaServer(workdir, f"{label}-server", database, max_connections=args.max_connections).start()
        deployment = Deployment(config, server.base, [server.ws_url], [server.pid], [server.stop],
                                {"processes": 1, "database": "sqlite (fresh file)", "broker": "memory",
                                 "logs": [str(server.log_path)]})

        def restart() -> None:
            server.stop()
            server.start()
            deployment.pids = [server.pid]

        deployment.restart = restart
        return deployment
    stoppers: list[Any] = []
    try:
        redis = RedisServer(workdir).start()
        stoppers.append(redis.stop)
        if args.postgres == "sqlite":
            database, db_label = f"sqlite:///{workdir / f'{label}.db'}", "sqlite (shared fresh file)"
        else:
            postgres = PostgresDatabase(args.postgres, f"plenaria_bench_{label.replace('-', '_')}_{free_port()}")
            postgres.create()
            stoppers.append(postgres.drop)
            database, db_label = postgres.url, "postgresql (fresh database)"
        servers = []
        for i in range(2):  # one after the other: the first creates the schema
            server = PlenariaServer(workdir, f"{label}-server{i + 1}", database, redis=redis.url,
                                    max_connections=args.max_connections).start()
            stoppers.append(server.stop)
            servers.append(server)
    except Exception:
        for stop in reversed(stoppers):
            stop()
        raise
    return Deployment(config, servers[0].base, [s.ws_url for s in servers], [s.pid for s in servers], stoppers,
                      {"processes": 2, "database": db_label, "broker": "redis (own redis-server)",
                       "logs": [str(s.log_path) for s in servers]})


async def create_event(base: str) -> dict[str, Any]:
    body = {"title": "Conferência de carga", "segments": ["Usuários", "Trabalhadores", "Governo", "Sociedade civil"]}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post("/api/events", json=body)
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created


async def server_connections(base: str) -> int | None:
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            value = (await http.get("/api/health")).json().get("connections")
            return int(value) if value is not None else None
    except (httpx.HTTPError, ValueError):
        return None


# -- scenarios -------------------------------------------------------------------------


async def fanout_ours(presenter: Presenter, pool: Pool, args: argparse.Namespace, receivers: int) -> dict[str, Any]:
    t0s: dict[int, int] = {}
    acks: list[int] = []
    refused: Counter[str] = Counter()
    overhead = 0  # frame bytes around the text, learned from the first frame the presenter receives
    total = args.warmup + args.messages
    for k in range(total):
        t0 = time.monotonic_ns()
        text = f"bench {k:06d} {t0:020d} "
        if overhead:
            text += "x" * max(0, min(280 - len(text), args.frame_bytes - overhead - len(text)))
        answered, answer = await presenter.command("screen.show", kind="message", text=text)
        if answer["type"] != "ack":
            refused[str(answer.get("code"))] += 1
        t0s[k] = t0
        acks.append(answered - t0)
        if not overhead:
            for _ in range(200):
                if presenter.named("screen.updated"):
                    break
                await asyncio.sleep(0.01)
            if presenter.named("screen.updated"):
                overhead = presenter.raw_sizes["screen.updated"] - len(text)
        await asyncio.sleep(max(0.0, args.interval - (time.monotonic_ns() - t0) / 1e9))
    await asyncio.sleep(settle(receivers))
    arrivals, _ = await gather_arrivals(pool)
    measured = list(range(args.warmup, total))
    figures = fanout_figures(t0s, arrivals, measured, receivers, presenter.raw_sizes.get("screen.updated", 0))
    figures["command_ack_ms"] = summary_ms(acks[args.warmup:])
    figures["refused"] = dict(refused)
    return figures


async def fanout_bare(pipe: Connection, pool: Pool, args: argparse.Namespace, receivers: int,
                      frame_bytes: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    template = bare.frame_template(frame_bytes)
    t0s: dict[int, int] = {}
    calls: list[float] = []
    total = args.warmup + args.messages
    for k in range(total):
        answer = await loop.run_in_executor(None, Pool._call, pipe,
                                            {"op": "broadcast", "k": k, "template": template}, 60)
        t0s[k] = answer["t0"]
        calls.append(answer["call_ms"])
        await asyncio.sleep(max(0.0, args.interval - (time.monotonic_ns() - answer["t0"]) / 1e9))
    await asyncio.sleep(settle(receivers))
    arrivals, _ = await gather_arrivals(pool)
    measured = list(range(args.warmup, total))
    figures = fanout_figures(t0s, arrivals, measured, receivers, len(template.format(k=0, t=0).encode()))
    figures["broadcast_call_ms_p50"] = sorted(calls[args.warmup:])[len(calls[args.warmup:]) // 2] if calls else 0.0
    return figures


def _counts(tally: Any) -> tuple[int, dict[str, int]] | None:
    """(ballots, counts) out of a `poll.tally` data or a staff poll view, whatever the nesting."""
    while isinstance(tally, dict) and "counts" not in tally and isinstance(tally.get("tally"), dict):
        tally = tally["tally"]
    if not isinstance(tally, dict) or "counts" not in tally:
        return None
    counts = {k: int(v) for k, v in tally["counts"].items() if v}
    return int(tally.get("ballots", 0)), counts


async def vote_burst(deployment: Deployment, created: dict[str, Any], presenter: Presenter, pool: Pool,
                     args: argparse.Namespace, voters: int) -> dict[str, Any]:
    code = created["event"]["code"]
    auth = {"authorization": f"Bearer {created['organizer_secret']}"}
    async with httpx.AsyncClient(base_url=deployment.base, headers=auth, timeout=60) as http:
        response = await http.post(f"/api/events/{code}/polls",
                                   json={"spec": load.poll_spec(), "visibility": args.poll_visibility,
                                         "secret": args.secret})
        if response.status_code != 201:
            return {"skipped": f"poll creation refused: {response.status_code} {response.text[:200]}"}
        created_poll = response.json()
        poll_id = int((created_poll.get("poll") or created_poll)["id"])
        _, opened = await presenter.command("poll.open", poll=poll_id)
        if opened["type"] != "ack":
            return {"skipped": f"poll.open refused: {opened}"}
        spacing = int(1e9 / args.vote_rate)
        # Each voter's ballot, drawn before the burst: drawing 20,000 afterwards kept this loop,
        # and so the presenter's reader whose receipt times are measured, busy for over a second.
        drawn = {i: load.ballot_for(i) for i in range(voters)}
        start = time.monotonic_ns() + int(settle(voters) / 3 * 1e9)
        await pool.same({"op": "vote", "poll": poll_id, "start_ns": start, "spacing_ns": spacing}, 60)
        window = voters * spacing / 1e9
        # The cores of the burst alone, from its first ballot to its last answer.
        await asyncio.sleep(max(0.0, (start - time.monotonic_ns()) / 1e9))
        burst = CpuWatch({"server": deployment.pids, "load": pool.pids})
        results = await pool.same({"op": "vote_results", "timeout": window + 180}, window + 240)
        burst_cores = burst.account()
        sent: dict[int, int] = {}
        answered: dict[int, tuple[int, str]] = {}
        for result in results:
            sent.update({int(i): t for i, t in result["sent"].items()})
            answered.update({int(i): (a[0], a[1]) for i, a in result["answered"].items()})
        ok = sorted(i for i, (_, outcome) in answered.items() if outcome == "ok")
        errors = Counter(outcome for _, outcome in answered.values() if outcome != "ok")
        ack_times = [answered[i][0] - sent[i] for i in ok if i in sent]
        first_sent = min(sent.values(), default=start)
        last_ack = max((answered[i][0] for i in ok), default=first_sent)
        expected: Counter[str] = Counter()
        for i in ok:
            expected.update(drawn.get(i) or load.ballot_for(i))
        want = (len(ok), dict(expected))
        everything: Counter[str] = Counter()
        for i in sent:
            everything.update(drawn.get(i) or load.ballot_for(i))
        want_sent = (len(sent), dict(everything))
        # The presenter's live tally: wait (bounded) for one equal to the acknowledged ballots.
        # A secret poll has none (its ballots are sealed): its count at the close is timed instead.
        deadline = time.monotonic() + (0 if args.secret else 10)
        exact_at: int | None = None
        while time.monotonic() < deadline and exact_at is None:
            for received, event in presenter.named("poll.tally"):
                if event["data"].get("poll") == poll_id and _counts(event["data"]) == want:
                    exact_at = received
                    break
            else:
                await asyncio.sleep(0.05)
        count_ms: float | None = None
        if args.secret:
            closing = time.monotonic_ns()
            await presenter.command("poll.close", poll=poll_id)
            while time.monotonic_ns() - closing < 60e9 and count_ms is None:
                for received, event in presenter.named("poll.result"):
                    if event["data"].get("poll") == poll_id:
                        count_ms = round((received - closing) / 1e6, 1)
                        break
                else:
                    await asyncio.sleep(0.05)
        # The organizer's export counts the stored ballots afresh; the poll list's tally may be
        # a recount up to a second old on several processes (server/service/tallies.py).
        exported = await http.get(f"/api/events/{code}/polls/{poll_id}/export.json")
        store = _counts(exported.json().get("result")) if exported.status_code == 200 else None
        if not args.secret:
            await presenter.command("poll.close", poll=poll_id)
    tallies = [e for _, e in presenter.named("poll.tally") if e["data"].get("poll") == poll_id]
    # The latest by `computed_at`, as the pages keep it (docs/protocol.md): the presenter also
    # gets participants' tallies, which the hub may deliver after a later staff recount.
    latest = max(tallies, key=lambda e: e["data"].get("computed_at", 0), default=None)
    last_tally = _counts(latest["data"]) if latest is not None else None
    seconds = (last_ack - first_sent) / 1e9
    return {
        "voters": voters,
        "vote_rate_requested": args.vote_rate,
        "visibility": args.poll_visibility,
        "secret": args.secret,
        "count_after_close_ms": count_ms,
        "sent": len(sent),
        "acknowledged": len(ok),
        "errors": dict(errors),
        "unanswered": len(sent) - len(answered),
        "acks_per_second": round(len(ok) / seconds, 1) if seconds > 0 else 0.0,
        "burst_seconds": round(seconds, 3),
        "burst_cores": burst_cores,
        "ack_ms": summary_ms(ack_times),
        "tally_events_seen_by_presenter": len(tallies),
        "tally_exact_after_last_ack_ms": None if exact_at is None else round((exact_at - last_ack) / 1e6, 1),
        "store_equals_ballots": store == want,
        "store_equals_all_sent_ballots": store == want_sent,
        "presenter_final_equals_store": args.secret or (last_tally is not None and last_tally == store),
        "store_ballots": None if store is None else store[0],
    }


async def measure_bare(pool: Pool, args: argparse.Namespace, n: int, frame_bytes: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    port = free_port()
    process = context.Process(target=bare.run, args=(theirs, port), daemon=True)
    process.start()
    loop = asyncio.get_running_loop()
    try:
        if not mine.poll(30):
            raise RuntimeError("bare server did not start")
        pid = mine.recv()["pid"]
        await asyncio.sleep(settle(n) / 2)
        before = rss_kib(pid)
        connections = await connect_all(pool, [f"ws://127.0.0.1:{port}/"], "", n, args.connect_concurrency)
        await asyncio.sleep(settle(n))
        after = rss_kib(pid)
        held = connections["held"]
        memory = {"rss_before_kib": before, "rss_after_kib": after,
                  "kib_per_connection": round((after - before) / held, 2) if held else None}
        watch = CpuWatch({"server": [pid], "load": pool.pids})
        fanout = await quietly(watch, fanout_bare(mine, pool, args, held, frame_bytes), args.quiet_wait)
        await pool.same({"op": "disconnect"}, 120)
        await loop.run_in_executor(None, Pool._call, mine, {"op": "exit"}, 30)
        return {"connections": connections, "memory": memory, "fanout": fanout}
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)


async def measure(config: str, n: int, pool: Pool, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    label = f"{config}-{n}"
    print(f"== {label}: starting", flush=True)
    deployment = await asyncio.get_running_loop().run_in_executor(None, deploy, config, args, workdir, label)
    result: dict[str, Any] = {"config": config, "n": n, "deployment": deployment.description}
    profiler: Profiler | None = None
    try:
        created = await create_event(deployment.base)
        code = created["event"]["code"]
        token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
        presenter = await Presenter(deployment.ws_urls[0], code, token).connect()
        await asyncio.sleep(settle(n) / 2)
        before = deployment.rss()
        connections = await connect_all(pool, deployment.ws_urls, code, n, args.connect_concurrency)
        print(f"   connected {connections['held']}/{n} in {connections['connect_seconds']} s", flush=True)
        await asyncio.sleep(settle(n))
        after = deployment.rss()
        held = connections["held"]
        connections["server_reported"] = await server_connections(deployment.base)
        result["connections"] = connections
        result["memory"] = {
            "rss_before_kib": before, "rss_after_kib": after,
            "kib_per_connection": round((after - before) / held, 2) if held and before else None,
            "processes": len(deployment.pids),
        }
        if args.profile and deployment.pids:
            profiler = Profiler(deployment.pids[0], workdir / f"{label}-profile.txt").start()
        watch = CpuWatch({"server": deployment.pids, "load": pool.pids})
        if "fanout" in args.scenarios:
            result["fanout"] = await quietly(watch, fanout_ours(presenter, pool, args, held), args.quiet_wait)
            print(f"   fan-out p50 {result['fanout']['p50_ms']:.1f} ms, p99 {result['fanout']['p99_ms']:.1f} ms",
                  flush=True)
        if "votes" in args.scenarios:
            result["votes"] = await quietly(watch, vote_burst(deployment, created, presenter, pool, args, held),
                                            args.quiet_wait)
            print(f"   votes: {json.dumps(result['votes'])[:300]}", flush=True)
        if profiler is not None:
            result["profile"] = profiler.stop()
            profiler = None
        status = await pool.same({"op": "status"}, 60)
        closed: Counter[str] = Counter()
        for answer in status:
            closed.update(answer["closed"])
        result["connections"]["closed_during_run"] = dict(closed)
        result["connections"]["open_at_end"] = sum(a["open"] for a in status)
        await pool.same({"op": "disconnect"}, 120)
        await presenter.close()
    finally:
        if profiler is not None:
            profiler.stop()
        await asyncio.get_running_loop().run_in_executor(None, deployment.stop)
    if "fanout" in args.scenarios and not args.no_bare:
        print(f"== {label}: bare websockets baseline", flush=True)
        frame_bytes = result["fanout"]["frame_bytes"] or args.frame_bytes
        result["bare"] = await measure_bare(pool, args, n, frame_bytes)
        ours, theirs = result["fanout"], result["bare"]["fanout"]
        result["ratio_to_bare"] = {
            key: round(ours[key] / theirs[key], 2) if theirs[key] else None for key in ("p50_ms", "p99_ms", "max_ms")
        }
    return result


async def quietly(watch: CpuWatch, phase: Awaitable[dict[str, Any]], wait: float) -> dict[str, Any]:
    """Wait for other jobs on the machine to calm down, run `phase`, and record the CPU it shared."""
    before = 0.0
    if wait > 0:
        before = await asyncio.get_running_loop().run_in_executor(None, watch.wait_quiet, 0.25, wait)
    watch.start()
    figures = await phase
    figures["cpu"] = {"foreign_cores_before": before, "foreign_cores_during": watch.foreign_cores(),
                      "own_cores_during": watch.own_cores(), "cores": watch.account()}
    return figures


# -- verdicts and the table ------------------------------------------------------------


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 7 against the embedded run at the largest N (10,000 when measured)."""
    out: list[dict[str, Any]] = []
    runs = [r for r in report["runs"] if r["config"] in ("embedded", "target")]
    big = max(runs, key=lambda r: r["n"], default=None)
    if big is not None and "memory" in big:
        kib = big["memory"]["kib_per_connection"]
        held = big["connections"]["held"]
        out.append({"target": TARGETS["memory"], "n": big["n"], "measured": f"{held} held, {kib} KiB/connection",
                    "met": big["n"] >= 10_000 and held >= 10_000 and kib is not None and kib < 40})
    if big is not None and "fanout" in big:
        fan = big["fanout"]
        ratio = big.get("ratio_to_bare", {}).get("p99_ms")
        out.append({"target": TARGETS["fanout"], "n": big["n"],
                    "measured": f"p99 {fan['p99_ms']:.0f} ms, {ratio}x bare p99",
                    "met": big["n"] >= 10_000 and fan["p99_ms"] < 250 and ratio is not None and ratio <= 2.0
                    and fan["missing"] == 0})
    if big is not None and "votes" in big and "skipped" not in big["votes"]:
        v = big["votes"]
        exact = v["tally_exact_after_last_ack_ms"]
        out.append({"target": TARGETS["votes"], "n": big["n"],
                    "measured": f"{v['acknowledged']}/{v['voters']} acked in {v['burst_seconds']} s, "
                                f"p99 ack {v['ack_ms']['p99_ms']:.0f} ms, tally exact after {exact} ms",
                    "met": big["n"] >= 10_000 and v["acknowledged"] == v["voters"] and v["store_equals_ballots"]
                    and v["ack_ms"]["p99_ms"] < 500 and exact is not None and exact <= 1000
                    and v["burst_seconds"] <= 10.5})
    storms = [r for r in runs if "joins" in r and "bare" in r["joins"]]
    storm = max(storms, key=lambda r: r["n"], default=None)
    if storm is not None:
        joins = storm["joins"]
        fresh, resume = joins["fresh"], joins["resume"]
        ratio = joins["ratio_to_bare"]
        out.append({"target": TARGETS["joins"], "n": storm["n"],
                    "measured": f"fresh {fresh['joins_per_second']:.0f}/s ({ratio['fresh']}x bare), "
                                f"p99 {fresh['hello_to_state']['p99_ms']:.0f} ms; "
                                f"resume {resume['joins_per_second']:.0f}/s ({ratio['resume']}x bare), "
                                f"p99 {resume['hello_to_state']['p99_ms']:.0f} ms",
                    "met": storm["n"] >= 10_000 and fresh["joined"] == resume["joined"] == storm["n"]
                    and (ratio["fresh"] or 0) >= 1 / 3 and (ratio["resume"] or 0) >= 1 / 3
                    and resume["joins_per_second"] >= fresh["joins_per_second"]
                    and fresh["hello_to_state"]["p99_ms"] < 1000 and resume["hello_to_state"]["p99_ms"] < 1000})
    scale_out = scale_out_verdict(report["runs"])
    if scale_out is not None:
        out.append(scale_out)
    if "moderation" in report:
        rate = report["moderation"]["messages_per_second"]
        out.append({"target": TARGETS["moderation"], "measured": f"{rate:,.0f} msg/s", "met": rate > 20_000})
    return out


def scale_out_verdict(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Two processes on Redis against one, at the same N, with the cores the machine had left:
    when one process's run already kept every core busy, a second process has none to use."""
    one = {r["n"]: r for r in runs if r["config"] == "embedded"}
    two = {r["n"]: r for r in runs if r["config"] == "redis"}
    ratios: dict[str, float] = {}
    machine: dict[str, float] = {}
    for n in sorted(one.keys() & two.keys()):
        a, b = one[n], two[n]
        for wave in ("fresh", "resume"):
            if wave in a.get("joins", {}) and wave in b.get("joins", {}):
                ratios[f"{wave} joins"] = round(b["joins"][wave]["joins_per_second"]
                                                / max(1e-9, a["joins"][wave]["joins_per_second"]), 2)
                machine[f"{wave} joins"] = a["joins"][wave].get("cores", {}).get("machine", 0.0)
        if "acks_per_second" in a.get("votes", {}) and "acks_per_second" in b.get("votes", {}):
            ratios["votes/s"] = round(b["votes"]["acks_per_second"] / max(1e-9, a["votes"]["acks_per_second"]), 2)
            machine["votes/s"] = a["votes"].get("burst_cores", {}).get("machine", 0.0)
    if not ratios:
        return None
    measured = "; ".join(f"{what} {ratio}x (one process: machine {machine[what]} of {os.cpu_count()} cores busy)"
                         for what, ratio in ratios.items())
    return {"target": TARGETS["scale_out"], "measured": measured, "met": min(ratios.values()) >= 1.6}


def table(report: dict[str, Any]) -> str:
    lines = []
    if "moderation" in report:
        m = report["moderation"]
        lines.append(f"moderation: {m['messages_per_second']:,.0f} msg/s on one core, median {m['median_us']:.1f} µs,"
                     f" p99 {m['p99_us']:.1f} µs, {m['mean_chars']:.0f} chars")
        lines.append("")
    head = (f"| {'config':<9} | {'N':>6} | {'held':>6} | {'KiB/conn':>8} | {'bare KiB':>8} | {'p50 ms':>7} | "
            f"{'p99 ms':>7} | {'max ms':>7} | {'bare p50':>8} | {'bare p99':>8} | {'x p50':>5} | {'x p99':>5} | "
            f"{'others':>6} |")
    held_runs = [r for r in report["runs"] if "connections" in r]
    if held_runs:
        lines += ["fan-out (screen.show -> every participant) and memory; others: cores used by other jobs meanwhile",
                  head,
                  "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for run in held_runs:
        fan = run.get("fanout", {})
        b = run.get("bare", {})
        bf = b.get("fanout", {})
        ratio = run.get("ratio_to_bare", {})

        def f(value: Any, width: int, digits: int = 1) -> str:
            return f"{value:>{width}.{digits}f}" if isinstance(value, int | float) else f"{'-':>{width}}"

        lines.append(
            f"| {run['config']:<9} | {run['n']:>6} | {run.get('connections', {}).get('held', 0):>6} | "
            f"{f(run.get('memory', {}).get('kib_per_connection'), 8)} | "
            f"{f(b.get('memory', {}).get('kib_per_connection'), 8)} | {f(fan.get('p50_ms'), 7)} | "
            f"{f(fan.get('p99_ms'), 7)} | {f(fan.get('max_ms'), 7)} | {f(bf.get('p50_ms'), 8)} | "
            f"{f(bf.get('p99_ms'), 8)} | {f(ratio.get('p50_ms'), 5, 2)} | {f(ratio.get('p99_ms'), 5, 2)} | "
            f"{f(fan.get('cpu', {}).get('foreign_cores_during'), 6, 2)} |"
        )
    vote_runs = [r for r in report["runs"] if "votes" in r]
    if vote_runs:
        lines += ["", "vote burst (sectioned ballot 10/2/2; cores: busy on average from the first ballot to the "
                      "last answer)",
                  "| config    |      N |  acked | errors | votes/s | burst s | ack p50 | ack p99 | ack max | "
                  "tally exact after | store = ballots | presenter = store | server cores | machine cores |",
                  "|-----------|--------|--------|--------|---------|---------|---------|---------|---------|"
                  "-------------------|-----------------|-------------------|--------------|---------------|"]
        for run in vote_runs:
            v = run["votes"]
            if "skipped" in v:
                lines.append(f"| {run['config']:<9} | {run['n']:>6} | skipped: {v['skipped'][:80]} |")
                continue
            exact = v["tally_exact_after_last_ack_ms"]
            cores = v.get("burst_cores", {})
            lines.append(
                f"| {run['config']:<9} | {run['n']:>6} | {v['acknowledged']:>6} | {sum(v['errors'].values()):>6} | "
                f"{v['acks_per_second']:>7.0f} | {v['burst_seconds']:>7.2f} | {v['ack_ms']['p50_ms']:>7.1f} | "
                f"{v['ack_ms']['p99_ms']:>7.1f} | {v['ack_ms']['max_ms']:>7.1f} | "
                f"{(f'{exact:.0f} ms' if exact is not None else 'never'):>17} | "
                f"{str(v['store_equals_ballots']):>15} | {str(v['presenter_final_equals_store']):>17} | "
                f"{cores.get('server', '-'):>12} | {cores.get('machine', '-'):>13} |"
            )
    if any("joins" in run for run in report["runs"]):
        from benchmarks.joins import table as joins_table

        lines += joins_table(report["runs"])
    if report.get("targets"):
        lines += ["", "targets (issues 7 and 14)"]
        for verdict in report["targets"]:
            lines.append(f"  [{'met' if verdict['met'] else 'MISSED'}] {verdict['target']}: {verdict['measured']}")
    return "\n".join(lines)


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="plenaria-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "environment": environment(),
        "command": " ".join(["python -m benchmarks", *sys.argv[1:]]),
        "settings": {k: v for k, v in vars(args).items() if k not in ("command",)},
        "workdir": str(workdir),
        "runs": [],
    }
    report["environment"]["fd_limit"] = raise_fd_limit()
    if "moderation" in args.scenarios:
        from benchmarks.moderation_bench import run as moderation_run

        print("== moderation", flush=True)
        report["moderation"] = moderation_run(args.moderation_seconds)
    wanted = [s for s in args.scenarios if s not in ("moderation", "joins")]
    if wanted or "joins" in args.scenarios:
        from benchmarks.joins import measure_joins

        pool = Pool(args.procs)
        try:
            for config in args.configs:
                for n in args.sizes:
                    joins = await measure_joins(config, n, pool, args, workdir) if "joins" in args.scenarios else None
                    run = await measure(config, n, pool, args, workdir) if wanted else {"config": config, "n": n}
                    if joins is not None:
                        run["joins"] = joins
                    report["runs"].append(run)
                    if args.json_out:  # keep what is done if a later size fails
                        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        finally:
            pool.close()
    report["targets"] = verdicts(report)
    return report


def merged(files: Sequence[str]) -> dict[str, Any]:
    """Several reports as one: their runs in order, the first moderation figure found."""
    report: dict[str, Any] = {"runs": []}
    for name in files:
        part = json.loads(Path(name).read_text(encoding="utf-8"))
        report["runs"] += part.get("runs", [])
        if "moderation" in part and "moderation" not in report:
            report["moderation"] = part["moderation"]
    report["targets"] = verdicts(report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "table":
        print(table(merged(args.files)))
        return 0
    if args.command == "fuzz":
        from benchmarks import fuzz

        return fuzz.run(args)
    report = asyncio.run(run_all(args))
    print()
    print(table(report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json_out}")
    return 0
