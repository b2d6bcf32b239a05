"""Every error code the server can send has a string in the four languages of the pages.

Codes are collected from the source, not listed by hand: every `code="..."` given to an error
class of server/errors.py or to a CSV row `problem` in server/ and moderation/ (string
constants chosen by a conditional too), `{"code": "...", "message": ...}` dict literals, and the default `code`
of every error class. A `code=` whose value is not literal text fails the test: a new dynamic
code would escape the check.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("pt-BR", "pl", "en", "es")
# Close codes of `bye` frames and the kinds of `details`, not error codes.
NOT_ERRORS = frozenset({"error"})  # PlenariaError's own placeholder; every raise narrows it


def literal_codes(node: ast.expr, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return literal_codes(node.body, where) | literal_codes(node.orelse, where)
    if isinstance(node, ast.Name) and node.id == "code":
        return set()  # passed through (an error class's own constructor)
    raise AssertionError(f"{where}: code={ast.unparse(node)} is not literal text: spell the codes out")


def error_classes() -> set[str]:
    """PlenariaError and every class deriving from it (server/errors.py)."""
    tree = ast.parse((ROOT / "server" / "errors.py").read_text(encoding="utf-8"))
    names = {"PlenariaError"}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in names for b in node.bases):
            names.add(node.name)
    return names


def server_codes() -> set[str]:
    raising = error_classes() | {"problem"}
    codes: set[str] = set()
    for path in sorted([*(ROOT / "server").rglob("*.py"), *(ROOT / "moderation").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in raising:
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        codes |= literal_codes(keyword.value, where)
            elif isinstance(node, ast.Dict):
                # An error body built by hand: {"code": ..., "message": ...}.
                keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}
                if "message" in keys and isinstance(keys.get("code"), ast.Constant):
                    codes.add(str(keys["code"].value))  # type: ignore[union-attr]
            elif isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                            and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == "code"):
                        codes |= literal_codes(statement.value, where)
    return codes - NOT_ERRORS


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = server_codes()
    # One of each way a code is written: a raise, a class default, a dict literal, a row problem.
    assert {"already_decided", "ballot_invalid", "invalid_message", "unknown_segment", "chat_closed"} <= codes
    assert len(codes) > 70


def test_every_error_code_has_a_translation_in_every_language() -> None:
    codes = server_codes()
    for lang in LANGS:
        strings = json.loads((ROOT / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        missing = sorted(code for code in codes if f"error.{code}" not in strings)
        assert not missing, f"{lang}.json lacks error.<code> for {missing}"
