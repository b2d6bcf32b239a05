"""Run `plenaria demo` as a newcomer would and check that it serves what it prints.

    python .ci/probe_demo.py PLENARIA [--cwd DIR] [--static DIR]

Starts `PLENARIA demo --port 0` in DIR (default: the current directory), reads the links it
prints, and checks that:
  - it names its database, plenaria-demo.db in DIR, and that file exists;
  - every printed URL answers 200 with a page, and every file under --static (the checkout's
    static/ folder) is served byte for byte under /static/ (so an installed wheel lacks none);
  - a websocket hello as a participant of each demo event gets a welcome and that event's snapshot;
  - `PLENARIA --version` prints the version;
  - `PLENARIA moderate` blocks an insult and allows a greeting (the word lists are installed);
  - Ctrl+C stops it with no traceback.
Exits 1 with the reason on the first failure. Needs only the standard library and `websockets`,
which the runtime install provides: run it with the Python of the environment under test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO

import websockets

STARTUP_SECONDS = 120
URL = re.compile(r"https?://\S+")


class ProbeFailed(Exception):
    pass


def check(condition: bool, reason: str) -> None:
    if not condition:
        raise ProbeFailed(reason)


def read_links(out: IO[str], deadline: float) -> tuple[str, list[str], str]:
    """The listening URL, every printed URL and the database line, read up to the end of the links."""
    listening, urls, database = "", [], ""
    for line in out:
        check(time.monotonic() < deadline, f"the demo printed no complete list of links in {STARTUP_SECONDS} s")
        print(f"  | {line.rstrip()}")
        if "listening on" in line:
            listening = URL.findall(line)[0]
        elif line.strip().startswith("database:"):
            database = line.strip()
        elif listening:
            urls += URL.findall(line)
        if line.startswith("Staff links carry their secret"):
            return listening, urls, database
    raise ProbeFailed("the demo exited before printing its links")


def get(url: str, timeout: float = 30.0) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # the #fragment is never sent
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def check_pages(urls: list[str]) -> None:
    for url in urls:
        status, kind, body = get(url)
        check(status == 200, f"{url} answered {status}")
        check(kind.startswith("text/html") and b"<script" in body, f"{url} is not a page ({kind})")
    print(f"ok: {len(urls)} printed URLs answer 200 with a page")


def served_files(static: Path) -> list[Path]:
    """Every file the pages may load: all of static/ but the Python that makes it a package."""
    return sorted(
        p for p in static.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    )


def check_static(base: str, static: Path) -> None:
    files = served_files(static)
    check(len(files) > 10, f"{static} holds only {len(files)} files: not the static/ folder")
    for path in files:
        relative = path.relative_to(static).as_posix()
        status, _, body = get(f"{base}/static/{urllib.parse.quote(relative)}")
        check(status == 200, f"/static/{relative} answered {status}: the installed package lacks it")
        check(body == path.read_bytes(), f"/static/{relative} differs from {path}")
    print(f"ok: all {len(files)} files of {static} are served under /static/")


async def check_participant_socket(base: str, code: str) -> None:
    ws_url = base.replace("http", "ws", 1) + "/ws"
    async with websockets.connect(ws_url, open_timeout=30) as ws:
        device = secrets.token_urlsafe(16)
        await ws.send(json.dumps({"type": "hello", "event": code, "device": device}))
        seen: list[str] = []
        async with asyncio.timeout(30):
            while True:
                message = json.loads(await ws.recv())
                seen.append(message["type"])
                check(message["type"] != "error", f"hello to {code} was refused: {message}")
                if message["type"] == "snapshot":
                    check(seen[0] == "welcome", f"{code}: snapshot before welcome ({seen})")
                    check(message["state"]["event"]["code"] == code, f"{code}: snapshot of another event")
                    print(f"ok: a participant of {code} got welcome and snapshot of {message['ch']}")
                    return


def check_moderation(plenaria: str, cwd: Path) -> None:
    lines = "Bom dia a todos, que bela conferência!\nvai tomar no cu\n"
    result = subprocess.run([plenaria, "moderate", "-"], input=lines, capture_output=True, text=True,
                            cwd=cwd, timeout=120)
    check(result.returncode == 0, f"plenaria moderate exited {result.returncode}: {result.stderr[-2000:]}")
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    check(verdicts == ["allow", "block"], f"plenaria moderate gave {verdicts}, not allow then block")
    print("ok: plenaria moderate blocks an insult and allows a greeting")


def check_version(plenaria: str, cwd: Path) -> None:
    result = subprocess.run([plenaria, "--version"], capture_output=True, text=True, cwd=cwd, timeout=120)
    check(result.returncode == 0 and re.fullmatch(r"plenaria \d+\.\d+\S*\n", result.stdout) is not None,
          f"plenaria --version printed {result.stdout!r} {result.stderr[-500:]!r}")
    print(f"ok: {result.stdout.strip()}")


def probe(plenaria: str, cwd: Path, static: Path | None) -> None:
    check_version(plenaria, cwd)
    with tempfile.TemporaryFile("w+") as log:
        demo = subprocess.Popen([plenaria, "demo", "--port", "0"], cwd=cwd, stdout=subprocess.PIPE, stderr=log,
                                text=True, encoding="utf-8")
        try:
            assert demo.stdout is not None
            listening, urls, database = read_links(demo.stdout, time.monotonic() + STARTUP_SECONDS)
            check(listening.startswith("http://127.0.0.1:"), f"no listening address printed ({listening!r})")
            check(str(cwd / "plenaria-demo.db") in database and (cwd / "plenaria-demo.db").is_file(),
                  f"the demo database is not plenaria-demo.db in {cwd}: {database!r}")
            check(len(urls) == 12 and all(url.startswith(listening + "/") for url in urls),
                  f"expected 12 links (6 per event) on {listening}, got {urls}")
            check_pages(urls)
            if static is not None:
                check_static(listening, static)
            codes = sorted({url.rsplit("/", 1)[1] for url in urls if "/e/" in url})
            check(codes == ["RAZEM10", "SONORA13"], f"unexpected participant links: {codes}")
            for code in codes:
                asyncio.run(check_participant_socket(listening, code))
            check(demo.poll() is None, "the demo exited while it was probed")
        finally:
            if demo.poll() is None:
                demo.send_signal(signal.SIGINT)
            try:
                demo.wait(30)
            except subprocess.TimeoutExpired:
                demo.kill()
                demo.wait()
            log.seek(0)
            errors = log.read()
        check(demo.returncode in (0, 130), f"the demo exited {demo.returncode} on Ctrl+C:\n{errors[-3000:]}")
        check("Traceback" not in errors, f"the demo logged a traceback:\n{errors[-3000:]}")
        print("ok: Ctrl+C stopped the demo cleanly")
    check_moderation(plenaria, cwd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plenaria", help="the plenaria command of the environment under test")
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="directory to run the demo in")
    parser.add_argument("--static", type=Path, help="the checkout's static/ folder: every file must be served")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        # Resolved here: the demo runs in another directory.
        plenaria = str(Path(args.plenaria).absolute()) if "/" in args.plenaria else args.plenaria
        probe(plenaria, args.cwd.resolve(), args.static.resolve() if args.static else None)
    except (ProbeFailed, OSError, TimeoutError, websockets.WebSocketException) as failure:
        print(f"FAILED: {type(failure).__name__}: {failure}", file=sys.stderr)
        return 1
    print(f"ok: demo probe passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
