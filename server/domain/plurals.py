"""Plural categories of whole numbers, as `Intl.PluralRules` gives them in the browser (CLDR).

The pages choose plural forms with `Intl.PluralRules`; what the server writes itself (the
printable report) chooses them here, by the same rules, for the four languages Plenária speaks.
A language's forms are a mapping of category to word; `zero`, when given, is used for 0 (as the
pages' i18n files do: Portuguese says "0 votos" where CLDR files 0 under "one").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Category = Literal["zero", "one", "few", "many", "other"]


def category(lang: str, n: int) -> Category:
    """CLDR cardinal category of the non-negative integer `n` in `lang` (pt-BR, pl, en, es)."""
    base = lang.split("-")[0].lower()
    millions = n != 0 and n % 1_000_000 == 0  # "1 milhão de votos": CLDR's `many` in pt and es
    if base == "pt":
        return "one" if n in (0, 1) else "many" if millions else "other"
    if base == "pl":
        if n == 1:
            return "one"
        if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
            return "few"
        return "many"
    if base == "es":
        if n == 1:
            return "one"
        return "many" if millions else "other"
    return "one" if n == 1 else "other"


def form(lang: str, n: int, forms: Mapping[str, str]) -> str:
    """The word for `n` among `forms` (falling back to `other`)."""
    if n == 0 and "zero" in forms:
        return forms["zero"]
    return forms.get(category(lang, n), forms["other"])
