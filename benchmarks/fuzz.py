"""The protocol fuzzer: mutations of every valid message of docs/protocol.md, from every role.

`python -m benchmarks fuzz --messages 100000 --seed 7` starts a `plenaria` server of its own
(SQLite in a temporary directory, rate limits lifted so every frame reaches the code behind
them), prepares an event (sessions, open polls of every kind, delegates, chat and questions),
then sends mutated messages from a participant, a delegate, a moderator, a presenter and the
organizer, plus first frames of fresh connections (mutated hellos), while a bystander updates
its profile and pings. Every example message of docs/protocol.md is a seed; a mutation
changes values to hostile ones (out-of-range numbers, lone surrogates, NUL, NaN, huge or deep
values, wrong types), drops or adds fields, swaps the type, or breaks the frame itself (not
JSON, binary, invalid UTF-8, oversized). Real ids seen in the server's answers are mixed in,
so mutated commands also act on real polls, items and participants.

It fails (exit status 1) on any `internal` error, any traceback in the server log, any
connection dropped without a close frame, any frame left unanswered, any answer that is not
strict JSON, or any bystander command not acknowledged. A given seed and message count
produce the same frames, so a failure reproduces. `tests/e2e/test_fuzz.py` runs a few
thousand messages in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from benchmarks.servers import PlenariaServer, free_port
from benchmarks.stats import ROOT

CODE = "FUZZ"
ROLES = ("participant", "delegate", "moderator", "presenter", "organizer")
ANSWERS = ("ack", "error", "pong")
HOSTILE_TEXT = [
    "", " ", "x" * 70, "x" * 5000, "\ud800", "a\udfffb", "a\x00b", "\u202eevil", "😀" * 40, "' OR 1=1 --",
    "<script>alert(1)</script>", "%s%n{0}", "../../etc/passwd", "ev:1:staff", "FUZZ", "m1", "yes", "K7QD-2MZX",
    "\r\n", "é" * 200, "NaN",
]
HOSTILE_NUMBERS: list[Any] = [
    0, -1, 1, 2, 3, 7, 60, 86_400, 86_401, 2**31 - 1, 2**31, 2**53, 2**63, 2**70, -(2**63), 1.5, -0.0, 1e308,
    10**39, True, False,
]
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "9" * 60]
WRONG_TYPES: list[Any] = [None, [], {}, [1, "a"], {"a": {"b": []}}, "1"]
_RAW = "__fuzz_raw_{}__"
_PUBLIC_ID = re.compile(r"^[0-9a-f]{12}$")


def seeds(protocol: Path = ROOT / "docs" / "protocol.md") -> dict[str, list[dict[str, Any]]]:
    """Every example inbound message of the protocol document, by type."""
    from server import wire

    found: dict[str, list[dict[str, Any]]] = {}
    for block in re.findall(r"```json\n(.*?)```", protocol.read_text(encoding="utf-8"), re.S):
        with contextlib.suppress(ValueError):
            message = json.loads(block)
            if isinstance(message, dict) and message.get("type") in wire.INBOUND:
                found.setdefault(message["type"], []).append(message)
    return found


@dataclass
class Known:
    """Ids and public ids seen in the server's frames, so mutations also hit real things."""

    ints: list[int] = field(default_factory=list)
    public_ids: list[str] = field(default_factory=list)

    def learn(self, value: Any) -> None:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, child in item.items():
                    if key == "id" and isinstance(child, int) and not isinstance(child, bool) and len(self.ints) < 400:
                        self.ints.append(child)
                    stack.append(child)
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and _PUBLIC_ID.match(item) and len(self.public_ids) < 100:
                self.public_ids.append(item)


