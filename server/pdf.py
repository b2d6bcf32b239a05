"""PDF documents laid out from block documents (the ata of server/domain/ata.py, certificates).

fpdf2 (pure Python, LGPL, on PyPI with no system packages) writes the PDF; the text is set
in DejaVu Sans, vendored in server/fonts/ with its licence (Bitstream Vera / public domain),
embedded and subset so Portuguese and Polish letters (ç, ã, ł, ż, ę) print and can be
searched and copied. Every page carries a footer line: the document's fingerprint when it is
final, or the words that say it is a draft, and the page number. Text is set flush left:
fpdf2's default justification stretches spaces, which text extraction then reads as several.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


class _Paper(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(80, 80, 80)
        self.multi_cell(0, 3.5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def render(document: Mapping[str, Any], footer: str, title: str = "") -> bytes:
    """The PDF of `document` (`{"title", "blocks"}`); `footer` is printed on every page."""
    return render_pages([document], footer, title or str(document.get("title", "")))


def render_pages(documents: Sequence[Mapping[str, Any]], footer: str, title: str) -> bytes:
    """One PDF holding each document from a new page (certificates issued in bulk)."""
    paper = _Paper(footer)
    paper.set_title(title)
    paper.set_creator("Plenária")
    for document in documents:
        paper.add_page()
        paper.set_font(FAMILY, "B", 15)
        paper.multi_cell(0, 7, str(document.get("title", "")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        paper.ln(2)
        for block in document.get("blocks", []):
            _block(paper, block)
    return bytes(paper.output())


def _block(paper: _Paper, block: Mapping[str, Any]) -> None:
    kind = block["kind"]
    if kind == "h2":
        paper.ln(3)
        paper.set_font(FAMILY, "B", 12.5)
        paper.multi_cell(0, 6.5, block["text"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif kind == "h3":
        paper.ln(1.5)
        paper.set_font(FAMILY, "B", 10.5)
        paper.multi_cell(0, 5.5, block["text"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif kind == "p":
        paper.set_font(FAMILY, "", 9.5)
        paper.multi_cell(0, 5, block["text"], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif kind == "note":
        paper.set_font(FAMILY, "B", 9)
        paper.multi_cell(0, 5, block["label"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        paper.set_font(FAMILY, "", 9.5)
        paper.set_fill_color(245, 245, 240)
        paper.multi_cell(0, 5, block["text"], fill=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif kind == "table":
        paper.set_font(FAMILY, "", 8.5)
        with paper.table(headings_style=_bold(), line_height=4.6, padding=1) as table:
            for cells in [block["header"], *block["rows"]]:
                row = table.row()
                for cell in cells:
                    row.cell(str(cell))
    else:
        raise ValueError(f"unknown block kind {kind!r}")
    paper.ln(1)


def _bold() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD")
