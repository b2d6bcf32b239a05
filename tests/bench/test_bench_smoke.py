"""The benchmark tool runs end to end at tiny scale and writes the JSON it promises.

A smoke run, not a gate: it checks shapes and counts, never timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(90)
def test_tiny_run_writes_the_expected_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [
        sys.executable, "-m", "benchmarks", "run", "--scenario", "fanout,votes,moderation", "--n", "20",
        "--messages", "2", "--warmup", "1", "--interval", "0.1", "--procs", "1", "--moderation-seconds", "0.2",
        "--quiet-wait", "0",
        "--workdir", str(tmp_path / "work"), "--json", str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=80,
                          env={k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "fan-out" in done.stdout

    report = json.loads(out.read_text())
    assert {"environment", "command", "settings", "runs", "moderation", "targets"} <= report.keys()
    assert {"cpu_model", "nproc", "python", "commit"} <= report["environment"].keys()
    assert report["moderation"]["messages_per_second"] > 0

    (run,) = report["runs"]
    assert run["config"] == "embedded" and run["n"] == 20
    assert run["connections"]["held"] == 20
    assert {"rss_before_kib", "rss_after_kib", "kib_per_connection"} <= run["memory"].keys()
    fanout = run["fanout"]
    assert {"p50_ms", "p99_ms", "max_ms", "deliveries", "missing", "frame_bytes"} <= fanout.keys()
    assert fanout["deliveries"] == 2 * 20
    assert {"p50_ms", "p99_ms"} <= run["bare"]["fanout"].keys()
    assert run["bare"]["fanout"]["deliveries"] == 2 * 20
    assert {"p50_ms", "p99_ms", "max_ms"} <= run["ratio_to_bare"].keys()

    votes = run["votes"]
    assert "skipped" not in votes, votes
    assert votes["acknowledged"] == 20 and votes["errors"] == {}
    assert votes["store_equals_ballots"] is True
    assert {"acks_per_second", "ack_ms", "tally_exact_after_last_ack_ms"} <= votes.keys()
    assert {"server", "load", "machine", "seconds"} <= votes["burst_cores"].keys()


@pytest.mark.timeout(120)
def test_tiny_join_storm_compares_fresh_joins_and_resumes_with_the_bare_library(tmp_path: Path) -> None:
    out = tmp_path / "joins.json"
    command = [
        sys.executable, "-m", "benchmarks", "run", "--scenario", "joins", "--n", "30", "--procs", "1",
        "--join-in-flight", "10", "--quiet-wait", "0", "--workdir", str(tmp_path / "work"), "--json", str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=110,
                          env={k: v for k, v in os.environ.items() if not k.startswith("PLENARIA_")})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "join storm" in done.stdout

    (run,) = json.loads(out.read_text())["runs"]
    joins = run["joins"]
    assert joins["fresh"]["joined"] == 30 and joins["fresh"]["state"] == {"snapshot": 30}
    # Resuming one event back: the server replays that event instead of a snapshot.
    assert joins["resume"]["joined"] == 30 and joins["resume"]["state"] == {"replay": 30}
    # After a restart on the in-memory broker the epoch changed: a snapshot each.
    assert joins["restart"]["joined"] == 30 and joins["restart"]["state"] == {"snapshot": 30}
    assert joins["bare"]["fresh"]["joined"] == joins["bare"]["resume"]["joined"] == 30
    assert joins["frame_bytes"]["snapshot"] > joins["frame_bytes"]["welcome"] > 0
    assert {"fresh", "resume"} <= joins["ratio_to_bare"].keys()
    assert {"p50_ms", "p99_ms"} <= joins["fresh"]["hello_to_state"].keys()
    # Where the cores went during each wave: a rate is bounded by the machine once all are busy.
    for wave in ("fresh", "resume", "restart"):
        cores = joins[wave]["cores"]
        assert {"benchmark", "server", "load", "services", "others", "machine", "seconds"} <= cores.keys()
        assert cores["machine"] >= cores["server"] >= 0 and cores["seconds"] > 0
        assert joins[wave]["server_cpu_ms_per_join"] >= 0
