"""The all-caps ("shouting") check."""

from __future__ import annotations

import re

# re has no Unicode-category class for uppercase, so build one from the code
# points chat text realistically uses (Latin, Greek, Cyrillic, full-width
# forms). Built once at import; uppercase outside them is simply not counted.
_RANGES = [*range(0x41, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x2000), *range(0xFF21, 0xFF5B)]
_UPPER = re.compile("[" + "".join(re.escape(chr(c)) for c in _RANGES if chr(c).isupper()) + "]")
_LETTER = re.compile(r"[^\W\d_]")


def is_shouting(text: str, min_letters: int, ratio: float) -> bool:
    """True when `text` has at least `min_letters` letters and the share of
    uppercase letters among them is above `ratio`."""
    if text.islower():
        return False
    upper = len(_UPPER.findall(text))
    # upper <= letters, so shouting needs upper > ratio * min_letters; most
    # messages fail that and never pay for counting every letter.
    if upper <= ratio * min_letters:
        return False
    letters = len(_LETTER.findall(text))
    return letters >= min_letters and upper / letters > ratio
