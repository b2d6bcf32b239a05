"""Chat messages and questions: their states, moderation routing, upvotes, pins and merges.

Pure rules. A chat message or question is an `Item`; every function here takes
items and returns the changed items (or raises), and the service persists
exactly those. Lifecycle:

    chat:      held -> published -> deleted          held -> rejected
    question:  held -> published <-> answered -> archived
               held -> rejected; held|published|answered -> merged (into another)
               published|answered|archived -> deleted
    both:      held|published|answered -> hidden -> published     hidden -> deleted

`hidden` is the shadow-hide: nobody but the author sees the item, and the author sees
it as published (`own()` and `as_author_sees()` say so), so a troll is not told to
rephrase. A rejection may carry a preset reason (`REJECT_PRESETS`, translated on the
author's page) and a moderator's note; only the author is shown either. A question may
carry a moderator's short text reply, public with it.

A new item's first state comes from the moderation verdict (`route`): block ->
rejected (automatically, no human decision yet, so a moderator may still approve
a false positive), review -> held, allow -> published (held under pre-moderation).
An item takes exactly one human decision while held or auto-blocked: the loser
of two moderators racing gets `already_decided` naming the winner.

Upvotes: once per participant per question, never on one's own question (an
author's interest is implied by asking), only while the question is published.
A merge moves the duplicate's voters to the kept question as a set union: a
participant who upvoted both counts once; the kept question's author never
counts on their own question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from moderation import Verdict
from server.errors import Conflict, Forbidden, InvalidCommand

Kind = Literal["chat", "question"]
Status = Literal["held", "published", "answered", "archived", "rejected", "deleted", "merged", "hidden"]
Mode = Literal["post", "pre"]
KINDS: tuple[Kind, ...] = ("chat", "question")

PUBLIC_STATUSES: frozenset[str] = frozenset({"published", "answered"})
"""Statuses participants see (chat messages are only ever `published` among these)."""

REJECT_PRESETS: tuple[str, ...] = ("off_topic", "offensive", "personal_data", "spam", "duplicate", "answered")
"""Reasons a moderator picks when rejecting; the author's page shows them in the author's language."""

DELETABLE: frozenset[str] = frozenset({"published", "answered", "archived", "hidden"})
MAX_REPLY = 500
MAX_NOTE = 300

@dataclass(frozen=True, slots=True)
class Author:
    participant_id: int
    public_id: str
    name: str = ""
    anonymous: bool = False

    def public(self) -> dict[str, Any]:
        """What participants see: a name or nothing; never an id of the anonymous."""
        hidden = self.anonymous or not self.name
        return {"name": None if hidden else self.name, "anonymous": hidden}

    def staff(self) -> dict[str, Any]:
        """Moderators see who wrote it (to mute or ban), anonymous or not."""
        return {"id": self.public_id, "name": self.name or None, "anonymous": self.anonymous}


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: Kind
    author: Author
    text: str
    status: Status
    created_at: float
    verdict: str = "allow"  # the automatic verdict: allow | review | block
    reasons: tuple[Mapping[str, Any], ...] = ()  # moderation reasons (rule, verdict, detail, start, end)
    original_text: str | None = None  # the author's text when a moderator edited it
    decided_by: str = ""  # label of the human who decided it ("" while undecided)
    decided_at: float | None = None
    upvotes: int = 0
    pinned: bool = False
    merged_into: int | None = None
    answered_at: float | None = None
    version: int = 1
    reject_reason: str = ""  # one of REJECT_PRESETS, or "" (none given)
    reject_note: str = ""  # the moderator's own words to the author
    reply: str = ""  # a moderator's short public reply to a question
    reply_at: float | None = None
    reply_by: str = ""
    origin: str = ""  # the platform it was imported from (server/domain/platforms.py), "" when typed here

    @property
    def auto_blocked(self) -> bool:
        return self.status == "rejected" and not self.decided_by

    @property
    def undecided(self) -> bool:
        """Still open to exactly one human decision (held, or blocked by a rule)."""
        return not self.decided_by and self.status in ("held", "rejected")

    def public(self) -> dict[str, Any]:
        """The participant view of a published item (chat message or question)."""
        body: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "author": self.author.public(),
            "at": self.created_at,
        }
        if self.origin:
            body["origin"] = self.origin
        if self.kind == "question":
            body.update(
                status=self.status,
                upvotes=self.upvotes,
                pinned=self.pinned,
                answered_at=self.answered_at,
                reply={"text": self.reply, "at": self.reply_at} if self.reply else None,
                version=self.version,
            )
        return body

    def as_author_sees(self) -> Item:
        """A shadow-hidden item looks published to its author, and only to them."""
        return replace(self, status="published") if self.status == "hidden" else self

    def rejection(self) -> dict[str, Any] | None:
        """Why a moderator refused it, for its author only: a preset and/or a note."""
        if self.status != "rejected" or not (self.reject_reason or self.reject_note):
            return None
        return {"preset": self.reject_reason or None, "note": self.reject_note}

    def own(self) -> dict[str, Any]:
        """The author's view of their own item: its status, never the rules that fired."""
        shown = self.as_author_sees()
        body: dict[str, Any] = {"id": self.id, "kind": self.kind, "text": self.text, "status": shown.status,
                                "at": self.created_at}
        why = self.rejection()
        if why is not None:
            body["why"] = why
        if self.kind == "question":
            body.update(anonymous=self.author.anonymous, upvotes=self.upvotes, merged_into=self.merged_into)
        return body

    def staff(self) -> dict[str, Any]:
        """The moderator view: author identity, verdict, reasons with spans into `text`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "status": self.status,
            "author": self.author.staff(),
            "at": self.created_at,
            "verdict": self.verdict,
            "reasons": [dict(r) for r in self.reasons],
            "auto_blocked": self.auto_blocked,
            "original_text": self.original_text,
            "decided_by": self.decided_by or None,
            "decided_at": self.decided_at,
            "upvotes": self.upvotes,
            "pinned": self.pinned,
            "merged_into": self.merged_into,
            "reject_reason": self.reject_reason or None,
            "reject_note": self.reject_note,
            "reply": self.reply,
            "reply_at": self.reply_at,
            "reply_by": self.reply_by or None,
            "version": self.version,
            "origin": self.origin or None,
        }


def route(verdict: Verdict, mode: Mode) -> Status:
    """The first status of a new item: block -> rejected, review -> held, allow -> published or held (pre)."""
    if verdict == Verdict.BLOCK:
        return "rejected"
    if verdict == Verdict.REVIEW or mode == "pre":
        return "held"
    return "published"


def clean_text(text: str, limit: int) -> str:
    """The text as stored: stripped; raises when empty or over `limit` characters."""
    value = text.strip()
    if not value:
        raise InvalidCommand("the text is empty", code="empty_text", field="text")
    if len(value) > limit:
        raise InvalidCommand(f"the text is longer than {limit} characters", code="too_long", field="text",
                             limit=limit)
    return value


def _already_decided(item: Item) -> Conflict:
    return Conflict(
        f"this {item.kind} was already decided by {item.decided_by or 'an automatic rule'}",
        code="already_decided",
        by=item.decided_by or "auto",
        status=item.status,
    )


def approve(item: Item, by: str, now: float, text: str | None = None, limit: int = 500) -> Item:
    """Publish a held or auto-blocked item, optionally with a moderator's edited text."""
    if not item.undecided:
        raise _already_decided(item)
    changed = replace(item, status="published", decided_by=by, decided_at=now)
    if text is not None:
        edited = clean_text(text, limit)
        if edited != item.text:
            changed = replace(changed, text=edited, original_text=item.original_text or item.text)
    return changed


