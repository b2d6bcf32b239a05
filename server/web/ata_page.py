"""The ata as a printable HTML page: the same document the PDF lays out, with no script and no
inline style (static/css/ata.css holds the layout and the print rules). The footer line with the
fingerprint is fixed to the page, so a browser prints it at the foot of every page."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def render(document: Mapping[str, Any], footer: str, base_url: str = "") -> str:
    lang = str(document.get("lang", "en"))
    parts = [
        f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(document.get('title'))}</title>",
        f'<link rel="stylesheet" href="{e(base_url.rstrip("/"))}/static/css/ata.css"></head>',
        f'<body><main class="ata"><h1>{e(document.get("title"))}</h1>',
        *(_block(block) for block in document.get("blocks", [])),
        f'</main><footer class="ata-footer"><p>{e(footer)}</p></footer></body></html>',
    ]
    return "".join(parts)


def _block(block: Mapping[str, Any]) -> str:
    kind = block["kind"]
    if kind in ("h2", "h3"):
        return f"<{kind}>{e(block['text'])}</{kind}>"
    if kind == "p":
        return f"<p>{e(block['text'])}</p>"
    if kind == "note":
        return f'<section class="ata-note"><h4>{e(block["label"])}</h4><p>{e(block["text"])}</p></section>'
    if kind == "table":
        head = "".join(f'<th scope="col">{e(cell)}</th>' for cell in block["header"])
        rows = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in block["rows"])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    raise ValueError(f"unknown block kind {kind!r}")
