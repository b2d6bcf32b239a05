"""The `plenaria` command as a newcomer runs it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import httpx

from tests.conftest import RedisServer
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def plenaria(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True, text=True,
                          timeout=60, **options)  # type: ignore[call-overload]


def test_help_lists_the_commands_and_options() -> None:
    top = plenaria("--help")
    assert top.returncode == 0 and all(name in top.stdout for name in ("demo", "serve", "moderate"))
    serve = plenaria("serve", "--help")
    for option in ("--host", "--port", "--database", "--redis", "--workers", "PLENARIA_DATABASE"):
        assert option in serve.stdout


def test_version_and_the_demo_database_are_stated() -> None:
    version = plenaria("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"plenaria {metadata.version('plenaria')}"
    demo = " ".join(plenaria("demo", "--help").stdout.split())
    assert "plenaria-demo.db" in demo and "unless --keep" in demo and "0 for any free port" in demo


def test_a_busy_port_is_one_line_and_leaves_the_demo_database_alone(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    database.write_bytes(b"an earlier demo's data")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in (["serve", "--port", str(port)], ["demo", "--port", str(port), "--database", str(database)]):
            refused = plenaria(*command, cwd=tmp_path)
            assert refused.returncode == 1 and refused.stdout == ""
            assert refused.stderr.startswith(f"plenaria: port {port} is in use on 127.0.0.1; try --port ")
            assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert database.read_bytes() == b"an earlier demo's data"


def test_the_quick_start_demo_serves_every_link_it_prints_from_any_directory(tmp_path: Path) -> None:
    """The CI probe, run on this install: a free port, every printed page and every static file,
    a participant's websocket, the word lists, Ctrl+C (see .ci/probe_demo.py)."""
    command = Path(sys.executable).parent / "plenaria"
    probe = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "probe_demo.py"), str(command), "--cwd", str(tmp_path),
         "--static", str(ROOT / "static")],
        capture_output=True, text=True, timeout=180,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "ok: demo probe passed" in probe.stdout and (tmp_path / "plenaria-demo.db").is_file()


def test_workers_serve_on_the_one_port_taken(tmp_path: Path, redis_server: RedisServer) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", "0", "--workers", "2", "--redis", redis_server.url,
         "--database", str(tmp_path / "workers.db")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as server:
        assert server.stdout is not None
        announced = server.stdout.readline()
        assert announced.startswith("plenaria: listening on http://127.0.0.1:")
        base = announced.split()[-1]
        try:
            health = httpx.get(f"{base}/api/health", timeout=30)  # waits in the backlog until a worker is up
            assert health.status_code == 200 and health.json()["ok"] is True
        finally:
            server.terminate()


def test_workers_need_redis() -> None:
    refused = plenaria("serve", "--workers", "2")
    assert refused.returncode != 0 and "--redis" in refused.stderr


def test_moderate_reads_a_chat_export(tmp_path: Path) -> None:
    export = tmp_path / "chat.txt"
    export.write_text("Bom dia a todos!\nvai tomar no cu\nMeu CPF é 529.982.247-25\n", encoding="utf-8")
    result = plenaria("moderate", str(export))
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["allow", "block", "review"]


def test_demo_seeds_two_conferences_and_prints_their_links(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "demo", "--port", str(port), "--database", str(tmp_path / "demo.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        sonora = httpx.get(f"http://127.0.0.1:{port}/api/events/SONORA13").json()
        razem = httpx.get(f"http://127.0.0.1:{port}/api/events/RAZEM10").json()
        assert sonora["default_lang"] == "pt-BR" and sonora["stream"]["provider"] == "facebook"
        assert razem["default_lang"] == "pl" and razem["stream"]["provider"] == "youtube"
        agenda = httpx.get(f"http://127.0.0.1:{port}/api/events/SONORA13/sessions").json()
        assert len(agenda) >= 5 and any("delegados" in item["title"] for item in agenda)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=15)
    for page in ("/e/SONORA13", "/m/SONORA13#k=", "/p/SONORA13#k=", "/o/SONORA13#k=", "/screen/SONORA13",
                 "/overlay/RAZEM10"):
        assert page in output

    # --keep: the same events, whose staff secrets are stored hashed, so only public links again.
    with subprocess.Popen(
        [sys.executable, "-m", "server.cli", "demo", "--port", "0", "--keep", "--database", str(tmp_path / "demo.db")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as kept:
        assert kept.stdout is not None
        lines = []
        for line in kept.stdout:
            lines.append(line)
            if line.startswith("Staff links carry"):
                break
        kept.terminate()
    again = "".join(lines)
    assert "kept from the last run (--keep)" in again and "/e/SONORA13" in again and "/overlay/RAZEM10" in again
    assert "#k=" not in again and "stored hashed" in again