class Mutator:
    """Turns a seed message into a frame: a mutation of it, or (sometimes) the seed itself with real ids."""

    def __init__(self, rng: random.Random, seeds: dict[str, list[dict[str, Any]]], known: Known) -> None:
        self.rng = rng
        self.seeds = seeds
        self.types = sorted(seeds)
        self.known = known
        self.fields = sorted({key for examples in seeds.values() for seed in examples for key in seed} | {"zzz"})
        self.counter = 0

    def pick(self, kinds: Sequence[str] | None = None) -> dict[str, Any]:
        kind = self.rng.choice(list(kinds) if kinds else self.types)
        message = copy.deepcopy(self.rng.choice(self.seeds[kind]))
        self.counter += 1
        if "id" in message:
            message["id"] = f"f{self.counter}"
        return self._real_ids(message)

    def _real_ids(self, message: dict[str, Any]) -> dict[str, Any]:
        for key, value in message.items():
            if isinstance(value, int) and not isinstance(value, bool) and self.known.ints and self.rng.random() < 0.7:
                message[key] = self.rng.choice(self.known.ints)
            elif key == "participant" and self.known.public_ids and self.rng.random() < 0.7:
                message[key] = self.rng.choice(self.known.public_ids)
        return message

    def frame(self, message: dict[str, Any]) -> tuple[str | bytes, bool]:
        """(frame, whether it is a text frame)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return json.dumps(message), True  # a valid message, with real ids
        if roll < 0.20:
            return self._broken_frame(message)
        raws: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            self._mutate(message, raws)
        text = json.dumps(message)
        for number, raw in enumerate(raws):
            text = text.replace(json.dumps(_RAW.format(number)), raw)
        return text, True

    def _mutate(self, message: dict[str, Any], raws: list[str]) -> None:
        rng = self.rng
        keys = [k for k in message if k != "type"] or ["zzz"]
        key = rng.choice(keys)
        how = rng.random()
        if how < 0.35:
            message[key] = self._hostile_value(message.get(key), raws)
        elif how < 0.45:
            message.pop(key, None)
        elif how < 0.55:
            message[rng.choice(self.fields)] = self._hostile_value(None, raws)
        elif how < 0.65:
            message["type"] = rng.choice([*self.types, "nope", "", "HELLO", "vote.cast "])
        elif how < 0.75:
            message["id"] = rng.choice([f"f{self.counter}", "x" * 65, "", 7, None, "\ud800", "dup"])
        elif how < 0.85:
            message[key] = self._nested(rng.choice((5, 15, 17, 40, 900, 3000)), raws)
        else:
            target = message.get(key)
            if isinstance(target, dict) and target:
                inner = rng.choice(sorted(target))
                target[inner] = self._hostile_value(target[inner], raws)
            elif isinstance(target, list) and target:
                target[rng.randrange(len(target))] = self._hostile_value(None, raws)
            else:
                message[key] = self._hostile_value(target, raws)

    def _hostile_value(self, current: Any, raws: list[str]) -> Any:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return rng.choice(HOSTILE_NUMBERS)
        if roll < 0.55:
            return rng.choice(HOSTILE_TEXT)
        if roll < 0.65:
            raws.append(rng.choice(RAW_NUMBERS))
            return _RAW.format(len(raws) - 1)
        if roll < 0.75 and isinstance(current, str):
            return current * rng.choice((2, 50, 400))
        if roll < 0.85 and self.known.ints:
            return rng.choice(self.known.ints)
        return copy.deepcopy(rng.choice(WRONG_TYPES))

    @staticmethod
    def _nested(depth: int, raws: list[str]) -> str:
        """Arrays and objects `depth` deep, written as text (json.dumps itself would recurse)."""
        opening = "".join("[" if level % 2 else '{"a": ' for level in range(depth))
        closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
        raws.append(f"{opening}1{closing}")
        return _RAW.format(len(raws) - 1)

    def _broken_frame(self, message: dict[str, Any]) -> tuple[str | bytes, bool]:
        rng = self.rng
        text = json.dumps(message)
        choice = rng.randrange(7)
        if choice == 0:
            return text[: rng.randrange(max(1, len(text)))], True
        if choice == 1:
            return json.dumps(rng.choice([[message], "hello", 42, None])), True
        if choice == 2:
            return text.encode(), False  # JSON in a binary frame
        if choice == 3:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))), False
        if choice == 4:
            return text.encode()[:-1] + b"\xff\xfe}", True  # invalid UTF-8 in a text frame: closed with 1007
        if choice == 5:
            return json.dumps({**message, "pad": "x" * rng.choice((17_000, 60_000))}), True
        return json.dumps({**message, "pad": "x" * 70_000}), True  # over the 64 KiB frame cap: closed with 1009


@dataclass
class Report:
    sent: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    bystander: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    tracebacks: int = 0

    def fail(self, what: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(what)

    @property
    def ok(self) -> bool:
        return not self.failures and self.tracebacks == 0 and self.codes["internal"] == 0

    def to_dict(self) -> dict[str, Any]:
        total = sum(self.sent.values())
        return {
            "ok": self.ok, "messages": total, "seconds": round(self.seconds, 1),
            "messages_per_second": round(total / self.seconds, 1) if self.seconds else 0.0,
            "sent_by_role": dict(self.sent), "answers": dict(self.answers),
            "error_codes": dict(self.codes.most_common()),
            "closes": dict(self.closes), "bystander": dict(self.bystander), "tracebacks": self.tracebacks,
            "failures": self.failures,
        }


def strict(raw: str | bytes) -> Any:
    """Parse what the server sent: NaN or Infinity there would be invalid JSON for any client."""

    def refuse(name: str) -> Any:
        raise ValueError(f"the server sent {name}")

    return json.loads(raw, parse_constant=refuse)


class Fuzzer:
    """Each role draws from its own random stream (seed and role), so concurrent roles do not
    change each other's frames; only the ids learned from the server's answers can differ."""

    def __init__(self, url: str, base: str, tokens: dict[str, str], seed: int,
                 seeds: dict[str, list[dict[str, Any]]], report: Report) -> None:
        self.url = url
        self.base = base
        self.tokens = tokens
        self.seed = seed
        self.seeds = seeds
        self.known = Known()
        self.report = report

    def mutator(self, role: str) -> Mutator:
        return Mutator(random.Random(f"{self.seed}:{role}"), self.seeds, self.known)

    async def connect(self, role: str, device: str) -> websockets.ClientConnection:
        ws = await websockets.connect(self.url, max_size=None, open_timeout=30)
        hello = {"type": "hello", "event": CODE, "device": device, "token": self.tokens.get(role, "")}
        await ws.send(json.dumps(hello))
        welcome = strict(await asyncio.wait_for(ws.recv(), 30))
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"{role} refused: {welcome}")
        return ws

    async def role(self, role: str, messages: int, device: str) -> None:
        from server.web.commands import COMMANDS

        mutator = self.mutator(role)
        allowed = [kind for kind in mutator.types if kind in COMMANDS and (role if role != "delegate"
                   else "participant") in COMMANDS[kind].roles] or None
        ws = await self.connect(role, device)
        try:
            for _ in range(messages):
                # Mostly commands the role may run, so mutations reach the code behind the role check.
                frame, text = mutator.frame(mutator.pick(allowed if mutator.rng.random() < 0.75 else None))
                self.report.sent[role] += 1
                try:
                    await ws.send(frame, text=text)
                    await self._answer(ws, role, frame)
                except websockets.ConnectionClosed as closed:
                    self._closed(role, closed, frame)
                    ws = await self.connect(role, device)
        finally:
            await ws.close()

    async def _answer(self, ws: websockets.ClientConnection, role: str, frame: str | bytes) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                self.report.fail(f"{role}: no answer to {_short(frame)}")
                return
            try:
                message = strict(raw)
            except ValueError as exc:
                self.report.fail(f"{role}: not JSON from the server ({exc}) after {_short(frame)}")
                return
            self.known.learn(message)
            if message.get("type") in ANSWERS:
                self.report.answers[message["type"]] += 1
                if message["type"] == "error":
                    self.report.codes[message.get("code", "?")] += 1
                    if message.get("code") == "internal":
                        self.report.fail(f"{role}: internal error for {_short(frame)}")
                return

    def _closed(self, role: str, closed: websockets.ConnectionClosed, frame: str | bytes) -> None:
        if closed.rcvd is None:
            self.report.fail(f"{role}: dropped without a close frame after {_short(frame)}")
            self.report.closes["no close frame"] += 1
        else:
            reason = closed.rcvd.reason if re.fullmatch(r"[a-z_]+", closed.rcvd.reason) else ""
            self.report.closes[f"{closed.rcvd.code} {reason}".strip()] += 1

    async def first_frames(self, messages: int) -> None:
        """Fresh connections whose first frame is a mutated hello (or anything else): a welcome,
        or an error and then a close frame."""
        mutator = self.mutator("first frame")
        for n in range(messages):
            frame, text = mutator.frame(mutator.pick(["hello"] * 4 + ["ping", "chat.send"]))
            self.report.sent["first frame"] += 1
            async with websockets.connect(self.url, max_size=None, open_timeout=30) as ws:
                try:
                    await ws.send(frame, text=text)
                    first = strict(await asyncio.wait_for(ws.recv(), 20))
                    if first.get("type") == "welcome":
                        self.report.answers["welcome"] += 1
                        continue
                    self.report.codes[first.get("code", "?")] += 1
                    await asyncio.wait_for(ws.recv(), 20)
                    self.report.fail(f"first frame {n}: refused but not closed: {_short(frame)}")
                except websockets.ConnectionClosed as closed:
                    self._closed("first frame", closed, frame)
                except TimeoutError:
                    self.report.fail(f"first frame {n}: no answer to {_short(frame)}")
                except ValueError as exc:
                    self.report.fail(f"first frame {n}: not JSON from the server ({exc})")

    async def bystander(self, stop: asyncio.Event) -> None:
        """An ordinary participant: each profile change must be acknowledged, each ping answered."""
        ws = await self.connect("participant", "bystander-device-000001")
        try:
            n = 0
            while not stop.is_set():
                n += 1
                await ws.send(json.dumps({"type": "profile.update", "id": f"b{n}", "name": f"Maria {n}"}))
                await ws.send(json.dumps({"type": "ping", "t": n}))
                wanted = {f"b{n}", "pong"}
                deadline = time.monotonic() + 10
                while wanted and time.monotonic() < deadline:
                    message = strict(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
                    if message.get("type") == "ack" and message.get("id") == f"b{n}":
                        wanted.discard(f"b{n}")
                    elif message.get("type") == "pong":
                        wanted.discard("pong")
                    elif message.get("type") == "error":
                        self.report.fail(f"bystander refused: {message}")
                        wanted.clear()
                if wanted:
                    self.report.fail(f"bystander: {sorted(wanted)} not answered within 10 s")
                self.report.bystander["acked"] += 1
                await asyncio.sleep(0.05)
        except (websockets.ConnectionClosed, TimeoutError) as exc:
            self.report.fail(f"bystander lost: {exc!r}")
        finally:
            await ws.close()


async def prepare(base: str) -> dict[str, str]:
    """The event the fuzzer works on; returns the token of each role."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        created = (await http.post("/api/events", json={"title": "Fuzz", "code": CODE,
                                                        "segments": ["Usuários", "Governo"]})).json()
        auth = {"authorization": f"Bearer {created['organizer_secret']}"}
        for title in ("Abertura", "Plenária final"):
            await http.post(f"/api/events/{CODE}/sessions", json={"title": title}, headers=auth)
        options = [{"id": f"m{i}", "label": f"Proposta {i}", "group": f"Eixo {i % 2}"} for i in range(1, 5)]
        specs = [
            {"kind": "yes_no_abstain", "question": "Aprova?"},
            {"kind": "multiple", "question": "Escolha", "options": options,
             "sections": [{"id": "municipal", "title": "Municipais", "option_ids": ["m1", "m2", "m3", "m4"],
                           "max_picks": 2}]},
            {"kind": "rating", "question": "Nota", "scale_min": 1, "scale_max": 5},
            {"kind": "open_text", "question": "Uma palavra", "max_text_length": 40},
        ]
        for spec in specs:
            poll = (await http.post(f"/api/events/{CODE}/polls", json={"spec": spec}, headers=auth)).json()
            await http.patch(f"/api/events/{CODE}/polls/{poll['id']}", json={"visibility": "live"}, headers=auth)
        delegates = (await http.post(f"/api/events/{CODE}/delegates", content="Ana,Usuários\nBeto,Governo".encode(),
                                     headers={**auth, "content-type": "text/csv"})).json()["delegates"]
    tokens = {s["role"]: s["token"] for s in created["staff"]}
    tokens["organizer"] = created["organizer_secret"]
    tokens["delegate_code"] = delegates[0]["code"]
    return tokens


