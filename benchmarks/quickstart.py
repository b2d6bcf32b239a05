"""Time the README's quick start from a clean clone: how long until the first page answers.

    python3 benchmarks/quickstart.py [--cold] [--demo-only] [--keep]

Clones this repository's HEAD into a temporary folder and runs the README's two commands
there, word for word, each split at its last `&&` so install and run are timed apart:

1. `python3 -m venv .venv && .venv/bin/pip install -q -e .`, then `.venv/bin/plenaria demo`
   until the participant page /e/SONORA13 answers 200 (the demo then gets Ctrl+C);
2. `python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'`, then `.venv/bin/python -m pytest`.

The demo takes a free port (PLENARIA_PORT=0), so the commands stay as written.
The suite runs as the README says (without CI=true: a missing service is skipped).
`--cold` empties nothing but sets PIP_NO_CACHE_DIR=1, so every package is downloaded again, as
on a fresh machine. Needs only the standard library: it runs before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL_DEMO = "python3 -m venv .venv && .venv/bin/pip install -q -e ."
RUN_DEMO = ".venv/bin/plenaria demo"
INSTALL_TESTS = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'"
RUN_TESTS = ".venv/bin/python -m pytest"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: str, cwd: Path, env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall-clock seconds, CPU seconds (user + system, all its processes) and the result."""
    started, cpu = time.monotonic(), children_cpu()
    result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed, cpu = time.monotonic() - started, children_cpu() - cpu
    if result.returncode != 0 and command != RUN_TESTS:
        sys.exit(f"`{command}` failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return elapsed, cpu, result


def first_page(cwd: Path, env: dict[str, str], timeout: float = 300.0) -> float:
    """Seconds from starting the demo to the first 200 of its participant page."""
    started = time.monotonic()
    demo = subprocess.Popen(["bash", "-c", f"exec {RUN_DEMO}"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert demo.stdout is not None
        # PLENARIA_PORT=0: the demo takes a free port and prints it before its links.
        listening = next((line for line in demo.stdout if "listening on" in line), "")
        if not listening:
            sys.exit(f"`{RUN_DEMO}` exited with {demo.wait()} before saying where it listens")
        url = listening.split()[-1] + "/e/SONORA13"
        while time.monotonic() - started < timeout:
            if demo.poll() is not None:
                sys.exit(f"`{RUN_DEMO}` exited with {demo.returncode} before serving a page")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        sys.exit(f"{url} did not answer 200 within {timeout} s")
    finally:
        demo.send_signal(signal.SIGINT)
        demo.communicate(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="no pip cache: download every package")
    parser.add_argument("--demo-only", action="store_true", help="time command 1 only")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="plenaria-quickstart-"))
    clone = folder / "plenaria"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "PLENARIA_PORT": "0"}
    env.pop("VIRTUAL_ENV", None)
    if args.cold:
        env["PIP_NO_CACHE_DIR"] = "1"
    figures: dict[str, object] = {"cold": args.cold, "cpus": os.cpu_count(),
                                  "load_average_1min_at_start": round(os.getloadavg()[0], 1)}

    install, cpu, _ = timed(INSTALL_DEMO, clone, env)
    page = first_page(clone, env)
    figures |= {"command1_install_s": round(install, 1), "command1_install_cpu_s": round(cpu, 1),
                "command1_demo_to_first_page_s": round(page, 1), "command1_total_s": round(install + page, 1)}
    print(f"1. {INSTALL_DEMO}: {install:.1f} s ({cpu:.1f} s CPU); {RUN_DEMO} to the first page: {page:.1f} s; "
          f"together {install + page:.1f} s", flush=True)

    if not args.demo_only:
        env.pop("PLENARIA_PORT")  # the suite picks its own ports
        install, cpu, _ = timed(INSTALL_TESTS, clone, env)
        tests, tests_cpu, result = timed(RUN_TESTS, clone, env)
        lines = result.stdout.strip().splitlines() or ["(no output)"]
        summary = lines[-1]
        for line in lines:
            if line.startswith(("FAILED ", "ERROR ")):
                print(f"   {line}", flush=True)
        figures |= {"command2_install_s": round(install, 1), "command2_install_cpu_s": round(cpu, 1),
                    "command2_tests_s": round(tests, 1), "command2_tests_cpu_s": round(tests_cpu, 1),
                    "command2_total_s": round(install + tests, 1), "pytest_exit": result.returncode,
                    "pytest_summary": summary}
        print(f"2. {INSTALL_TESTS}: {install:.1f} s ({cpu:.1f} s CPU); {RUN_TESTS}: {tests:.1f} s "
              f"({tests_cpu:.1f} s CPU; exit {result.returncode}: {summary}); together {install + tests:.1f} s",
              flush=True)

    print(json.dumps(figures))
    if args.keep:
        print(f"clone kept in {clone}")
    else:
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
