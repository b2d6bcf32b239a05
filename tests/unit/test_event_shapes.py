"""Event payloads: declared once in server/wire.py (EVENTS), described in docs/protocol.md, read
as declared by the browser's reducers. tests/conftest.py checks every event published in the
tests against the same declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import wire
from server.service.runner import Outcome

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
REDUCERS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "static" / "js").glob("*.js"))


def section(name: str) -> str:
    found = re.search(rf"^### `{re.escape(name)}`\n(.*?)(?=^#)", DOC, flags=re.MULTILINE | re.DOTALL)
    assert found, f"docs/protocol.md has no section for {name}"
    return found.group(1)


@pytest.mark.parametrize("name", wire.EVENT_NAMES)
def test_the_doc_names_every_key_or_the_whole_entity(name: str) -> None:
    text, shape = section(name), wire.EVENTS[name]
    if "whole" in text and shape.wraps is None:
        return  # "data is the whole poll": the entity is described once, above
    missing = {key for key in shape.keys | shape.optional if f'"{key}"' not in text and f"`{key}`" not in text}
    assert not missing, f"docs/protocol.md, {name}: describe {sorted(missing)}"


@pytest.mark.parametrize("name", [n for n, s in wire.EVENTS.items() if s.wraps])
def test_reducers_read_a_wrapped_entity_where_it_is_sent(name: str) -> None:
    start = rf'registerReducer\("{re.escape(name)}", '
    found = re.search(rf"{start}(.*?)\n\}}\);|{start}(.*?\}});", REDUCERS, flags=re.DOTALL)
    assert found, f"no reducer for {name}"
    body = found.group(1) or found.group(2)
    wraps = wire.EVENTS[name].wraps
    assert f"data.{wraps}" in body and f"data.{wraps} ||" not in body, f"{name}: read data.{wraps}, without a fallback"


def test_a_mismatch_is_named() -> None:
    assert wire.event_mismatch("chat.message", {"message": {"id": 1}}) is None
    assert "not a declared event" in str(wire.event_mismatch("chat.sent", {}))
    assert "declared" in str(wire.event_mismatch("chat.message", {"id": 1, "text": "bare"}))
    assert "under 'message'" in str(wire.event_mismatch("chat.message", {"message": "text"}))
    variant = wire.with_variant({"id": 1, "reason": "rejected"}, 7, "chat.removed", {"id": 1})
    assert "declared" in str(wire.event_mismatch("chat.removed", variant)), "the variant is checked too"


def test_the_conftest_check_sees_what_a_service_queues() -> None:
    out = Outcome()
    out.publish("ev:1:public", "chat.message", {"message": {"id": 1}})
    assert wire.event_mismatch(*out.events[0][1:]) is None
