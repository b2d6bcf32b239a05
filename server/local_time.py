"""Moments (UNIX seconds) written as an event's people read them: its time zone, its language's
date order. One place for the printable report and the ata, so both print a time alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATE_FORMATS = {"pt-BR": "%d/%m/%Y %H:%M", "pl": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M", "es": "%d/%m/%Y %H:%M"}


def zone(name: str) -> tzinfo:
    """The named zone; UTC for an empty or unknown name (a report never fails on it)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def formatter(timezone: str, lang: str, *, clock: bool = True) -> Callable[[float | None], str]:
    """`when(at)`: `at` in `timezone` with `lang`'s date format (English's if unknown), with the
    time of day unless `clock` is False; "" for None."""
    where, fmt = zone(timezone), DATE_FORMATS.get(lang, DATE_FORMATS["en"])
    if not clock:
        fmt = fmt.split(" ")[0]

    def when(at: float | None) -> str:
        return "" if at is None else datetime.fromtimestamp(at, where).strftime(fmt)

    return when
