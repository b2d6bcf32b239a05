"""The pre-built fan-out frame is byte for byte what the websockets library would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from server.hub.frames import text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_frame_matches_the_library(size: int) -> None:
    payload = ("ç" * size).encode()[:size]
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame(payload) == expected