async def seed_activity(fuzzer: Fuzzer, tokens: dict[str, str]) -> None:
    """Open the polls, redeem a credential, write chat and questions: real things to act on."""
    presenter = await fuzzer.connect("presenter", "seeding-presenter-0001")
    participant = await fuzzer.connect("delegate", "fuzz-delegate-device-01")
    commands = [(presenter, {"type": "poll.open", "poll": pid}) for pid in range(1, 5)]
    commands += [(participant, {"type": "delegate.redeem", "code": tokens["delegate_code"]}),
                 (participant, {"type": "chat.send", "text": "Boa tarde a todos"}),
                 (participant, {"type": "question.ask", "text": "Quando abre o CRAS?"})]
    for n, (ws, command) in enumerate(commands):
        await ws.send(json.dumps({**command, "id": f"seed{n}"}))
        while True:
            message = strict(await asyncio.wait_for(ws.recv(), 20))
            fuzzer.known.learn(message)
            if message.get("id") == f"seed{n}":
                break
    for ws in (presenter, participant):
        await ws.close()


async def fuzz(url: str, base: str, messages: int, seed: int, log: Path | None = None) -> Report:
    """Send `messages` fuzzed frames (shared among the roles and first frames) and check everything."""
    report = Report()
    tokens = await prepare(base)
    fuzzer = Fuzzer(url, base, {k: v for k, v in tokens.items() if k in ROLES}, seed, seeds(), report)
    await seed_activity(fuzzer, tokens)
    firsts = max(1, messages // 25)
    per_role = math.ceil((messages - firsts) / len(ROLES))
    started = time.monotonic()
    stop = asyncio.Event()
    bystander = asyncio.create_task(fuzzer.bystander(stop))
    devices = {"participant": "fuzz-participant-device1", "delegate": "fuzz-delegate-device-01"}
    await asyncio.gather(*(fuzzer.role(role, per_role, devices.get(role, f"fuzz-{role}-device-0001"))
                           for role in ROLES), fuzzer.first_frames(firsts))
    stop.set()
    await bystander
    report.seconds = time.monotonic() - started
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        if (await http.get("/api/health")).status_code != 200:
            report.fail("the server is not healthy after the run")
    if log is not None:
        text = log.read_text(encoding="utf-8", errors="replace")
        report.tracebacks = text.count("Traceback")
        if report.tracebacks:
            report.fail(f"{report.tracebacks} traceback(s) in the server log, first: "
                        f"{text[text.index('Traceback'):][:1500]}")
    return report


def _short(frame: str | bytes) -> str:
    text = frame if isinstance(frame, str) else repr(frame)
    return text if len(text) < 200 else f"{text[:180]}... ({len(text)} chars)"


# -- the server under test ------------------------------------------------------------


def fuzz_server(directory: Path) -> PlenariaServer:
    """`plenaria` in a child process with the fuzz limits (serve_main), a fresh database and log
    in `directory`: the same seed, the same frames; every traceback in the log is this run's."""
    database = directory / "fuzz.db"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), directory / "fuzz-server.log"):
        path.unlink(missing_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.fuzz", "--serve", str(port), str(database)]
    return PlenariaServer(directory, "fuzz-server", str(database), port=port, command=command)


def serve_main(port: int, database: Path) -> None:
    """The server under test: the CLI's uvicorn options and log configuration, limits lifted."""
    import uvicorn

    from server.cli import uvicorn_options
    from server.settings import Limits, Settings
    from server.web.app import create_app

    limits = Limits(commands_per_second=100_000, command_burst=100_000, handshake_rate=10_000,
                    handshake_burst=10_000)
    settings = Settings(port=port, database_url=f"sqlite:///{database}", limits=limits)
    uvicorn.run(create_app(settings), **uvicorn_options(settings, access_log=False))  # type: ignore[arg-type]


# -- command line -----------------------------------------------------------------------


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fuzz_parser = commands.add_parser("fuzz", help="fuzz the websocket protocol; fails on any internal error")
    fuzz_parser.add_argument("--messages", type=int, default=5000, help="frames to send in all (default 5000)")
    fuzz_parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed sends the same frames")
    fuzz_parser.add_argument("--workdir", help="where the server's database and log go (default: a temp directory)")
    fuzz_parser.add_argument("--json", dest="json_out", help="write the report as JSON to this file")


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        directory = Path(args.workdir) if args.workdir else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        directory.mkdir(parents=True, exist_ok=True)
        server = fuzz_server(directory).start()
        stack.callback(server.stop)
        report = asyncio.run(fuzz(server.ws_url, server.base, args.messages, args.seed, server.log_path))
    summary = report.to_dict()
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve_main(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit("usage: python -m benchmarks fuzz --messages N --seed S")
