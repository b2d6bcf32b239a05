"""What SQLite's `secure_delete` (on in server/store/database.py) costs the write pattern of an event.

`python benchmarks/secure_delete.py [--rows N] [--runs R]`: in a fresh WAL-mode file with
the server's pragmas, insert N chat-like rows (20-300 characters) in transactions of 500,
update each once (a status and a text of another length: the old cell is freed), delete
half, with `secure_delete` OFF and ON in alternation; prints the median seconds of each
phase. Erased text must not survive in freed space (docs/privacy.md), which is what ON buys.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

BATCH = 500


def run(path: Path, secure: bool, rows: int) -> tuple[float, float, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"secure_delete={'ON' if secure else 'OFF'}"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, status TEXT, text TEXT, reasons TEXT)")
    rng = random.Random(1)
    phases = []
    started = time.perf_counter()
    for _ in range(0, rows, BATCH):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO item (status, text, reasons) VALUES ('held', ?, '[]')",
                         [("x" * rng.randint(20, 300),) for _ in range(BATCH)])
        conn.execute("COMMIT")
    phases.append(time.perf_counter() - started)
    started = time.perf_counter()
    for first in range(1, rows + 1, BATCH):
        conn.execute("BEGIN")
        conn.executemany("UPDATE item SET status = 'published', text = ? WHERE id = ?",
                         [("y" * rng.randint(20, 300), i) for i in range(first, first + BATCH)])
        conn.execute("COMMIT")
    phases.append(time.perf_counter() - started)
    started = time.perf_counter()
    conn.execute("DELETE FROM item WHERE id % 2 = 0")
    phases.append(time.perf_counter() - started)
    conn.close()
    return phases[0], phases[1], phases[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as directory:
        for n in range(args.runs * 2):
            secure = n % 2 == 1
            results[secure].append(run(Path(directory) / f"run{n}.db", secure, args.rows))
    for secure, runs in results.items():
        medians = [statistics.median(phase) for phase in zip(*runs, strict=True)]
        print(f"secure_delete={'ON ' if secure else 'OFF'}  insert {medians[0]:.3f} s  update {medians[1]:.3f} s  "
              f"delete half {medians[2]:.3f} s  ({args.rows} rows, median of {args.runs})")


if __name__ == "__main__":
    main()
