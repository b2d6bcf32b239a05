"""What moderators, presenters and organizers do to chat and questions, all of it audited.

Decisions on an item are optimistic: read it, let the domain decide, write it
back only if its version is unchanged (server/store/items.py `save_item`). When
another moderator got there first the item is read again and the domain
refuses with `already_decided` naming who decided it; unrelated concurrent
changes (an upvote meanwhile) are simply retried.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from server.channels import channel
from server.domain import qa as rules
from server.domain.audit import Actor, AuditEntry
from server.domain.qa import Item, Kind
from server.domain.sanctions import Sanction
from server.errors import Conflict, InvalidCommand, NotFound
from server.identity import Identity
from server.service.qa import actor_of, announce, audited, sanction_public
from server.service.runner import CommandRunner, Outcome
from server.store import Unit
from server.store import audit as audit_store
from server.store import items as item_store
from server.store import participants as people
from server.store import qa_settings as settings_store
from server.store import upvotes as upvote_store

ATTEMPTS = 5
MAX_MUTE_MINUTES = 24 * 60


class ModerationService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        # Called with the event id once a change of its settings is committed (word clouds recount).
        self.policy_listeners: list[Callable[[int], Awaitable[None]]] = []

    # -- decisions on one item -----------------------------------------------------

    async def approve(
        self, who: Identity, command_id: str, kind: Kind, item_id: int, text: str | None
    ) -> dict[str, Any]:
        """Publish a held or auto-blocked item, with the moderator's edited text if given."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            settings, _ = await settings_store.settings(db, who.event_id)
            limit = settings.max_length(kind)
            before, after = await _change(
                db, who.event_id, kind, item_id, lambda item: rules.approve(item, actor.name, now, text, limit)
            )
            edited = after.text != before.text
            await self._log(
                db, out, who.event_id, actor, "approve", after, now, reasons=before.reasons,
                text_before=before.text if edited else None, text_after=after.text if edited else None,
            )
            announce(out, who.event_id, before, after)
            out.result = {"item": after.staff()}

        return await self.runner.run(who.actor, command_id, work)

    async def promote(self, who: Identity, command_id: str, item_id: int) -> dict[str, Any]:
        """Turn a chat message into a published question (`rules.promote`): it leaves the chat
        (`chat.removed` with reason `promoted`) and joins the questions, its origin kept."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            before, after = await _change(db, who.event_id, "chat", item_id,
                                          lambda item: rules.promote(item, actor.name, now))
            await self._log(db, out, who.event_id, actor, "promote", after, now, reasons=before.reasons)
            if before.status in rules.PUBLIC_STATUSES:
                out.publish(channel(who.event_id, "public"), "chat.removed", {"id": before.id, "reason": "promoted"})
            announce(out, who.event_id, before, after)
            out.result = {"item": after.staff()}

        return await self.runner.run(who.actor, command_id, work)

    async def reject(
        self, who: Identity, command_id: str, kind: Kind, item_id: int, reason: str, preset: str = ""
    ) -> dict[str, Any]:
        """Refuse a held item; `preset` (REJECT_PRESETS) and `reason` (the moderator's words) are
        shown to its author, in the author's language for the preset."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            before, after = await _change(
                db, who.event_id, kind, item_id, lambda i: rules.reject(i, actor.name, now, preset, reason)
            )
            note = " · ".join(part for part in (preset, reason.strip()) if part)
            await self._log(db, out, who.event_id, actor, "reject", after, now, reasons=before.reasons, note=note)
            announce(out, who.event_id, before, after)
            out.result = {"item": after.staff()}

        return await self.runner.run(who.actor, command_id, work)

    async def approve_many(self, who: Identity, command_id: str, targets: Sequence[tuple[Kind, int]]) -> dict[
        str, Any
    ]:
        """Approve several held or auto-blocked items in one go (bulk approve). Items another
        moderator decided meanwhile are skipped and named in `skipped`, not an error."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            approved: list[dict[str, Any]] = []
            skipped: list[dict[str, Any]] = []
            for kind, item_id in dict.fromkeys(targets):
                try:
                    before, after = await _change(
                        db, who.event_id, kind, item_id, lambda item: rules.approve(item, actor.name, now)
                    )
                except (Conflict, NotFound) as refused:
                    skipped.append({"kind": kind, "id": item_id, "code": refused.code, **refused.details})
                    continue
                await self._log(db, out, who.event_id, actor, "approve", after, now, reasons=before.reasons,
                                note="bulk")
                announce(out, who.event_id, before, after)
                approved.append(after.staff())
            out.result = {"approved": approved, "skipped": skipped}

        return await self.runner.run(who.actor, command_id, work)

    async def delete(self, who: Identity, command_id: str, kind: Kind, item_id: int, reason: str) -> dict[str, Any]:
        """Remove a published chat message or question from everyone's view."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            before, after = await _change(db, who.event_id, kind, item_id, lambda i: rules.delete(i, actor.name, now))
            await self._log(db, out, who.event_id, actor, "delete", after, now, note=reason)
            announce(out, who.event_id, before, after)
            out.result = {"item": after.staff()}

        return await self.runner.run(who.actor, command_id, work)

    async def hide(self, who: Identity, command_id: str, kind: Kind, item_id: int, hidden: bool) -> dict[str, Any]:
        """Shadow-hide an item (only its author goes on seeing it), or show it to everyone again."""
        actor = actor_of(who)

        def decide(item: Item, now: float) -> Item:
            return rules.hide(item, actor.name, now) if hidden else rules.unhide(item)

        return await self._item_change(
            who, command_id, kind, item_id, "hide" if hidden else "unhide", decide, key="item", held_reasons=True
        )

    async def reply(self, who: Identity, command_id: str, question_id: int, text: str) -> dict[str, Any]:
        """A short public reply under a question (an empty text takes it back). A question imported
        from a broadcast whose organizer turned on posting replies back also gets the reply in the
        platform outbox, in this same transaction (server/service/importing.py posts it once)."""
        actor = actor_of(who)

        async def post_back(db: Unit, before: Item, after: Item, now: float) -> None:
            if after.reply and after.reply != before.reply:  # the same text sent again is no new reply
                await db.platforms.queue_reply(who.event_id, after.id, after.reply, now)

        return await self._item_change(
            who, command_id, "question", question_id, "reply" if text.strip() else "unreply",
            lambda item, now: rules.reply(item, text, actor.name, now), text_after=text.strip() or None,
            also=post_back,
        )

    async def answer(self, who: Identity, command_id: str, question_id: int, answered: bool) -> dict[str, Any]:
        return await self._item_change(
            who, command_id, "question", question_id, "answer" if answered else "unanswer",
            lambda item, now: rules.answer(item, answered, now),
        )

    async def archive(self, who: Identity, command_id: str, question_id: int) -> dict[str, Any]:
        return await self._item_change(
            who, command_id, "question", question_id, "archive", lambda item, _now: rules.archive(item)
        )

    async def _item_change(
        self,
        who: Identity,
        command_id: str,
        kind: Kind,
        item_id: int,
        action: str,
        decide: Callable[[Item, float], Item],
        *,
        key: str = "question",
        held_reasons: bool = False,
        also: Callable[[Unit, Item, Item, float], Awaitable[None]] | None = None,
        **audit: Any,
    ) -> dict[str, Any]:
        """One item changed by the domain's `decide`; audited and announced when it changed.
        `held_reasons`: a decision on a held item records the rules that held it; `also` runs in
        the same transaction when the item changed."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            before, after = await _change(db, who.event_id, kind, item_id, lambda i: decide(i, now))
            if after != before:
                fields = dict(audit)
                if held_reasons and before.status == "held":
                    fields["reasons"] = before.reasons
                await self._log(db, out, who.event_id, actor, action, after, now, **fields)
                announce(out, who.event_id, before, after)
                if also is not None:
                    await also(db, before, after, now)
            out.result = {key: after.staff()}

        return await self.runner.run(who.actor, command_id, work)

    async def pin(self, who: Identity, command_id: str, question_id: int, pinned: bool) -> dict[str, Any]:
        """Pin one question (unpinning the one pinned before) or unpin it."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            item = await _item(db, who.event_id, "question", question_id)
            pinned_now = await item_store.pinned_questions(db, who.event_id)
            changed = rules.pin(item, pinned_now, pinned)
            olds = {old.id: old for old in pinned_now} | {item.id: item}
            for new in changed:
                old = olds[new.id]
                if not await item_store.save_item(db, new, old.version):
                    raise Conflict("the question changed meanwhile, try again", code="conflict")
                saved = replace(new, version=old.version + 1)
                await self._log(db, out, who.event_id, actor, "pin" if saved.pinned else "unpin", saved, now)
                announce(out, who.event_id, old, saved)
            out.result = {"question": question_id, "pinned": pinned}

        return await self.runner.run(who.actor, command_id, work)

    async def merge(self, who: Identity, command_id: str, question_id: int, into: int) -> dict[str, Any]:
        """Merge a duplicate into the kept question; the voters become one set (nobody counts twice)."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            source = await _item(db, who.event_id, "question", question_id)
            target = await _item(db, who.event_id, "question", into)
            merged = rules.merge(source, target, actor.name, now)
            # Both writes are conditional: if either question moved on, nothing is merged.
            if not await item_store.save_item(db, merged, source.version) or not await item_store.save_item(
                db, target, target.version
            ):
                raise Conflict("a question changed meanwhile, try again", code="conflict")
            keep = rules.merged_voters(await upvote_store.voters(db, source.id),
                                       await upvote_store.voters(db, target.id), target.author.participant_id)
            kept_upvotes = await upvote_store.replace_voters(db, target.id, keep, now)
            await upvote_store.set_upvote_count(db, target.id, kept_upvotes)
            kept = await _item(db, who.event_id, "question", into)
            await self._log(
                db, out, who.event_id, actor, "merge", merged, now, note=f"into question {into}",
                text_before=source.text, text_after=kept.text,
            )
            announce(out, who.event_id, source, replace(merged, version=source.version + 1))
            announce(out, who.event_id, target, kept)
            out.result = {"question": kept.staff(), "merged": source.id}

        return await self.runner.run(who.actor, command_id, work)

    # -- participants -----------------------------------------------------------------

    async def remove_all(self, who: Identity, command_id: str, public_id: str, reason: str) -> dict[str, Any]:
        """Take everything a participant wrote out of everyone's view: held items are rejected,
        published, archived and hidden ones deleted; each audited, then the whole as `remove_all`."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            person = await people.by_public_id(db, who.event_id, public_id)
            assert person.id is not None
            removed: list[dict[str, Any]] = []
            for item in await item_store.removable_of(db, who.event_id, person.id):
                try:
                    before, after = await _change(
                        db, who.event_id, item.kind, item.id,
                        lambda current: rules.remove(current, actor.name, now) or current,
                    )
                except Conflict:
                    continue  # decided by someone else in between: already out of the way or theirs
                if after == before:
                    continue
                action = "reject" if after.status == "rejected" else "delete"
                await self._log(db, out, who.event_id, actor, action, after, now, note="remove_all")
                announce(out, who.event_id, before, after)
                removed.append({"kind": after.kind, "id": after.id, "status": after.status})
            entry = await audit_store.log(
                db, who.event_id, actor, "remove_all", "participant", person.id, now, participant=public_id,
                note=" · ".join(part for part in (f"{len(removed)} items", reason.strip()) if part),
            )
            audited(out, who.event_id, entry)
            out.result = {"participant": public_id, "removed": removed}

        return await self.runner.run(who.actor, command_id, work)

    async def mute(self, who: Identity, command_id: str, public_id: str, minutes: int) -> dict[str, Any]:
        """Mute for `minutes` (0 lifts a mute). Takes effect on the participant's next message."""
        if not 0 <= minutes <= MAX_MUTE_MINUTES:
            raise InvalidCommand(f"minutes must be 0-{MAX_MUTE_MINUTES}", code="invalid_field", field="minutes")

        def sanction(current: tuple[float | None, bool], now: float) -> tuple[float | None, bool, str]:
            until = now + minutes * 60 if minutes else None
            return until, current[1], "mute" if minutes else "unmute"

        return await self._sanction(who, command_id, public_id, sanction, note=f"{minutes} min" if minutes else "")

    async def ban(self, who: Identity, command_id: str, public_id: str, banned: bool) -> dict[str, Any]:
        """Ban (or unban). A ban takes effect at once; what the participant already published stays
        unless a moderator deletes it."""
        return await self._sanction(
            who, command_id, public_id, lambda current, _now: (current[0], banned, "ban" if banned else "unban")
        )

    async def _sanction(
        self,
        who: Identity,
        command_id: str,
        public_id: str,
        decide: Callable[[tuple[float | None, bool], float], tuple[float | None, bool, str]],
        note: str = "",
    ) -> dict[str, Any]:
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            person = await people.by_public_id(db, who.event_id, public_id)
            assert person.id is not None
            current = await db.sanctions.of(person.id)
            state = (current.muted_until, current.banned) if current is not None else (None, False)
            muted_until, banned, action = decide(state, now)
            saved = await db.sanctions.save(who.event_id, Sanction(person.id, muted_until, banned, now, actor.name))
            entry = await audit_store.log(
                db, who.event_id, actor, action, "participant", person.id, now, participant=public_id, note=note
            )
            audited(out, who.event_id, entry)
            body = sanction_public(saved.muted_until, saved.banned, person.public_id, person.name)
            out.publish(channel(who.event_id, "staff"), "mod.sanction", body)
            out.result = body

        return await self.runner.run(who.actor, command_id, work)

    # -- settings ------------------------------------------------------------------------

    async def set_policy(self, who: Identity, command_id: str | None, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change some settings; `rules`, when given, replaces the rule policy as a whole."""
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            current, _ = await settings_store.settings(db, who.event_id)
            updated = current.updated(changes)
            version = await settings_store.save_settings(db, who.event_id, updated, now)
            entry = await audit_store.log(
                db, who.event_id, actor, "policy", "event", who.event_id, now, note=", ".join(sorted(changes)),
                text_before=json.dumps(current.to_dict(), ensure_ascii=False, sort_keys=True),
                text_after=json.dumps(updated.to_dict(), ensure_ascii=False, sort_keys=True),
            )
            audited(out, who.event_id, entry)
            out.publish(channel(who.event_id, "public"), "qa.settings.updated", {"settings": updated.public()})
            out.publish(
                channel(who.event_id, "staff"), "mod.policy.updated", {"policy": updated.to_dict(), "version": version}
            )
            out.result = {"policy": updated.to_dict(), "version": version}

        result = await self.runner.run(who.actor, command_id, work)
        for listener in self.policy_listeners:
            await listener(who.event_id)
        return result

    async def policy(self, event_id: int) -> dict[str, Any]:
        async with self.db.session() as db:
            settings, version = await settings_store.settings(db, event_id)
        return {"policy": settings.to_dict(), "version": version}

    async def audit(self, event_id: int) -> list[AuditEntry]:
        """The whole audit log of an event, oldest first."""
        async with self.db.session() as db:
            return await audit_store.audit(db, event_id)

    async def _log(
        self,
        db: Unit,
        out: Outcome,
        event_id: int,
        actor: Actor,
        action: str,
        item: Item,
        now: float,
        **fields: Any,
    ) -> None:
        entry = await audit_store.log(
            db, event_id, actor, action, item.kind, item.id, now, participant=item.author.public_id, **fields
        )
        audited(out, event_id, entry)


async def _item(db: Unit, event_id: int, kind: Kind, item_id: int) -> Item:
    item = await item_store.get_item(db, event_id, item_id, kind)
    if item is None:
        raise NotFound(f"no such {kind}", code="chat_not_found" if kind == "chat" else "question_not_found")
    return item


async def _change(
    db: Unit, event_id: int, kind: Kind, item_id: int, decide: Callable[[Item], Item]
) -> tuple[Item, Item]:
    """Apply the domain's decision to one item with a version check; retried if something else
    changed it meanwhile, so a second decision meets the first one's result."""
    for _ in range(ATTEMPTS):
        before = await _item(db, event_id, kind, item_id)
        after = decide(before)
        if after == before:
            return before, before
        if await item_store.save_item(db, after, before.version):
            return before, replace(after, version=before.version + 1)
    raise Conflict("this item is changing too fast, try again", code="conflict")


