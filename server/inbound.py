"""What every inbound value must be before anything else looks at it: JSON that both stores
and every client can hold.

Python's `json` accepts more than JSON: `NaN` and `Infinity` (which no client can read
back), `\\ud800` (a lone surrogate, which cannot be encoded as UTF-8 and so can be neither
stored nor sent), `\\u0000` (PostgreSQL text refuses NUL), numbers of thousands of digits,
and nesting deep enough to exhaust the interpreter's stack. `loads` refuses each with
its own code. The websocket (`server.wire`) and the HTTP API (`server.web.api`) read
JSON through it; `check_text` applies the same text rule to strings that arrive by
another road (URL paths, CSV bodies).

Integers are bounded where the schema names them (`MAX_ID` for ids, see server/wire.py),
to what the narrower store holds: PostgreSQL's INTEGER is 32-bit signed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from server.errors import InvalidMessage

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite holds 64 bits
MAX_SEQ = 2**53 - 1  # channel sequence numbers: exact in every JSON reader (IEEE doubles)
MAX_DEPTH = 16  # arrays and objects inside each other; the deepest valid message needs 5
MAX_DIGITS = 40  # an integer literal longer than this is no id or count of ours


def loads(data: str | bytes) -> Any:
    """Parse JSON strictly; raises InvalidMessage with `invalid_json`, `invalid_number`,
    `too_deep`, `invalid_unicode` or `nul_character`, and nothing else."""
    try:
        value = _DECODER.decode(data if isinstance(data, str) else data.decode(json.detect_encoding(data)))
    except InvalidMessage:
        raise
    except RecursionError:
        raise InvalidMessage(f"nested deeper than {MAX_DEPTH}", code="too_deep", limit=MAX_DEPTH) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidMessage("message is not valid JSON", code="invalid_json") from exc
    text = data if isinstance(data, str) else None
    # Fast paths: without a `\u` escape no string can hold NUL or a surrogate (raw control
    # characters are not JSON), and with few brackets nothing can be deep.
    strings = text is None or "\\u" in text
    deep = text is None or text.count("[") + text.count("{") > MAX_DEPTH
    if strings or deep:
        _walk(value, strings=strings)
    return value


def check_text(value: str, field: str = "") -> None:
    """Refuse text no store can hold: NUL (`nul_character`) or lone surrogates (`invalid_unicode`)."""
    if "\x00" in value:
        raise InvalidMessage(f"{field or 'text'}: NUL characters are not allowed", code="nul_character",
                             field=field or None)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidMessage(f"{field or 'text'}: not valid Unicode (a lone surrogate)",
                                 code="invalid_unicode", field=field or None) from None


def _walk(value: Any, *, strings: bool) -> None:
    """Depth and text of a parsed value, without recursion (the value may be ~1,000 deep)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise InvalidMessage(f"nested deeper than {MAX_DEPTH}", code="too_deep", limit=MAX_DEPTH)
            if isinstance(item, dict):
                if strings:
                    for key in item:
                        check_text(key)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
        elif strings and isinstance(item, str):
            check_text(item)


def _no_constant(name: str) -> Any:
    raise InvalidMessage(f"{name} is not a JSON number", code="invalid_number")


def _finite(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise InvalidMessage(f"number {literal[:20]} is out of range", code="invalid_number")
    return number


def _short_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise InvalidMessage(f"integer of {len(literal)} digits is out of range", code="invalid_number")
    return int(literal)


# One decoder, built once (json.loads with hooks would build one per call, doubling its cost).
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite, parse_int=_short_int)
