"""Percentiles of latency samples and a description of the machine a run happened on."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (0.0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return float(ordered[rank])


def summary_ms(samples_ns: Sequence[int]) -> dict[str, float]:
    """p50, p90, p99, max and mean in milliseconds of nanosecond samples."""
    ordered = sorted(samples_ns)
    if not ordered:
        return {"p50_ms": 0.0, "p90_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "mean_ms": 0.0}
    return {
        "p50_ms": percentile(ordered, 0.50) / 1e6,
        "p90_ms": percentile(ordered, 0.90) / 1e6,
        "p99_ms": percentile(ordered, 0.99) / 1e6,
        "max_ms": ordered[-1] / 1e6,
        "mean_ms": sum(ordered) / len(ordered) / 1e6,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def environment() -> dict[str, Any]:
    """CPU model, core count, memory, Python and library versions, and the commit measured."""
    memory_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu_model": _cpu_model(),
        "nproc": os.cpu_count() or 0,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "libraries": {name: _version(name) for name in ("websockets", "uvicorn", "starlette", "sqlmodel", "redis")},
        "commit": _git("rev-parse", "HEAD"),
        "worktree_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "shared_machine": "server, bare baseline and load generator processes share this machine",
    }


def _busy_ticks() -> int:
    """Ticks every CPU spent not idle since boot (user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


# The stores and brokers a deployment may use; their processes come and go (a PostgreSQL
# backend per connection), so they are looked up at every sample.
SERVICES = frozenset({"redis-server", "postgres"})


def service_pids() -> list[int]:
    """Every Redis and PostgreSQL process on the machine."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            name = comm.read_text().strip()
        except OSError:
            continue
        if name in SERVICES:
            pids.append(int(comm.parent.name))
    return pids


class CpuWatch:
    """Where the machine's CPU went while we measured: to each group of processes named
    (the servers, the load generator), to Redis and PostgreSQL, and to everything else
    (other people's jobs, which skew results).

    `foreign_cores()` is the average number of cores busy outside the groups (plus this
    process) since `start()`; kernel network work is charged to whoever was running, so
    this is approximate. `account()` splits the cores by group: with the machine's cores
    all busy, a rate is bounded by the machine, not by the processes measured.
    """

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = {"benchmark": [os.getpid()], **groups}
        self.hz = os.sysconf("SC_CLK_TCK")
        self.start()

    def _sample(self) -> tuple[float, int, dict[str, int], dict[int, int]]:
        groups = {name: sum(_process_ticks(pid) for pid in pids) for name, pids in self.groups.items()}
        return time.monotonic(), _busy_ticks(), groups, {pid: _process_ticks(pid) for pid in service_pids()}

    def start(self) -> None:
        self._first = self._sample()

    def _since_start(self) -> tuple[float, int, dict[str, int], int]:
        """Seconds since `start()`, and the ticks spent meanwhile: busy in all, per group, by the services."""
        now, busy, groups, services = self._sample()
        then, busy0, groups0, services0 = self._first
        # A service process started since `start()` spent all its ticks in the window.
        service_ticks = sum(ticks - services0.get(pid, 0) for pid, ticks in services.items())
        return (max(1e-6, now - then), busy - busy0, {name: groups[name] - groups0[name] for name in groups},
                service_ticks)

    def _cores(self, ticks: int, seconds: float) -> float:
        return round(max(0, ticks) / self.hz / seconds, 2)

    def account(self) -> dict[str, float]:
        """Average cores since `start()`: one entry per group, `services`, `others` and `machine` (all busy)."""
        seconds, busy, groups, services = self._since_start()
        own = sum(groups.values())
        out = {name: self._cores(ticks, seconds) for name, ticks in groups.items()}
        out |= {"services": self._cores(services, seconds), "others": self._cores(busy - own - services, seconds),
                "machine": self._cores(busy, seconds), "seconds": round(seconds, 3)}
        return out

    def foreign_cores(self) -> float:
        seconds, busy, groups, _ = self._since_start()
        return self._cores(busy - sum(groups.values()), seconds)

    def own_cores(self) -> float:
        seconds, _, groups, _ = self._since_start()
        return self._cores(sum(groups.values()), seconds)

    def wait_quiet(self, below: float = 0.25, seconds: float = 120.0) -> float:
        """Wait (at most `seconds`) for a 2-second window where others use under `below` cores."""
        deadline = time.monotonic() + seconds
        while True:
            self.start()
            time.sleep(2.0)
            foreign = self.foreign_cores()
            if foreign < below or time.monotonic() > deadline:
                return foreign
