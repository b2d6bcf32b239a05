"""CPU time of counting an STV election at its close (server.domain.elections.election_result):
4 segments of 15 candidates, 4 seats and 2 suplentes each, every ballot ranking 1 to 6
candidates of each segment at random (so nearly every ranking is distinct, the costly case).

    .venv/bin/python benchmarks/stv_count.py [--ballots 300 1000 3000] [--runs 3]

Prints one JSON line per ballot count: the best CPU milliseconds of `runs` counts (the count is
pure, so CPU time is what it costs; wall time only adds the machine's other work) and the rounds.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from server.domain.elections import election_result
from server.domain.polls import Ballot, PollSpec, validate_ballot
from server.domain.tally import tally

SEGMENTS = 4
CANDIDATES = 15


def election() -> PollSpec:
    segments = [f"s{i}" for i in range(SEGMENTS)]
    return PollSpec.from_dict({
        "kind": "election", "question": "Delegados", "method": "stv",
        "options": [{"id": f"{s}c{j}", "label": f"{s} {j}"} for s in segments for j in range(CANDIDATES)],
        "sections": [{"id": s, "title": s, "option_ids": [f"{s}c{j}" for j in range(CANDIDATES)], "seats": 4,
                      "alternates": 2} for s in segments],
    })


def ballots(spec: PollSpec, n: int, rng: random.Random) -> list[Ballot]:
    out = []
    for _ in range(n):
        choices: list[str] = []
        for section in spec.sections:
            ranked = list(section.option_ids)
            rng.shuffle(ranked)
            choices += ranked[: rng.randint(1, 6)]
        out.append(validate_ballot(spec, {"choices": choices}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = election()
    rng = random.Random(7)
    for n in args.ballots:
        running = tally(spec, ballots(spec, n, rng))
        best = float("inf")
        for _ in range(args.runs):
            started = time.process_time()
            result = election_result(spec, running)
            best = min(best, time.process_time() - started)
        rounds = sum(len(c["rounds"]) for s in result["segments"] for c in s["counts"])
        print(json.dumps({"ballots": n, "cpu_ms": round(best * 1000, 1), "rounds": rounds}))


if __name__ == "__main__":
    main()
