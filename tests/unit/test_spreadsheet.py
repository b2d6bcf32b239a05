"""CSV for spreadsheets: formulas stay text, numbers stay numbers, accents and quoting survive."""

from __future__ import annotations

import csv
import io

from server.domain.spreadsheet import inert, to_csv


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    for cell in ("=1+2", "+55 11", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert inert(cell) == "'" + cell
    for cell in ("Olá", "1+2=3", "", "'já citado"):
        assert inert(cell) == cell


def test_to_csv_quotes_keeps_accents_and_numbers() -> None:
    text = to_csv(("id", "text", "votes", "ok", "none"),
                  [[1, 'Zażółć "gęślą", jaźń\nação', -3, True, None], [2, "=HYPERLINK(\"x\")", 1.5, False, ""]])
    assert text.startswith("\ufeffid,text,votes,ok,none\r\n"), "a BOM, then the header"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["1", 'Zażółć "gęślą", jaźń\nação', "-3", "true", ""]
    assert rows[2] == ["2", "'=HYPERLINK(\"x\")", "1.5", "false", ""]
