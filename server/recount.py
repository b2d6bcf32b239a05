"""Recount a secret poll from its published anonymised ballots: `python3 recount.py ballots.csv`.

This file needs nothing but Python 3 (3.8 or later): download it from the server
(`/recount.py`) and run it on the poll's `published-ballots.csv`, without
installing Plenária. It prints what the published result must show:

    ballots 212
    choice m1 150
    choice m2 97
    ...

- `ballots`: how many ballots were counted;
- `choice ID N`: how many ballots picked (or, in a ranking, ranked) the option;
- `first ID N`: rankings only, how many ballots put the option first;
- `rating V N` and `mean`: rating polls;
- `answers N`: open-text polls, how many answers the file shows (one that moderation holds
  or hides is published blank: its ballot still counts).

The file has one row per pick: `ballot,choice,rank,rating,text`. `ballot` numbers
the ballots in the published (random) order; a blank ballot is one row with an
empty `choice`; `rank` is the place in a ranking (empty otherwise). Cells that a
spreadsheet would run as a formula carry a leading `'`, which is ignored here.

The server writes the file with `rows()` and checks its own published result with
`recount()` and `matches()` below, the same code a citizen runs.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

HEADER = ("ballot", "choice", "rank", "rating", "text")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rows(ballots: Sequence[Mapping[str, Any]], *, ranked: bool) -> list[list[Any]]:
    """The file's rows for `ballots` (stored form: `choices`, optional `rating`, `text`), in order."""
    out: list[list[Any]] = []
    for number, ballot in enumerate(ballots, start=1):
        if "rating" in ballot or "text" in ballot:
            out.append([number, "", "", ballot.get("rating"), ballot.get("text")])
            continue
        choices = list(ballot.get("choices", []))
        if not choices:
            out.append([number, "", "", None, None])
        for place, choice in enumerate(choices, start=1):
            out.append([number, choice, place if ranked else None, None, None])
    return out


def _cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def recount(lines: Iterable[str]) -> dict[str, Any]:
    """Count a published file (its lines, without a byte-order mark):
    `{"ballots", "choices", "first", "ratings", "answers"}`."""
    ballots: set[str] = set()
    choices: Counter[str] = Counter()
    first: Counter[str] = Counter()
    ratings: Counter[int] = Counter()
    answers = 0
    for row in csv.DictReader(lines):
        ballots.add(row["ballot"])
        choice, rank, rating, text = (_cell(row[k] or "") for k in ("choice", "rank", "rating", "text"))
        if choice:
            choices[choice] += 1
            if rank == "1":
                first[choice] += 1
        if rating:
            ratings[int(rating)] += 1
        if text:
            answers += 1
    return {"ballots": len(ballots), "choices": dict(choices), "first": dict(first), "ratings": dict(ratings),
            "answers": answers}


def matches(counted: Mapping[str, Any], tally: Mapping[str, Any]) -> bool:
    """Whether a recount equals a published tally (the `tally` of a poll's result)."""
    nonzero = {k: v for k, v in tally.get("counts", {}).items() if v}
    if counted["ballots"] != tally.get("ballots") or counted["choices"] != nonzero:
        return False
    if "first" in tally and counted["first"] != {k: v for k, v in tally["first"].items() if v}:
        return False
    if "distribution" in tally:
        distribution = {int(k): v for k, v in tally["distribution"].items() if v}
        if counted["ratings"] != distribution:
            return False
    return True


def report(counted: Mapping[str, Any]) -> list[str]:
    lines = [f"ballots {counted['ballots']}"]
    for key, name in (("choices", "choice"), ("first", "first")):
        for option, n in sorted(counted[key].items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"{name} {option} {n}")
    ratings = counted["ratings"]
    for value in sorted(ratings):
        lines.append(f"rating {value} {ratings[value]}")
    if ratings:
        total = sum(ratings.values())
        lines.append(f"mean {sum(v * n for v, n in ratings.items()) / total:.2f}")
    if counted["answers"]:
        lines.append(f"answers {counted['answers']}")
    return lines


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 recount.py published-ballots.csv", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8-sig", newline="") as file:
        print("\n".join(report(recount(file))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
