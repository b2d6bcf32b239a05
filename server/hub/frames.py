"""A websocket text frame built once and written to every subscriber's transport.

Server-to-client frames are not masked (RFC 6455, section 5.1), so one event's
frame is the same bytes for every connection: fan-out can build it once and
hand the bytes to each transport, instead of encoding the text and framing it
again per connection. Valid only while permessage-deflate is off (it is: see
server/cli.py) and only between whole frames, which holds because every write
happens on the event loop in one call.
"""

from __future__ import annotations

import struct

FIN_TEXT = 0x81


def text_frame(payload: bytes) -> bytes:
    """The complete unmasked FIN text frame carrying `payload` (UTF-8)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", FIN_TEXT, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", FIN_TEXT, 127, size)
    return header + payload
