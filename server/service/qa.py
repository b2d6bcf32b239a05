"""Chat and Q&A for participants: send, ask, upvote; and the chat/Q&A part of every snapshot.

Each command runs in one CommandRunner transaction (exactly once per command
id, publish after commit). What the moderation rules need to know about the
author (recent attempts for flood and repeats, mute and ban) is read from the
store, so it holds however many processes serve the event.

Refusals that the author can act on are errors, not moderation decisions:
`slow_mode` and `muted` (with `retry_after`), `banned`, `too_long`,
`empty_text`, `anonymous_not_allowed`, `chat_closed`, `questions_closed`.
Everything else becomes an item whose first status follows the verdict
(server/domain/qa.py `route`); the author's ack says which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moderation import Context, Decision, Moderator, Policy, Verdict
from server.channels import ChannelKind, channel
from server.domain import qa as rules
from server.domain.audit import AUTO, Actor, AuditEntry
from server.domain.qa import Author, Item, Kind
from server.errors import Forbidden, InvalidCommand, NotFound, RateLimited
from server.identity import Identity
from server.service.periodic import Coalescer
from server.service.runner import CommandRunner, Outcome
from server.store import Unit
from server.store import audit as audit_store
from server.store import items as item_store
from server.store import participants as people
from server.store import qa_settings as settings_store
from server.store import upvotes as upvote_store

RECENT_CHAT = 100
OWN_ITEMS = 50
QUEUE_LIMIT = 500
STAFF_RECENT = 100
AUDIT_RECENT = 100
PRE_MODERATION = {"rule": "pre_moderation", "verdict": "review", "detail": "", "start": 0, "end": 0}


@functools.lru_cache(maxsize=64)
def moderator_for(policy: Policy) -> Moderator:
    """Compiled once per distinct policy (word lists and patterns are the costly part)."""
    return Moderator(policy)


@functools.lru_cache(maxsize=16)
def short_text_checker(policy: Policy) -> Callable[[str], Decision]:
    """`check(text)` of word-cloud answers and display names under `policy`, memoised per text: a
    word cloud is counted again several times a second, and many people write the same words."""
    moderator = moderator_for(policy)

    @functools.lru_cache(maxsize=10_000)
    def check(text: str) -> Decision:
        return moderator.check(text)

    return check


async def check_name(db: Unit, event_id: int, name: str) -> None:
    """Refuse a display name the event's rules would not publish as it is (`name_refused`): a name
    is shown beside everything its owner writes, and nobody reviews it first."""
    if not name:
        return
    settings, _ = await settings_store.settings(db, event_id)
    if short_text_checker(settings.policy_for_short_text())(name).verdict is not Verdict.ALLOW:
        raise InvalidCommand("This name cannot be shown in this event; choose another.", code="name_refused",
                             field="name")


def actor_of(who: Identity) -> Actor:
    if who.role == "organizer":
        return Actor("organizer", None, "organizer")
    return Actor("staff", who.staff_id, who.name or who.role)


def announce(out: Outcome, event_id: int, before: Item | None, after: Item, *, republish: bool = False) -> None:
    """Publish one item's change: participants see only published content, staff see everything.

    `republish`: the public form of a published item changed without its status (an erasure
    took its author away), so a chat message already shown is sent again (`chat.message`
    upserts by id).

    A public item that stops being public is announced as `*.removed` with the
    reason; so is a held item a moderator rejects (only its author's page knows
    that id and can mark it "not published"), and the author's own connections
    get the moderator's reason with it. A shadow-hidden item is removed for
    everyone but its author, whose connections get it again as published
    (`server.wire.VARIANT`): from the author's side nothing happened.
    """
    public, staff = channel(event_id, "public"), channel(event_id, "staff")
    out.publish(staff, "mod.item", {"item": after.staff()})
    was_public = before is not None and before.status in rules.PUBLIC_STATUSES
    author = after.author.participant_id
    if after.status in rules.PUBLIC_STATUSES:
        if after.kind == "question":
            out.publish(public, "question.updated", {"question": after.public()})
        elif not was_public or republish:
            out.publish(public, "chat.message", {"message": after.public()})
    elif after.status == "hidden":
        if before is None or before.status != "hidden":
            removed = {"id": after.id, "reason": "deleted" if was_public else "rejected"}
            seen = public_event(after.as_author_sees())
            out.publish(public, f"{after.kind}.removed", removed, variant=(author, *seen))
    elif was_public or (before is not None and (after.status == "rejected" or before.status == "hidden")):
        gone: dict[str, Any] = {"id": after.id, "reason": after.status}
        if after.merged_into is not None:
            gone["into"] = after.merged_into
        why = after.rejection()
        variant = (author, f"{after.kind}.removed", gone | {"why": why}) if why is not None else None
        out.publish(public, f"{after.kind}.removed", gone, variant=variant)


def public_event(item: Item) -> tuple[str, dict[str, Any]]:
    """The public event that shows `item` (a chat message or a question) as it is now."""
    if item.kind == "question":
        return "question.updated", {"question": item.public()}
    return "chat.message", {"message": item.public()}


def audited(out: Outcome, event_id: int, entry: AuditEntry) -> None:
    out.publish(channel(event_id, "staff"), "mod.audit", {"entry": entry.to_dict()})


UPVOTE_TICK = 0.25


class QAService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        # Upvote counts are published a few times a second, not once per upvote.
        self.upvote_counts: Coalescer[tuple[int, int]] = Coalescer(
            "upvote-counts", UPVOTE_TICK, self._publish_upvote_counts
        )

    def start(self) -> None:
        self.upvote_counts.periodic.start()

    async def stop(self) -> None:
        await self.upvote_counts.periodic.stop()

    # -- participants' commands ------------------------------------------------

    async def send_chat(self, who: Identity, command_id: str, text: str) -> dict[str, Any]:
        return await self._submit(who, command_id, "chat", text, anonymous=False)

    async def ask(self, who: Identity, command_id: str, text: str, anonymous: bool) -> dict[str, Any]:
        return await self._submit(who, command_id, "question", text, anonymous=anonymous)

    async def _submit(self, who: Identity, command_id: str, kind: Kind, text: str, *, anonymous: bool) -> dict[
        str, Any
    ]:
        participant_id = _participant(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            settings, _ = await settings_store.settings(db, who.event_id)
            if not settings.enabled(kind):
                raise InvalidCommand(f"{kind} is closed for this event",
                                     code="chat_closed" if kind == "chat" else "questions_closed")
            body = rules.clean_text(text, settings.max_length(kind))
            if anonymous and not settings.anonymous_questions:
                raise InvalidCommand("this event does not take anonymous questions", code="anonymous_not_allowed")
            await check_sanctions(db, participant_id, now)
            if kind == "chat" and settings.slow_mode_seconds:
                last = await item_store.last_attempt(db, participant_id, "chat")
                if last is not None and now - last < settings.slow_mode_seconds:
                    raise RateLimited(
                        f"slow mode: one message every {settings.slow_mode_seconds} seconds",
                        code="slow_mode",
                        retry_after=settings.slow_mode_seconds - (now - last),
                    )
            person = await people.by_id(db, participant_id)
            if person is None:
                raise NotFound("participant not found", code="participant_not_found")
            policy = settings.policy_for(kind)
            since = now - max(policy.flood_window_seconds, policy.repeat_window_seconds)
            history = await item_store.author_history(db, participant_id, kind, since)
            decision = moderator_for(policy).check(body, Context(now=now, recent=history))
            status = rules.route(decision.verdict, settings.mode(kind))
            reasons = [reason.to_dict() for reason in decision.reasons]
            if status == "held" and not reasons:
                reasons.append(dict(PRE_MODERATION, detail=kind))
            author = Author(participant_id, person.public_id, person.name, anonymous)
            item = await item_store.add_item(
                db, who.event_id, kind, author, body, status, decision.verdict.value, reasons, now
            )
            if status != "published":
                entry = await audit_store.log(
                    db, who.event_id, AUTO, "hold" if status == "held" else "block", kind, item.id, now,
                    participant=author.public_id, reasons=reasons,
                )
                audited(out, who.event_id, entry)
            announce(out, who.event_id, None, item)
            out.result = {"item": item.own()}

        return await self.runner.run(who.actor, command_id, work)

    async def upvote(self, who: Identity, command_id: str, question_id: int, up: bool) -> dict[str, Any]:
        """Upvote (or take back an upvote): idempotent per participant and question."""
        participant_id = _participant(who)

        async def work(db: Unit, out: Outcome) -> None:
            item = await item_store.get_item(db, who.event_id, question_id, "question")
            if item is None or item.status in ("held", "rejected", "deleted"):
                raise NotFound("no such question", code="question_not_found")
            if up:
                rules.check_upvote(item, participant_id)
            present = await upvote_store.has_upvote(db, question_id, participant_id)
            if up != present:
                if up:
                    await upvote_store.add_upvote(db, question_id, participant_id, self.clock())
                else:
                    await upvote_store.remove_upvote(db, question_id, participant_id)
                if not await item_store.bump_upvotes(db, question_id, 1 if up else -1):
                    raise InvalidCommand("this question takes no upvotes now", code="question_closed")
                fresh = await item_store.get_item(db, who.event_id, question_id, "question")
                assert fresh is not None
                item = fresh
            out.result = {"question": item.id, "upvoted": up, "upvotes": item.upvotes}

        result = await self.runner.run(who.actor, command_id, work)
        self.upvote_counts.mark((who.event_id, question_id))
        return result

    async def _publish_upvote_counts(self, questions: set[tuple[int, int]]) -> None:
        """One `question.upvotes` per question upvoted since the last tick, read from the store."""
        out = Outcome()
        async with self.db.session() as db:
            for event_id, question_id in sorted(questions):
                item = await item_store.get_item(db, event_id, question_id, "question")
                if item is not None:
                    out.publish(
                        channel(event_id, "public"),
                        "question.upvotes",
                        {"id": item.id, "upvotes": item.upvotes, "version": item.version},
                    )
        await self.runner.publish(out)

    # -- snapshots ---------------------------------------------------------------

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """Public: settings, last chat, open questions (with `upvoted` for this participant) and
        `mine` (the participant's own items, whatever their status). Staff: the `moderation` console."""
        async with self.db.session() as db:
            settings, version = await settings_store.settings(db, who.event_id)
            if kind == "staff":
                now = self.clock()
                return {
                    "moderation": {
                        "queue": [i.staff() for i in await item_store.held(db, who.event_id, QUEUE_LIMIT)],
                        "blocked": [i.staff() for i in await item_store.auto_blocked(db, who.event_id, STAFF_RECENT)],
                        "recent": [i.staff() for i in await item_store.recent(db, who.event_id, STAFF_RECENT)],
                        "questions": [i.staff() for i in await item_store.open_questions(db, who.event_id)],
                        "audit": [e.to_dict() for e in await audit_store.audit(db, who.event_id, AUDIT_RECENT)],
                        "sanctions": [
                            sanction_public(held.sanction.muted_until, held.sanction.banned, held.public_id, held.name)
                            for held in await db.sanctions.in_force(who.event_id, now)
                        ],
                        "policy": settings.to_dict(),
                        "policy_version": version,
                    }
                }
            chat = await item_store.published_chat(db, who.event_id, RECENT_CHAT)
            questions = await item_store.open_questions(db, who.event_id)
            mine: list[Item] = []
            upvoted: set[int] = set()
            if who.participant_id is not None:
                mine = await item_store.own(db, who.participant_id, OWN_ITEMS)
                upvoted = await upvote_store.upvoted_among(db, who.participant_id, (q.id for q in questions))
                # What a moderator shadow-hid stays in its author's view, as if published.
                for hidden in await item_store.hidden_of(db, who.participant_id, RECENT_CHAT):
                    seen = hidden.as_author_sees()
                    (chat if seen.kind == "chat" else questions).append(seen)
                chat.sort(key=lambda i: i.id)
                questions.sort(key=lambda i: i.id)
        return {
            "qa": settings.public(),
            "chat": [message.public() for message in chat],
            "questions": [q.public() | {"upvoted": q.id in upvoted} for q in questions],
            "mine": [item.own() for item in mine],
        }


async def check_sanctions(db: Unit, participant_id: int, now: float) -> None:
    """Raise `banned` or `muted` (with `retry_after`) when a moderator keeps the participant from writing."""
    sanction = await db.sanctions.of(participant_id)
    if sanction is None:
        return
    if sanction.banned:
        raise Forbidden("you can no longer write in this event", code="banned")
    if sanction.muted_until is not None and sanction.muted_until > now:
        raise Forbidden(
            "you are muted for a while", code="muted", until=sanction.muted_until,
            retry_after=round(sanction.muted_until - now, 3),
        )


def sanction_public(muted_until: float | None, banned: bool, public_id: str, name: str) -> dict[str, Any]:
    return {"participant": {"id": public_id, "name": name or None}, "muted_until": muted_until, "banned": banned}


def _participant(who: Identity) -> int:
    if who.participant_id is None:
        raise Forbidden("only participants write chat and questions", code="forbidden")
    return who.participant_id
