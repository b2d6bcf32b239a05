"""Spotting personal data a participant should not broadcast.

CPF and PESEL numbers are accepted only with valid check digits, so an
arbitrary 11-digit number is not flagged as one; phone numbers need a
phone-like shape (country code, area code in parentheses, or the usual
grouping), which keeps years, vote counts and "10 propostas" out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_DOMAIN_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@" + _DOMAIN_LABEL + r"(?:\." + _DOMAIN_LABEL + r")*\.[^\W\d_]{2,}(?![\w-])")
_CPF_FORMATTED = re.compile(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d])")
_ELEVEN_DIGITS = re.compile(r"(?<![\d.,/-])\d{11}(?![\d])")
_NUMBER_END = r"(?![\d])(?![.,]\d)(?![\s-]\d)"
_PHONE_PATTERNS = (
    # International: +CC then digit groups; the digit count is checked after.
    re.compile(r"(?<![\w+])\+\s?\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?![\d])"),
    # Brazil: (11) 91234-5678, (11) 3456-7890, 11 91234-5678, 91234-5678
    re.compile(r"(?<![\d(])(?:\(\d{2}\)\s?|\d{2}\s)?9\d{4}[-\s]\d{4}(?![\d])"),
    re.compile(r"(?<![\d(])(?:\(\d{2}\)\s?)(?:[2-5]\d{3})[-\s]?\d{4}(?![\d])"),
    # Poland: 600 123 456, 600-123-456, 600 12 34 56, 22 123 45 67, (22) 123 45 67. A comma or a
    # full stop may follow (end of a sentence), but no further digits (a decimal, a longer number).
    re.compile(r"(?<![\d.,])(?<!\d[.,])\d{3}([\s-])\d{3}\1\d{3}" + _NUMBER_END),
    re.compile(r"(?<![\d.,])\d{3}([\s-])\d{2}\1\d{2}\1\d{2}" + _NUMBER_END),
    re.compile(r"(?<![\d.,])\d{2}([\s-])\d{3}\1\d{2}\1\d{2}" + _NUMBER_END),
    re.compile(r"(?<![\d(])\(\d{2}\)\s?\d{3}([\s-]?)\d{2}\1\d{2}" + _NUMBER_END),
)
# Nine digits in one block are a phone only where the text says so ("mój telefon to 600123456").
_NINE_DIGITS = re.compile(r"(?<![\d.,/-])\d{9}" + _NUMBER_END)
_PHONE_CUE = re.compile(
    r"(?:tel|telefon\w*|numer\w*|nr|kom|kom[oó]rk\w*|dzwo\w*|zadzwo\w*|sms|whats\w*|zap|phone|call|"
    r"n[uú]mero|ligu\w*|liga|celular|m[oó]vil|ll[aá]ma\w*)\W{1,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
# Spaced groups are also how Polish and Portuguese write thousands: "600 123 456 zł" is money.
_AMOUNT_BEFORE = re.compile(r"(?:r\$|\$|€|£|zł|pln|eur|usd|us\$)\s?$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(
    r"\s?(?:zł|zl\b|złot\w*|zlot\w*|pln|eur\w*|€|usd|\$|reais|real\b|mln|tys|mil\b|milh\w*|d[oó]lar\w*|pesos|"
    r"os[oó]b|people|pessoas|personas|votos|g[lł]os\w*|(?:to|a|do|at[eé]|hasta)\s\d|[-–]\s?\d)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# A run of digits with phone/ID punctuation in between. Every kind of number
# we look for lies inside one such run, so the specific patterns are only run
# over runs holding at least 8 digits; the run pattern starts with a
# character class, which the regex engine scans for quickly.
_NUMBER_RUN = re.compile(r"[+(\d](?:[\s().+-]{0,3}\d)+")
_MIN_DIGITS = 8


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its span in the text and its kind."""

    start: int
    end: int
    kind: str  # "cpf", "pesel", "phone" or "email"


def valid_cpf(digits: str) -> bool:
    """True for an 11-digit Brazilian CPF with correct check digits.

    Repeated-digit numbers (111.111.111-11) satisfy the arithmetic but are not
    issued, so they are rejected.
    """
    if len(digits) != 11 or not digits.isdigit() or digits == digits[0] * 11:
        return False
    numbers = [int(d) for d in digits]
    for length in (9, 10):
        total = sum(n * w for n, w in zip(numbers[:length], range(length + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != numbers[length]:
            return False
    return True


def valid_pesel(digits: str) -> bool:
    """True for an 11-digit Polish PESEL with a valid checksum and birth date."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    if (10 - sum(n * w for n, w in zip(numbers, weights, strict=False)) % 10) % 10 != numbers[10]:
        return False
    # The month carries the century (+20 for 2000s, +80 for 1800s...).
    month = int(digits[2:4]) % 20
    day = int(digits[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def _brazilian_mobile(digits: str) -> bool:
    # Area codes are 11..99 with no zero digit; mobiles have 9 digits from 9.
    return len(digits) == 11 and "0" not in digits[:2] and digits[2] == "9"


def find_personal_data(text: str, prefer_pesel: bool = False) -> Iterator[Finding]:
    """Personal data in `text`, in order of discovery, never overlapping.

    An 11-digit number valid as both CPF and PESEL is reported once, as
    PESEL when `prefer_pesel` (the event lists Polish before Portuguese).
    """
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    if "@" in text:
        for match in _EMAIL.finditer(text):
            taken.append(match.span())
            yield Finding(match.start(), match.end(), "email")
    for run in _NUMBER_RUN.finditer(text):
        start, end = run.span()
        if len(_DIGIT.findall(run.group())) < _MIN_DIGITS:
            continue
        for finding in _numbers(text, start, end, prefer_pesel):
            if free(finding.start, finding.end):
                taken.append((finding.start, finding.end))
                yield finding


def _numbers(text: str, start: int, end: int, prefer_pesel: bool) -> Iterator[Finding]:
    """CPF, PESEL and phone candidates within ``text[start:end]``, most
    specific first (the caller drops overlaps)."""
    # endpos hides what follows the run from lookaheads, but the run already
    # ends at a digit boundary; lookbehinds still see the text before `start`.
    stop = min(len(text), end + 1)
    for match in _CPF_FORMATTED.finditer(text, start, stop):
        if valid_cpf(re.sub(r"\D", "", match.group())):
            yield Finding(match.start(), match.end(), "cpf")
    for match in _ELEVEN_DIGITS.finditer(text, start, stop):
        digits = match.group()
        kinds = [kind for kind, ok in (("cpf", valid_cpf(digits)), ("pesel", valid_pesel(digits))) if ok]
        if prefer_pesel:
            kinds.reverse()
        if not kinds and _brazilian_mobile(digits):
            kinds = ["phone"]
        if kinds:
            yield Finding(match.start(), match.end(), kinds[0])
    for pattern in _PHONE_PATTERNS:
        for match in pattern.finditer(text, start, stop):
            if _MIN_DIGITS <= len(_DIGIT.findall(match.group())) <= 15 and not _amount(text, match.start(),
                                                                                        match.end()):
                yield Finding(match.start(), match.end(), "phone")
    for match in _NINE_DIGITS.finditer(text, start, stop):
        if _PHONE_CUE.search(text, max(0, match.start() - 30), match.start()):
            yield Finding(match.start(), match.end(), "phone")


def _amount(text: str, start: int, end: int) -> bool:
    """A spaced number next to a currency, a unit or a range ("600 123 456 zł", "R$ 600 123 456")."""
    return bool(_AMOUNT_BEFORE.search(text, max(0, start - 4), start) or _AMOUNT_AFTER.match(text, end))
