"""Load-generator processes: each holds its share of websocket participants.

A `Worker` runs in its own process with its own event loop and is driven by the
coordinator through a pipe (one request, one answer). Each participant is a
`websockets` asyncio client that is idle except for receiving (and the protocol's
`ping` every 25 seconds, as the pages send, so the server's 90-second idle
timeout does not close it). Receipt times use `time.monotonic_ns()`, which is
CLOCK_MONOTONIC and therefore comparable across processes on one Linux machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from benchmarks.servers import raise_fd_limit

MARK = re.compile(r"bench (\d+) ")
PING_PERIOD = 25.0
SECTIONS = (("municipal", "m", 30, 10), ("estadual", "e", 8, 2), ("federal", "f", 8, 2))


def poll_spec() -> dict[str, Any]:
    """A sectioned ballot: choose 10 municipal proposals of 30, 2 state of 8, 2 federal of 8."""
    options = []
    sections = []
    for section, prefix, count, picks in SECTIONS:
        ids = [f"{prefix}{i}" for i in range(1, count + 1)]
        options += [{"id": oid, "label": f"Proposta {oid}", "group": f"Eixo {i % 4 + 1}"} for i, oid in enumerate(ids)]
        sections.append({"id": section, "title": section.capitalize(), "option_ids": ids,
                         "min_picks": picks, "max_picks": picks})
    return {"kind": "multiple", "question": "Escolha 10 propostas municipais, 2 estaduais e 2 federais",
            "options": options, "sections": sections}


def ballot_for(index: int) -> list[str]:
    """The choices of voter `index`: deterministic, so the coordinator can recount them."""
    rng = random.Random(index)
    choices: list[str] = []
    for _, prefix, count, picks in SECTIONS:
        choices += [f"{prefix}{i}" for i in sorted(rng.sample(range(1, count + 1), picks))]
    return choices


@dataclass
class Participant:
    index: int
    ws: ClientConnection
    reader: asyncio.Task[None] | None = None


@dataclass
class Joined:
    """What a join-storm client keeps to come back: its device and the last position it saw."""

    device: str
    ch: str = ""
    epoch: str = ""
    seq: int = 0


@dataclass
class Votes:
    sent: dict[int, int] = field(default_factory=dict)  # index -> send time
    answered: dict[int, tuple[int, str]] = field(default_factory=dict)  # index -> (time, "ok" or error code)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Worker:
    def __init__(self, pipe: Connection, number: int) -> None:
        self.pipe = pipe
        self.number = number
        self.participants: list[Participant] = []
        self.arrivals: dict[int, list[int]] = defaultdict(list)
        self.frames = 0
        self.closed_codes: Counter[str] = Counter()
        self.votes = Votes()
        self.expect_votes = 0
        self.pinger: asyncio.Task[None] | None = None
        self.vote_task: asyncio.Task[None] | None = None
        self.joined: dict[int, Joined] = {}  # join storm: index -> device and position

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1) as reader:
            while True:
                request: dict[str, Any] = await loop.run_in_executor(reader, self.pipe.recv)
                op = request.pop("op")
                if op == "exit":
                    await self.disconnect()
                    self.pipe.send({"ok": True})
                    return
                try:
                    answer = await getattr(self, f"op_{op}")(**request)
                except Exception as exc:  # report, never hang the coordinator
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                self.pipe.send(answer)

    # -- connecting ------------------------------------------------------------

    async def op_connect(self, url: str, event: str, indices: list[int], sources: list[str],
                         concurrency: int, timeout: float) -> dict[str, Any]:
        """Open one participant per index (source address chosen by index), hello and wait for the snapshot."""
        gate = asyncio.Semaphore(concurrency)
        failures: Counter[str] = Counter()
        if event and self.pinger is None:  # from the first connection on: the server closes idle ones at 90 s
            self.pinger = asyncio.create_task(self._ping_forever())
        started = time.monotonic()

        async def one(index: int) -> None:
            async with gate:
                try:
                    ws = await asyncio.wait_for(self._open(url, event, sources[index % len(sources)]), timeout)
                except Exception as exc:
                    failures[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                    return
                participant = Participant(index, ws)
                participant.reader = asyncio.create_task(self._read(participant))
                self.participants.append(participant)

        await asyncio.gather(*(one(index) for index in indices))
        return {"connected": len(self.participants), "failed": sum(failures.values()),
                "failures": dict(failures.most_common(5)), "seconds": time.monotonic() - started}

    async def _open(self, url: str, event: str, source: str) -> ClientConnection:
        ws = await websockets.connect(
            url, compression=None, proxy=None, max_size=2**22, ping_interval=None, close_timeout=2,
            open_timeout=None, local_addr=(source, 0),
        )
        if not event:
            return ws
        hello = {"type": "hello", "event": event, "device": secrets.token_urlsafe(18)}
        await ws.send(json.dumps(hello))
        while True:  # welcome, then the public channel's snapshot
            raw = await ws.recv()
            kind = json.loads(raw).get("type")
            if kind == "snapshot":
                return ws
            if kind not in ("welcome", "event"):
                await ws.close()
                raise ConnectionError(f"refused: {str(raw)[:120]}")

    # -- the join storm --------------------------------------------------------

    async def op_storm(self, urls: list[str], event: str, indices: list[int], sources: list[str], concurrency: int,
                       timeout: float, resume: bool) -> dict[str, Any]:
        """Every index joins at once, at most `concurrency` handshakes in flight: handshake, hello, and
        the wait for its state (a snapshot; resuming, the replayed event it had missed, or a snapshot).
        Client `index` goes to server `urls[index % len(urls)]`.

        Fresh (`resume` false): a new device each. Resuming: the device and channel position of the
        previous storm, one event back, so the server has one event to replay. Answers the times of
        handshake → state and hello → state per client; the clients stay connected (idle)."""
        gate = asyncio.Semaphore(concurrency)
        failures: Counter[str] = Counter()
        handshakes: list[int] = []
        hellos: list[int] = []
        got: Counter[str] = Counter()

        async def one(index: int) -> None:
            async with gate:
                started = time.monotonic_ns()
                try:
                    ws, hello_at, kind = await asyncio.wait_for(
                        self._join(urls[index % len(urls)], event, sources[index % len(sources)], index, resume),
                        timeout)
                except Exception as exc:
                    failures[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                    return
                done = time.monotonic_ns()
                handshakes.append(done - started)
                hellos.append(done - hello_at)
                got[kind] += 1
                participant = Participant(index, ws)
                participant.reader = asyncio.create_task(self._read(participant))
                self.participants.append(participant)

        began = time.monotonic_ns()
        await asyncio.gather(*(one(index) for index in indices))
        return {"joined": len(hellos), "failed": sum(failures.values()), "failures": dict(failures.most_common(5)),
                "handshake_to_state_ns": handshakes, "hello_to_state_ns": hellos, "state": dict(got),
                "seconds": (time.monotonic_ns() - began) / 1e9}

    async def _join(self, url: str, event: str, source: str, index: int,
                    resume: bool) -> tuple[ClientConnection, int, str]:
        ws = await websockets.connect(
            url, compression=None, proxy=None, max_size=2**22, ping_interval=None, close_timeout=2,
            open_timeout=None, local_addr=(source, 0),
        )
        known = self.joined.get(index) if resume else None
        if known is None:
            known = self.joined[index] = Joined(secrets.token_urlsafe(18))
        hello: dict[str, Any] = {"type": "hello", "event": event, "device": known.device}
        wanted = 0
        if resume and known.ch:
            wanted = known.seq
            hello["resume"] = [{"ch": known.ch, "epoch": known.epoch, "seq": max(0, known.seq - 1)}]
        hello_at = time.monotonic_ns()
        await ws.send(json.dumps(hello))
        while True:  # welcome, then the public channel's snapshot or the replay
            raw = await ws.recv()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "snapshot" or (kind == "event" and message.get("seq", 0) >= wanted):
                known.ch, known.epoch = message.get("ch", ""), message.get("epoch", "")
                known.seq = message.get("seq", 0)
                return ws, hello_at, "replay" if kind == "event" else kind
            if kind not in ("welcome", "event"):
                await ws.close()
                raise ConnectionError(f"refused: {str(raw)[:120]}")

    async def _read(self, participant: Participant) -> None:
        arrivals = self.arrivals
        clock = time.monotonic_ns
        try:
            async for raw in participant.ws:
                now = clock()
                self.frames += 1
                if not isinstance(raw, str):
                    continue
                if '"screen.updated"' in raw:
                    found = MARK.search(raw)
                    if found is not None:
                        arrivals[int(found.group(1))].append(now)
                elif raw.startswith('{"type":"ack"') or raw.startswith('{"type":"error"'):
                    self._answer(json.loads(raw), now)
        except websockets.ConnectionClosed:
            pass
        finally:
            code = participant.ws.close_code
            self.closed_codes[str(code)] += 1

    def _answer(self, message: dict[str, Any], now: int) -> None:
        command = str(message.get("id") or "")
        if not command.startswith("v"):
            return
        index = int(command[1:])
        if index in self.votes.answered:
            return
        self.votes.answered[index] = (now, "ok" if message["type"] == "ack" else str(message.get("code")))
        if len(self.votes.answered) >= self.expect_votes:
            self.votes.done.set()

    async def _ping_forever(self) -> None:
        frame = '{"type":"ping"}'
        while True:
            batch = list(self.participants)
            if not batch:
                await asyncio.sleep(1.0)
                continue
            pause = PING_PERIOD / len(batch)
            for participant in batch:
                if participant.ws.close_code is None:
                    with contextlib.suppress(Exception):
                        await participant.ws.send(frame)
                await asyncio.sleep(pause)

    # -- measuring -------------------------------------------------------------

    async def op_status(self) -> dict[str, Any]:
        open_now = sum(1 for p in self.participants if p.ws.close_code is None)
        return {"open": open_now, "frames": self.frames, "closed": dict(self.closed_codes)}

    async def op_arrivals(self, clear: bool = True) -> dict[str, Any]:
        """Receipt times of the fan-out messages by message number; then forget them."""
        found = {k: list(v) for k, v in self.arrivals.items()}
        if clear:
            self.arrivals.clear()
        return {"arrivals": found, "open": sum(1 for p in self.participants if p.ws.close_code is None)}

    async def op_vote(self, poll: int, start_ns: int, spacing_ns: int) -> dict[str, Any]:
        """Schedule one ballot per participant at start + index * spacing (global schedule); answer at once."""
        self.votes = Votes()
        self.expect_votes = len(self.participants)
        if not self.participants:
            self.votes.done.set()
        self.vote_task = asyncio.create_task(self._cast_all(poll, start_ns, spacing_ns))
        return {"scheduled": len(self.participants)}

    async def _cast_all(self, poll: int, start_ns: int, spacing_ns: int) -> None:
        for participant in sorted(self.participants, key=lambda p: p.index):
            due = start_ns + participant.index * spacing_ns
            delay = (due - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            frame = json.dumps({"type": "vote.cast", "id": f"v{participant.index}", "poll": poll,
                                "ballot": {"choices": ballot_for(participant.index)}})
            self.votes.sent[participant.index] = time.monotonic_ns()
            try:
                await participant.ws.send(frame)
            except websockets.ConnectionClosed:
                self.votes.answered[participant.index] = (time.monotonic_ns(), "connection_closed")

    async def op_vote_results(self, timeout: float) -> dict[str, Any]:
        """Wait (at most `timeout` s) for every answer; return send/answer times per voter index."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.votes.done.wait(), timeout)
        if self.vote_task is not None and not self.vote_task.done():
            self.vote_task.cancel()
        return {
            "sent": self.votes.sent,
            "answered": {index: list(answer) for index, answer in self.votes.answered.items()},
        }

    async def op_disconnect(self) -> dict[str, Any]:
        count = await self.disconnect()
        return {"closed": count}

    async def disconnect(self) -> int:
        """Drop every connection at once (abort: the server sees the peer go, no closing handshake)."""
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None
        count = len(self.participants)
        for participant in self.participants:
            with contextlib.suppress(Exception):
                participant.ws.transport.abort()
        readers = [p.reader for p in self.participants if p.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=10)
        self.participants = []
        self.arrivals.clear()
        self.frames = 0
        self.closed_codes.clear()
        return count


def run(pipe: Connection, number: int) -> None:
    """Process entry point."""
    raise_fd_limit()
    try:  # the clients share the server's cores: the faster loop leaves it more of them
        import uvloop
    except ImportError:
        asyncio.run(Worker(pipe, number).serve())
    else:
        uvloop.run(Worker(pipe, number).serve())
