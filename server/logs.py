"""Logging that keeps participants' data out of the logs by default.

uvicorn logs every websocket handshake with the client's address and path at
INFO; addresses are personal data (LGPD, GDPR), so those records are dropped
unless the operator asks for access logs. Plenária's own log lines name events,
codes and counts, never message text.
"""

from __future__ import annotations

import logging
import time
from typing import Any

_HANDSHAKE_MARKERS = ('"WebSocket ', "connection open", "connection closed")
# What uvicorn logs when a client sends something broken: the client's doing, not ours.
# uvicorn logs the first with a full traceback, and each of them once per bad frame or request.
_UVICORN_REFUSALS = (
    "Invalid UTF-8 sequence received from client.",
    "Invalid HTTP request received.",
    "Unsupported upgrade request.",
)
REFUSAL_INTERVAL = 10.0


class DropConnectionRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(marker in message for marker in _HANDSHAKE_MARKERS)


def refusal(key: str) -> dict[str, Any]:
    """`extra=` for a log call about an expected refusal (a client's bad input, a full server):
    `log.warning("...", extra=refusal("hello"))` logs one line, at most once per interval."""
    return {"refusal": key}


class QuietRefusals(logging.Filter):
    """Expected refusals log one line without a traceback, at most once per `interval` per
    kind, with the count of those left out since: anyone can send bad frames, nobody may
    fill the disk with them. Records of bugs pass untouched."""

    def __init__(self, interval: float = REFUSAL_INTERVAL) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = getattr(record, "refusal", None)
        if key is None and record.msg in _UVICORN_REFUSALS:
            key = str(record.msg)
        if key is None:
            return True
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if record.levelno > logging.WARNING:  # the client's fault, not an error of ours
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        now = time.monotonic()
        last, left_out = self._last.get(key, (float("-inf"), 0))
        if now - last < self.interval:
            self._last[key] = (last, left_out + 1)
            return False
        self._last[key] = (now, 0)
        if left_out:
            record.msg = f"{record.msg} ({left_out} more like it in the last {now - last:.0f} s)"
        return True


def log_config(level: str, *, access_log: bool) -> dict[str, Any]:
    """A dictConfig for uvicorn and Plenária's loggers."""
    filters = ["refusals"] if access_log else ["private", "refusals"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"private": {"()": DropConnectionRecords}, "refusals": {"()": QuietRefusals}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": filters},
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "plenaria": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
    }