def promote(item: Item, by: str, now: float) -> Item:
    """A chat message (a comment imported from the broadcast, most often) becomes a published
    question, open to upvotes and the screen. Taking a held or auto-blocked message is its human
    decision too; one a moderator already refused, hid or deleted stays as it is."""
    if item.kind != "chat":
        raise InvalidCommand("only a chat message becomes a question", code="not_chat")
    if item.status not in ("held", "published", "rejected") or (item.status == "rejected" and item.decided_by):
        raise InvalidCommand(f"a {item.status} message cannot become a question", code="not_promotable",
                             status=item.status)
    return replace(item, kind="question", status="published", decided_by=item.decided_by or by,
                   decided_at=item.decided_at if item.decided_by else now)


def reject(item: Item, by: str, now: float, preset: str = "", note: str = "") -> Item:
    """Refuse a held item (an auto-blocked one is already rejected: that is a decision too),
    optionally saying why to its author: a preset of REJECT_PRESETS and/or a note."""
    if preset and preset not in REJECT_PRESETS:
        raise InvalidCommand(f"unknown reason {preset!r}", code="invalid_field", field="preset")
    if item.status != "held" or item.decided_by:
        raise _already_decided(item)
    return replace(item, status="rejected", decided_by=by, decided_at=now, reject_reason=preset,
                   reject_note=note.strip()[:MAX_NOTE])


def hide(item: Item, by: str, now: float) -> Item:
    """Shadow-hide: held or public content that only its author goes on seeing. Hiding a held
    item is its human decision."""
    if item.status == "hidden":
        return item
    if item.status == "held":
        if item.decided_by:
            raise _already_decided(item)
        return replace(item, status="hidden", decided_by=by, decided_at=now)
    if item.status not in PUBLIC_STATUSES:
        raise InvalidCommand(f"a {item.status} {item.kind} cannot be hidden", code="invalid_state",
                             status=item.status)
    return replace(item, status="hidden", pinned=False, answered_at=None)


