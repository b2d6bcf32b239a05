"""The one error tree of Plenária.

Every refusal the core can make is a `PlenariaError` with a stable machine-readable
`code`. Only the web edge turns these into wire errors or HTTP statuses; the
domain, store and services raise them and never format responses themselves.
"""

from __future__ import annotations

from typing import Any


class PlenariaError(Exception):
    """A refusal with a stable `code` (snake_case) and a human `message`.

    `details` carries structured context a client may show (e.g. which ballot
    section is over its limit). The default `code` of each subclass can be
    narrowed per raise site.
    """

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidMessage(PlenariaError):
    """The message does not match its schema (bad JSON, unknown type, wrong field)."""

    code = "invalid_message"


class InvalidCommand(PlenariaError):
    """The message is well formed but its content breaks a domain rule."""

    code = "invalid_command"
    http_status = 422


class NotFound(PlenariaError):
    code = "not_found"
    http_status = 404


class Forbidden(PlenariaError):
    """The caller's role does not allow the command."""

    code = "forbidden"
    http_status = 403


class Unauthorized(PlenariaError):
    """A missing, wrong or revoked secret or staff token."""

    code = "unauthorized"
    http_status = 401


class Conflict(PlenariaError):
    """The command collides with current state (already decided, duplicate code...)."""

    code = "conflict"
    http_status = 409


class RateLimited(PlenariaError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code, retry_after=round(retry_after, 3))
        self.retry_after = retry_after


class PollClosed(PlenariaError):
    """A vote arrived when the poll was not open (before, after the deadline, paused)."""

    code = "poll_closed"
    http_status = 409


class BallotInvalid(InvalidCommand):
    """A ballot breaks the poll's rules; `details` says which section or option."""

    code = "ballot_invalid"


class Unavailable(PlenariaError):
    """A backing service (database, broker) cannot take the command now; retry later.

    Raised instead of acknowledging anything that is not durable.
    """

    code = "unavailable"
    http_status = 503
