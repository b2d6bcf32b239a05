"""CSV that spreadsheets open safely: a header row, RFC 4180 quoting, UTF-8 text.

A cell a spreadsheet would run as a formula (text starting with `=`, `+`, `-`,
`@`, a tab or a carriage return) gets a leading apostrophe, so a chat message
like `=HYPERLINK(...)` stays text (CSV injection). Numbers are written as
numbers and never prefixed; None is an empty cell, booleans `true`/`false`.
The text starts with a UTF-8 byte-order mark: without it Excel reads the file as
Windows-1252 and garbles every "ç", "ã" and "ł" of Portuguese and Polish names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    """The text as a cell that no spreadsheet evaluates."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return inert(str(value))


BOM = "\ufeff"


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
    return out.getvalue()
