"""One declaration per command (server/web/commands.py): everything else derives from it or is
checked against it here: the wire shapes, docs/protocol.md and the browser's command list."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from server import wire
from server.web.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
JS_LIST = ROOT / "static" / "js" / "commands.js"
NOT_COMMANDS = {"hello", "ping"}


def js_command_list() -> str:
    """What static/js/commands.js must hold (`python tests/unit/test_commands.py` writes it)."""
    entries = "".join(f"  {json.dumps(name)}: {json.dumps(sorted(d.roles))},\n" for name, d in sorted(COMMANDS.items()))
    return (
        "// Every command the server accepts and the roles that may send it. Generated from\n"
        "// server/web/commands.py by `python tests/unit/test_commands.py`; a test fails when they differ.\n"
        f"export const COMMANDS = Object.freeze({{\n{entries}}});\n"
    )


def test_every_wire_command_is_declared_once_and_nothing_else_is() -> None:
    assert set(COMMANDS) == set(wire.INBOUND) - NOT_COMMANDS
    for name, declared in COMMANDS.items():
        assert wire.INBOUND[name] is declared.shape
        assert issubclass(declared.shape, wire.Command), name
        assert declared.roles, f"{name} may be sent by nobody"


def test_the_protocol_doc_has_a_heading_per_command() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z_.]+)`", doc, flags=re.MULTILINE))
    assert set(COMMANDS) <= headings, sorted(set(COMMANDS) - headings)


def test_the_browser_command_list_is_the_declared_one() -> None:
    assert JS_LIST.read_text(encoding="utf-8") == js_command_list(), (
        "static/js/commands.js is stale: run `python tests/unit/test_commands.py`")


def test_pages_send_only_declared_commands() -> None:
    sent: set[str] = set()
    for path in (ROOT / "static" / "js").glob("*.js"):
        sent |= set(re.findall(r"\b(?:send|run)\(\"([a-z_]+\.[a-z_.]+)\"", path.read_text(encoding="utf-8")))
    assert sent, "the pattern matched nothing: the pages' calls changed shape"
    assert sent <= set(COMMANDS), sorted(sent - set(COMMANDS))


if __name__ == "__main__":
    JS_LIST.write_text(js_command_list(), encoding="utf-8")
    sys.exit(0)
