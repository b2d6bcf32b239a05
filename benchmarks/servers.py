"""Processes a run starts and stops: `plenaria serve`, redis-server, a PostgreSQL database, py-spy.

Every wait here is bounded in time; every process started here is stopped by
the same object that started it, by its own pid.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.stats import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raise_fd_limit() -> int:
    """Raise this process's soft open-file limit to its hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _raised_limits() -> None:  # preexec_fn of every server child
    raise_fd_limit()


def rss_kib(pid: int) -> int:
    """Resident memory of one process in KiB (VmRSS), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


class PlenariaServer:
    """`plenaria serve` as a child process with a raised fd limit, logging to a file."""

    def __init__(self, workdir: Path, name: str, database: str, redis: str = "", port: int = 0,
                 command: list[str] | None = None, max_connections: int | None = None) -> None:
        """`command`: another way to run the server on `port` (the fuzzer's, with its limits);
        `max_connections`: the server's cap of open websockets, when not its default."""
        self.port = port or free_port()
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self.args = command or [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port),
                                "--database", database]
        if redis:
            self.args += ["--redis", redis]
        if max_connections is not None:
            self.args += ["--max-connections", str(max_connections)]
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, seconds: float = 120.0) -> PlenariaServer:  # a loaded machine imports slowly
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        env = {"PLENARIA_LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=_raised_limits,
            env={**_environ(), **env},
        )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/api/health", timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /api/health within {seconds} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")}


class RedisServer:
    """A redis-server of the run's own on a free port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--maxclients", "10000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_raised_limits,
        )
        wait_port(self.port, 10)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class PostgresDatabase:
    """A fresh database on an existing PostgreSQL server, dropped afterwards."""

    def __init__(self, admin_url: str, name: str) -> None:
        self.admin_url = admin_url
        self.name = name

    @property
    def url(self) -> str:
        return f"{self.admin_url.rsplit('/', 1)[0]}/{self.name}"

    def _run(self, sql: str) -> None:
        import asyncio

        import asyncpg  # type: ignore[import-untyped]

        async def go() -> None:
            conn = await asyncpg.connect(self.admin_url, timeout=10)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(go())

    def create(self) -> PostgresDatabase:
        self._run(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Profiler:
    """`py-spy record` attached to one pid, writing collapsed stacks; stopped with SIGINT."""

    def __init__(self, pid: int, out: Path, rate: int = 200) -> None:
        self.pid = pid
        self.out = out
        self.rate = rate
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Profiler:
        exe = Path(sys.executable).with_name("py-spy")
        command = str(exe) if exe.exists() else "py-spy"
        self.proc = subprocess.Popen(
            [command, "record", "--pid", str(self.pid), "--rate", str(self.rate), "--format", "raw",
             "--output", str(self.out), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        return self

    def stop(self) -> dict[str, Any]:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return summarise_folded(self.out)


def summarise_folded(path: Path, top: int = 15) -> dict[str, Any]:
    """Top frames of a py-spy raw (collapsed) profile: by own time and by inclusive time."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {"file": str(path), "samples": 0, "own": [], "inclusive": []}
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        leaf = frames[-1]
        own[leaf] = own.get(leaf, 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def ranked(table: dict[str, int]) -> list[dict[str, Any]]:
        best = sorted(table.items(), key=lambda item: -item[1])[:top]
        return [{"frame": frame, "share": round(n / total, 4) if total else 0.0} for frame, n in best]

    return {"file": str(path), "samples": total, "own": ranked(own), "inclusive": ranked(inclusive)}
