"""The moderate CLI (also `python -m moderation`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from moderation.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(list(argv), prog="plenaria moderate")
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_plain_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "chat.txt"
    export.write_text("Bom dia a todos!\n\nvai tomar no cu\nMeu CPF é 529.982.247-25\n", encoding="utf-8")
    code, records, err = run(capsys, str(export))
    assert code == 0 and err == ""
    assert [(r["line"], r["verdict"]) for r in records] == [(1, "allow"), (3, "block"), (4, "review")]
    assert records[1]["text"] == "vai tomar no cu"
    assert records[1]["reasons"] == [
        {"rule": "wordlist", "verdict": "block", "detail": "insult:pt", "start": 0, "end": 15}
    ]


def test_json_lines_build_context_per_author(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"text": "Quando começa a votação?", "author": "ana", "time": 0},
        {"text": "Quando começa a votação?", "author": "bia", "time": 1},
        {"text": "Quando começa a votação?", "author": "ana", "time": 5},
        {"text": "sem autor", "time": 6},
        "not json {",
    ]
    export = tmp_path / "chat.jsonl"
    rows = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, records, _ = run(capsys, str(export), "--only-flagged")
    assert code == 0
    summary = [(r["line"], r["verdict"], [x["rule"] for x in r["reasons"]]) for r in records]  # type: ignore[attr-defined]
    assert summary == [(3, "block", ["repeat"])]


def test_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"links": "block", "blocked_terms": ["golpista"]}), encoding="utf-8")
    export = tmp_path / "chat.txt"
    export.write_text("veja exemplo.com/x\nseu golpista\n", encoding="utf-8")
    code, records, _ = run(capsys, str(export), "--policy", str(policy))
    assert code == 0
    assert [r["verdict"] for r in records] == ["block", "block"]


def test_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, records, err = run(capsys, str(tmp_path / "missing.txt"))
    assert (code, records) == (2, [])
    assert err.startswith("plenaria moderate: error: cannot read")

    bad = tmp_path / "bad.json"
    bad.write_text("{links: block}", encoding="utf-8")
    code, _, err = run(capsys, "--policy", str(bad), str(tmp_path / "missing.txt"))
    assert code == 2 and "not valid JSON" in err

    bad.write_text(json.dumps({"links": "sometimes"}), encoding="utf-8")
    code, _, err = run(capsys, "--policy", str(bad))
    assert code == 2 and "policy.links must be one of" in err

    code, _, err = run(capsys, "--no-such-flag")
    assert code == 2 and "plenaria moderate" in err


def test_stdin_via_python_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "moderation", "-", "--only-flagged"],
        input="olá\nkurwa\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["line"] == 2 and record["verdict"] == "block"