def unhide(item: Item) -> Item:
    """Show a hidden item to everyone again."""
    if item.status == "published":
        return item
    if item.status != "hidden":
        raise InvalidCommand(f"a {item.status} {item.kind} is not hidden", code="invalid_state", status=item.status)
    return replace(item, status="published")


def reply(item: Item, text: str, by: str, now: float) -> Item:
    """Set (or, with an empty text, take back) a moderator's short public reply to a question."""
    _question(item)
    value = text.strip()
    if len(value) > MAX_REPLY:
        raise InvalidCommand(f"a reply is at most {MAX_REPLY} characters", code="too_long", field="text",
                             limit=MAX_REPLY)
    if value and item.status not in PUBLIC_STATUSES | {"archived"}:
        raise InvalidCommand(f"a {item.status} question cannot be replied to", code="invalid_state",
                             status=item.status)
    if not value:
        return replace(item, reply="", reply_at=None, reply_by="")
    if value == item.reply:
        return item
    return replace(item, reply=value, reply_at=now, reply_by=by)


def remove(item: Item, by: str, now: float) -> Item | None:
    """Take one item of a participant out of everyone's view ("remove all of this person's
    messages"): held -> rejected, public or hidden -> deleted; None when nothing is left to do."""
    if item.status == "held" and not item.decided_by:
        return reject(item, by, now)
    if item.status in DELETABLE:
        return delete(item, by, now)
    return None


def delete(item: Item, by: str, now: float) -> Item:
    """Remove published (or shadow-hidden) content (a held item is rejected instead)."""
    if item.status not in DELETABLE:
        if item.status == "deleted":
            raise Conflict("already deleted", code="already_decided", by=item.decided_by or "auto",
                           status=item.status)
        raise InvalidCommand(f"only published content can be deleted (this one is {item.status})",
                             code="not_published", status=item.status)
    return replace(item, status="deleted", pinned=False, decided_by=by, decided_at=now)


def _question(item: Item) -> None:
    if item.kind != "question":
        raise InvalidCommand("this is not a question", code="not_a_question")


def answer(item: Item, answered: bool, now: float) -> Item:
    """Mark a published question answered (or take the mark back)."""
    _question(item)
    if answered and item.status == "published":
        return replace(item, status="answered", answered_at=now)
    if not answered and item.status == "answered":
        return replace(item, status="published", answered_at=None)
    if item.status in ("published", "answered"):
        return item  # already so: nothing changes
    raise InvalidCommand(f"a {item.status} question cannot be marked answered", code="invalid_state",
                         status=item.status)


def archive(item: Item) -> Item:
    _question(item)
    if item.status == "archived":
        return item
    if item.status not in PUBLIC_STATUSES:
        raise InvalidCommand(f"a {item.status} question cannot be archived", code="invalid_state",
                             status=item.status)
    return replace(item, status="archived", pinned=False)


def pin(item: Item, pinned_now: Sequence[Item], pinned: bool) -> list[Item]:
    """Pin `item` (unpinning whichever other question was pinned: one at a time) or unpin it."""
    _question(item)
    if not pinned:
        return [replace(item, pinned=False)] if item.pinned else []
    if item.status not in PUBLIC_STATUSES:
        raise InvalidCommand(f"a {item.status} question cannot be pinned", code="invalid_state", status=item.status)
    changed = [replace(other, pinned=False) for other in pinned_now if other.id != item.id and other.pinned]
    if not item.pinned:
        changed.append(replace(item, pinned=True))
    return changed


def merge(source: Item, target: Item, by: str, now: float) -> Item:
    """Mark `source` a duplicate of `target`; returns the changed source (votes move in `merged_voters`).

    Merging a held duplicate is its human decision: it is never published on its own.
    """
    _question(source)
    _question(target)
    if source.id == target.id:
        raise InvalidCommand("a question cannot be merged into itself", code="invalid_merge")
    if source.status not in ("held", "published", "answered"):
        raise InvalidCommand(f"a {source.status} question cannot be merged", code="invalid_merge",
                             status=source.status)
    if target.status not in PUBLIC_STATUSES:
        raise InvalidCommand("merge into a published question", code="invalid_merge", status=target.status)
    changed = replace(source, status="merged", pinned=False, merged_into=target.id)
    return replace(changed, decided_by=by, decided_at=now) if source.status == "held" else changed


def merged_voters(source_voters: Iterable[int], target_voters: Iterable[int], target_author: int) -> set[int]:
    """The kept question's voters after a merge: the union, without its own author."""
    return (set(source_voters) | set(target_voters)) - {target_author}


def check_upvote(item: Item, participant_id: int) -> None:
    """Raise unless `participant_id` may upvote `item` now."""
    _question(item)
    if item.author.participant_id == participant_id:
        raise Forbidden("you cannot upvote your own question", code="own_question")
    if item.status != "published":
        raise InvalidCommand(f"a {item.status} question takes no upvotes", code="question_closed",
                             status=item.status)
