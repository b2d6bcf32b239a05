"""Command line: moderate a chat export and print one JSON verdict per message.

Usage: ``moderate [FILE|-] [--policy POLICY.json] [--only-flagged]``

Input is one message per line, or JSON lines with ``text`` and optionally
``author`` and ``time`` (seconds). When both author and time are given, each
author's earlier lines become the `Context` of their later ones, so flood,
slow-mode and repeat rules apply across the file (blocked attempts count too,
as a live server would see them). Output is one JSON object per message:
``{"line": n, "text": ..., "verdict": ..., "reasons": [...]}``.

Exit status: 0 on success, 2 for a missing/unreadable file or a bad policy.
`main` is reused by ``plenaria moderate``; pass ``prog`` to name it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from .context import Context
from .moderator import Moderator
from .policy import Policy
from .verdict import Verdict


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; `prog` is the name shown in usage and errors."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Moderate a chat export (plain lines or JSON lines) and print one JSON verdict per message.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="chat export to read, '-' for stdin")
    parser.add_argument("--policy", metavar="POLICY.json", help="event policy as a JSON object")
    parser.add_argument("--only-flagged", action="store_true", help="print only messages that are not allowed")
    return parser


def _messages(stream: TextIO) -> Iterator[tuple[int, str, str | None, float | None]]:
    """(line number, text, author, time) for every non-empty input line."""
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line:
            continue
        author: str | None = None
        time: float | None = None
        text = line
        if line.lstrip().startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                data = None  # not JSON after all: moderate the line as text
            if isinstance(data, dict) and isinstance(data.get("text"), str):
                text = data["text"]
                if data.get("author") is not None:
                    author = str(data["author"])
                raw_time = data.get("time")
                if isinstance(raw_time, int | float) and not isinstance(raw_time, bool):
                    time = float(raw_time)
        yield number, text, author, time


def _load_policy(path: str) -> Policy:
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except ValueError as error:
            raise ValueError(f"{path}: not valid JSON: {error}") from None
    try:
        return Policy.from_dict(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command; returns the exit status instead of exiting."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help or a usage error
        return exit_.code if isinstance(exit_.code, int) else 2
    name = parser.prog
    try:
        policy = _load_policy(args.policy) if args.policy else Policy()
    except (OSError, ValueError) as error:
        print(f"{name}: error: bad policy: {error}", file=sys.stderr)
        return 2
    moderator = Moderator(policy)
    # Enough history for every time-based rule; older messages are dropped.
    horizon = max(policy.flood_window_seconds, policy.repeat_window_seconds, policy.min_interval_seconds)
    history: dict[str, list[tuple[float, str]]] = {}
    try:
        stream: TextIO
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as error:
        print(f"{name}: error: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    try:
        for number, text, author, time in _messages(stream):
            context = Context()
            if author is not None and time is not None:
                past = [item for item in history.get(author, []) if item[0] >= time - horizon]
                context = Context(now=time, recent=tuple(past))
                past.append((time, text))
                history[author] = past
            decision = moderator.check(text, context)
            if args.only_flagged and decision.verdict is Verdict.ALLOW:
                continue
            record = {"line": number, "text": text, **decision.to_dict()}
            print(json.dumps(record, ensure_ascii=False))
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 0
