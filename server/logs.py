"""Logging that keeps participants' data out of the logs by default.

uvicorn logs every websocket handshake with the client's address and path at
INFO; addresses are personal data (LGPD, GDPR), so those records are dropped
unless the operator asks for access logs. Plenária's own log lines name events,
codes and counts, never message text.
"""

from __future__ import annotations

import logging
from typing import Any

_HANDSHAKE_MARKERS = ('"WebSocket ', "connection open", "connection closed")


class DropConnectionRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(marker in message for marker in _HANDSHAKE_MARKERS)


def log_config(level: str, *, access_log: bool) -> dict[str, Any]:
    """A dictConfig for uvicorn and Plenária's loggers."""
    filters = [] if access_log else ["private"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"private": {"()": DropConnectionRecords}},
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
