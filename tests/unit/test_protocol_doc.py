"""docs/protocol.md documents every message server/wire.py defines, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from server import wire

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def documented() -> set[str]:
    return set(re.findall(r"^### `([a-z_.]+)`", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_message_is_documented() -> None:
    names = set(wire.INBOUND) | set(wire.OUTBOUND_TYPES) | set(wire.EVENT_NAMES)
    missing = names - documented()
    assert not missing, f"document these in docs/protocol.md: {sorted(missing)}"


def test_the_doc_names_no_message_the_server_lacks() -> None:
    names = set(wire.INBOUND) | set(wire.OUTBOUND_TYPES) | set(wire.EVENT_NAMES)
    stale = documented() - names
    assert not stale, f"docs/protocol.md describes messages the server does not have: {sorted(stale)}"
