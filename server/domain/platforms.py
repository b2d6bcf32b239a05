"""Live comments of the broadcast's own platform (YouTube, Facebook): what a source is, its health,
and when to poll it next. Pure: the HTTP clients live in server/platforms/, the poller in
server/service/importing.py.

A source is one event's link to one live chat: a YouTube video (whose `activeLiveChatId` is
looked up once) or a Facebook live video. Its `cursor` (YouTube's `nextPageToken`, Facebook's
`after` cursor) is persisted with every imported page, so a restart resumes where the last
committed page ended; platform message ids are the idempotency key of an import, so a page
fetched twice (a crash between fetch and commit, two processes during a lease takeover) never
makes two items.

Health, as staff see it:

    starting      connected, nothing fetched yet
    ok            the last poll succeeded
    rate_limited  the platform asked us to slow down (YouTube 403 rateLimitExceeded, 429;
                  Facebook codes 4, 17, 32, 613): polling backs off exponentially
    unreachable   network error, timeout or 5xx: polling backs off exponentially
    quota         YouTube's daily quota is spent (403 quotaExceeded): retried slowly
    ended         the chat is over or gone (YouTube liveChatEnded / liveChatNotFound, a video
                  without an active chat; Facebook code 100 on the video): polling stops
    revoked       the key or token is refused (401, 403 forbidden, Facebook 190 OAuthException):
                  polling stops until the organizer connects the source again
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Platform = Literal["youtube", "facebook"]
PLATFORMS: tuple[Platform, ...] = ("youtube", "facebook")
Health = Literal["starting", "ok", "rate_limited", "unreachable", "quota", "ended", "revoked"]
HEALTHS: tuple[Health, ...] = ("starting", "ok", "rate_limited", "unreachable", "quota", "ended", "revoked")
STOPPED: frozenset[Health] = frozenset({"ended", "revoked"})
"""States that a poll cannot leave on its own: the organizer reconnects the source."""

LABELS: dict[Platform, str] = {"youtube": "YouTube", "facebook": "Facebook"}
MIN_INTERVAL = 1.0  # never poll faster than this, whatever a platform (or a stand-in) says
DEFAULT_INTERVAL = 5.0  # Facebook gives no polling interval: a few seconds keeps well under its limits
MAX_BACKOFF = 300.0
QUOTA_RETRY = 900.0  # YouTube's quota resets daily; looking every 15 minutes costs next to nothing
MAX_AUTHOR_NAME = 60  # the participant table's name column
MAX_TARGET = 128


class PlatformFailure(Exception):
    """A poll failed in a way staff should see: `health` says how, `detail` is the platform's words."""

    def __init__(self, health: Health, detail: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(f"{health}: {detail}")
        self.health = health
        self.detail = detail[:300]
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Comment:
    """One live comment as a platform gave it."""

    message_id: str  # the platform's id: the idempotency key of its import
    author_id: str  # YouTube channel id, Facebook user id ("" when the platform withholds it)
    author_name: str
    text: str
    published_at: str = ""  # the platform's ISO 8601 timestamp, kept for the audit only


@dataclass(frozen=True, slots=True)
class Page:
    """What one poll returned: new comments in platform order, where to resume, how long to wait."""

    comments: tuple[Comment, ...]
    cursor: str | None
    wait_seconds: float = DEFAULT_INTERVAL
    ended: bool = False  # YouTube's `offlineAt`: the stream is over, this is the last page


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    event_id: int
    platform: Platform
    target: str  # YouTube video id or Facebook live video id
    chat_id: str = ""  # YouTube's activeLiveChatId once looked up
    cursor: str | None = None
    health: Health = "starting"
    detail: str = ""
    failures: int = 0  # consecutive failed polls, for the back-off
    imported: int = 0
    token_env: str = ""  # the name of an environment variable holding the token, if not stored
    updated_at: float = 0.0
    polled_at: float | None = None
    post_replies: bool = False  # the organizer's switch: moderators' replies go back to the platform
    reply_health: Health | None = None  # how the last attempt to post a reply went
    reply_detail: str = ""
    replies_posted: int = 0

    @property
    def label(self) -> str:
        return LABELS[self.platform]

    @property
    def stopped(self) -> bool:
        return self.health in STOPPED

    def staff(self) -> dict[str, object]:
        """What staff see of a source: never its token."""
        return {
            "id": self.id,
            "platform": self.platform,
            "label": self.label,
            "target": self.target,
            "health": self.health,
            "detail": self.detail,
            "imported": self.imported,
            "polled_at": self.polled_at,
            "token_from_env": bool(self.token_env),
            "post_replies": self.post_replies,
            "reply_health": self.reply_health,
            "reply_detail": self.reply_detail,
            "replies_posted": self.replies_posted,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """A moderator's reply to an imported comment, waiting in the outbox to be posted once."""

    id: int
    source_id: int
    parent_id: str  # the platform's id of the comment answered (Facebook posts under it)
    text: str
    attempts: int = 0


REPLY_RETRY_STOP: frozenset[Health] = frozenset({"ended", "revoked"})
"""Failures after which a reply is not tried again: the platform refuses it for good."""
MAX_REPLY_ATTEMPTS = 8
MAX_REPLY = {"youtube": 200, "facebook": 8000}  # YouTube's messageText limit; Facebook's is far above ours


def reply_delay(health: Health, attempts: int, interval: float = DEFAULT_INTERVAL,
                retry_after: float | None = None) -> float | None:
    """Seconds until a failed reply is tried again, None when it is given up: refused for good, or
    after MAX_REPLY_ATTEMPTS (about 20 minutes of doubling waits from 5 seconds)."""
    if health in REPLY_RETRY_STOP or attempts >= MAX_REPLY_ATTEMPTS:
        return None
    return next_delay(health, attempts, interval, retry_after)


def next_delay(health: Health, failures: int, interval: float, retry_after: float | None = None) -> float | None:
    """Seconds until the next poll, or None when polling stops (`ended`, `revoked`).

    Success waits the platform's interval (at least MIN_INTERVAL); rate limits and outages double
    the wait per consecutive failure from the interval up to MAX_BACKOFF, or wait what the
    platform asked (`Retry-After`) when that is longer; a spent quota waits QUOTA_RETRY.
    """
    if health in STOPPED:
        return None
    base = max(interval, MIN_INTERVAL)
    if health in ("ok", "starting"):
        return base
    if health == "quota":
        return QUOTA_RETRY
    backoff = min(base * 2.0 ** max(failures, 1), MAX_BACKOFF)
    return max(backoff, retry_after) if retry_after is not None else backoff


def author_key(platform: Platform, comment: Comment) -> str:
    """Who wrote it, stable per platform account and at most 57 characters: the moderation history
    (flood, repeats), mutes and bans of an imported author hang on this. Without an author id, the
    name stands in."""
    who = comment.author_id or "name:" + comment.author_name
    return f"{platform}:" + hashlib.sha256(who.encode()).hexdigest()[:48]


def display_name(comment: Comment) -> str:
    return " ".join(comment.author_name.split())[:MAX_AUTHOR_NAME]
