"""Participants' data rights (LGPD, GDPR): export one participant's data, erase a participant,
and keep chat only as long as the event's retention says.

Erasure (`delete_participant`) in one transaction:

- messages (chat and questions) are detached from their author: author name and
  public id blanked, marked anonymous, given to the event's message tombstone
  (server/store/privacy.py); with `messages="remove"` their text is dropped too
  and they become `deleted`. Live pages get the usual `chat.message` /
  `question.updated` (or `*.removed`) so the author's name disappears at once;
- open-poll ballots stay counted but belong to nobody (random voter key, ballot
  tombstone), so every tally still equals the stored ballots;
- secret-poll vote records stay (they only say that someone voted; the secret
  ballot itself was never linked to anyone);
- sanctions are deleted, a delegate credential is revoked and released, the
  retry cache of the participant's commands is dropped;
- the plenária's procedure keeps what they did, not who (server/domain/erasure.py): their
  speeches stay in the speakers' lists and totals (seconds, segment) under a stand-in with no
  name or public id, a waiting request is dropped, their destaque marks and moção signatures
  stay counted, a moção they wrote stays without its author's name, a defence in their name
  is blanked, and the procedure's audit log loses their actor key, public id and credential id.
  Live screens get `speakers.updated`, `destaque.updated`, `mocao.updated`;
- the participant row gets a fresh public id and an unmatchable device hash, so
  the same device joins next time as a new anonymous participant;
- an audit entry `participant.deleted` records that it happened, with counts only.

It is refused (`poll_open`) while a poll the participant voted in is still open
or paused: erasing a ballot of a running poll would let the device vote again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from moderation.activity import repeat_key_of
from server.channels import channel
from server.domain import qa as rules
from server.domain.audit import Actor
from server.domain.conference import Event
from server.domain.qa import Item
from server.domain.voters import keys_of, voter_key
from server.errors import Conflict, InvalidCommand, NotFound
from server.service.delegates import delegate_public
from server.service.deliberation import motions_view
from server.service.qa import announce, audited, sanction_public
from server.service.runner import CommandRunner, Outcome
from server.store import Database, Unit

MessagesMode = Literal["anonymise", "remove"]
# Where an erasure changes rows (and so leaves old row versions behind until cleared).
ERASED_TABLES = ("qa_item", "moderation_log", "command_log", "participant", "ballot", "participant_sanction",
                 "delegate", "speakers_list", "deliberation", "motions", "procedure_log")
PURGED_TABLES = ("qa_item", "moderation_log", "command_log")
ORGANIZER = Actor("organizer", None, "organizer")
DAY = 86_400.0
MAX_RETENTION_DAYS = 3650
RETENTION_KEY = "chat_retention_days"


def retention_days(row: Event) -> int | None:
    value = (row.settings or {}).get(RETENTION_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_retention(value: Any) -> int | None:
    """A number of days 0-3650, or None (keep chat for as long as the event exists)."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_RETENTION_DAYS:
        raise InvalidCommand(f"{RETENTION_KEY} must be a whole number of days 0-{MAX_RETENTION_DAYS}, or null",
                             code="invalid_field", field=RETENTION_KEY)
    return value


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge did (or, dry, would do) to one event."""

    code: str
    days: int | None
    cutoff: float | None
    chat_deleted: int = 0
    commands_deleted: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.code, "days": self.days, "cutoff": self.cutoff, "chat_deleted": self.chat_deleted,
            "commands_deleted": self.commands_deleted, "dry_run": self.dry_run,
        }


class PrivacyService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock

    # -- export ---------------------------------------------------------------------

    async def export_participant(self, event_id: int, public_id: str) -> dict[str, Any]:
        """Everything stored about one participant, by public id (see docs/privacy.md).

        Secret polls are listed by title only: their ballots were never linked to a voter.
        """
        async with self.db.session() as db:
            person = await db.participants.by_public_id(event_id, public_id)
            items = await db.privacy.items_of(person.id)
            upvotes = await db.privacy.upvotes_of(person.id)
            sanction = await db.sanctions.of(person.id)
            credential = await db.privacy.credential_of(event_id, person.id)
            ballots = await db.privacy.open_ballots_of(person.id)
            voters = keys_of(person.id, credential.id if credential is not None else None)
            secret = await db.privacy.secret_polls_of(event_id, voters)
            audit = await db.privacy.audit_about(event_id, person.public_id)
        return {
            "participant": {"id": person.public_id, "name": person.name or None, "segment": person.segment or None,
                            "joined_at": person.created_at},
            "messages": [_own_item(item) for item in items if item.kind == "chat"],
            "questions": [_own_item(item) for item in items if item.kind == "question"],
            "upvotes": [{"question": u.question_id, "at": u.at} for u in upvotes],
            "sanction": None if sanction is None else {
                "muted_until": sanction.muted_until, "banned": sanction.banned, "updated_at": sanction.updated_at,
            },
            "delegate": None if credential is None else {
                "name": credential.name, "segment": credential.segment, "status": credential.status,
                "issued_at": credential.issued_at, "used_at": credential.used_at,
            },
            "ballots": [
                {"poll": poll.id, "question": poll.spec.get("question", ""), "ballot": dict(ballot.ballot),
                 "cast_at": ballot.cast_at}
                for ballot, poll in ballots
            ],
            "secret_polls_voted": [{"poll": poll.id, "question": poll.spec.get("question", "")} for poll in secret],
            "moderation": [entry.to_dict() for entry in audit],
        }

    # -- erasure ----------------------------------------------------------------------

    async def delete_participant(self, event_id: int, public_id: str, messages: str) -> dict[str, Any]:
        """Erase a participant (module docstring). Answers counts: `{messages, questions, ballots, ...}`."""
        if messages not in ("anonymise", "remove"):
            raise InvalidCommand("messages must be anonymise or remove", code="invalid_field", field="messages")
        remove = messages == "remove"

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            person = await db.participants.by_public_id(event_id, public_id)
            credential = await db.privacy.credential_of(event_id, person.id)
            ballots = await db.privacy.open_ballots_of(person.id)
            voters = keys_of(person.id, credential.id if credential is not None else None)
            secret = await db.privacy.secret_polls_of(event_id, voters)
            running = [p.id for p in [*(p for _, p in ballots), *secret] if p.status in ("open", "paused")]
            if running:
                raise Conflict("this participant voted in a poll that is still open; close it first",
                               code="poll_open", polls=sorted(set(running)))

            before = await db.privacy.items_of(person.id)
            ids = [item.id for item in before]
            holder = await db.privacy.tombstone(event_id, "messages")
            await db.privacy.detach_items(ids, holder, remove=remove)
            if remove:
                await db.privacy.drop_reason_details(event_id, ids)
            after = {item.id: item for item in await db.privacy.items_by_id(ids)}
            for item in before:
                announce(out, event_id, item, after[item.id], republish=True)

            if ballots:
                pool = await db.privacy.tombstone(event_id, "ballots")
                await db.privacy.detach_ballots([b.id for b, _ in ballots], pool)

            sanction = await db.sanctions.of(person.id)
            if sanction is not None:
                await db.privacy.delete_sanction(person.id)
                out.publish(channel(event_id, "staff"), "mod.sanction",
                            sanction_public(None, False, person.public_id, person.name))
            if credential is not None:
                credential = await db.delegates.revoke(credential.id, credential.revoked_at or now)
                out.publish(channel(event_id, "staff"), "delegate.updated", delegate_public(credential))

            procedure = await _erase_procedure(db, out, event_id, person.id, person.public_id, now,
                                               credential.id if credential is not None else None,
                                               credential.name if credential is not None else person.name)
            named = await db.privacy.scrub_audit(event_id, person.public_id, ids, drop_texts=remove)
            commands = await db.privacy.forget_commands([voter_key(participant=person.id)])
            texts = {text for item in before for text in (item.text, item.original_text) if text} if remove else set()
            views = {item_id: item.staff() for item_id, item in after.items()}
            staff_answers = 0
            for answer in await db.privacy.staff_answers(await _staff_actors(db, event_id)):
                clean = redacted(answer.response, person.public_id, views, texts)
                if clean is not None:
                    await db.privacy.replace_answer(answer.actor, answer.command_id, clean)
                    staff_answers += 1
            await db.participants.scrub(person.id)
            counts = {
                "messages": sum(1 for i in before if i.kind == "chat"),
                "questions": sum(1 for i in before if i.kind == "question"),
                "ballots": len(ballots),
                "sanction": sanction is not None,
                "delegate": credential is not None,
                "audit_entries": named,
                "commands": commands,
                "staff_answers": staff_answers,
                "procedure_entries": procedure,
            }
            note = f"messages={messages}; " + ", ".join(f"{k}={int(v)}" for k, v in counts.items())
            entry = await db.audit.log(event_id, ORGANIZER, "participant.deleted", "participant", None, now,
                                       note=note)
            # Resuming clients would otherwise be replayed events that name them or quote them.
            out.forget_history(channel(event_id, "public"))
            out.forget_history(channel(event_id, "staff"))
            audited(out, event_id, entry)
            out.result = {"deleted": True, "mode": messages, **counts}

        result = await self.runner.run("admin", None, work)
        # Old row versions and freed pages may still hold the erased text: see docs/privacy.md.
        await self.db.clear_residue(ERASED_TABLES)
        if remove:
            repeat_key_of.cache_clear()  # moderation's memo of recent texts, held in this process's memory
        return result

    # -- retention --------------------------------------------------------------------

    async def retention(self, event_id: int) -> dict[str, Any]:
        async with self.db.session() as db:
            row = await _event(db, event_id)
            return {RETENTION_KEY: retention_days(row)}

    async def set_retention(self, event_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(changes) - {RETENTION_KEY}
        if unknown:
            field = sorted(unknown)[0]
            raise InvalidCommand(f"unknown field {field!r}", code="invalid_field", field=field)
        if RETENTION_KEY not in changes:
            return await self.retention(event_id)
        days = check_retention(changes[RETENTION_KEY])

        async def work(db: Unit, out: Outcome) -> None:
            row = await _event(db, event_id)
            await db.events.change(event_id, {"settings": {**row.settings, RETENTION_KEY: days}})
            entry = await db.audit.log(event_id, ORGANIZER, "retention", "event", event_id, self.clock(),
                                       note=f"{RETENTION_KEY}={days}")
            audited(out, event_id, entry)
            out.result = {RETENTION_KEY: days}

        return await self.runner.run("admin", None, work)

    async def purge(self, event_id: int, *, days: int | None = None, dry_run: bool = False,
                    now: float | None = None) -> PurgeReport:
        """Purge one event's old chat and publish the removals (the organizer's HTTP route)."""
        reports: list[PurgeReport] = []

        async def work(db: Unit, out: Outcome) -> None:
            row = await _event(db, event_id)
            report, published = await purge_event(db, row, days=days, dry_run=dry_run,
                                                  now=self.clock() if now is None else now)
            for item_id in published:
                out.publish(channel(event_id, "public"), "chat.removed", {"id": item_id, "reason": "deleted"})
            reports.append(report)
            out.result = report.to_dict()

        await self.runner.run("admin", None, work)
        if not dry_run:
            await self.db.clear_residue(PURGED_TABLES)
        return reports[0]


async def purge_event(db: Unit, row: Event, *, days: int | None, dry_run: bool, now: float) -> tuple[
    PurgeReport, list[int]
]:
    """Delete the event's chat messages older than `days` (default: its retention setting; none
    set means keep) and the retry cache of older commands. Questions are never purged.
    Returns the report and the ids of purged messages that were published."""
    keep = retention_days(row) if days is None else check_retention(days)
    if keep is None:
        return PurgeReport(row.code, None, None, dry_run=dry_run), []
    cutoff = now - keep * DAY
    old = await db.privacy.old_chat(row.id, cutoff)
    actors = await db.privacy.participant_actors(row.id)
    if dry_run:
        commands = await db.privacy.count_commands(actors, cutoff)
        return PurgeReport(row.code, keep, cutoff, len(old), commands, dry_run=True), []
    deleted = await db.privacy.delete_items(row.id, [item_id for item_id, _ in old])
    commands = await db.privacy.forget_commands(actors, before=cutoff)
    if deleted:
        await db.audit.log(row.id, Actor("auto", None, "retention"), "purge", "event", row.id, now,
                           note=f"chat older than {keep} days: {deleted} deleted")
    published = [item_id for item_id, status in old if status in rules.PUBLIC_STATUSES]
    return PurgeReport(row.code, keep, cutoff, deleted, commands), published


async def purge_database(url: str, *, code: str | None = None, days: int | None = None, dry_run: bool = False,
                         now: float | None = None, clock: Callable[[], float] = time.time) -> list[PurgeReport]:
    """`plenaria purge`: purge every event (or the one with join code `code`) of the database at
    `url` (an SQLAlchemy async URL). Runs outside the server, so nothing is published: open pages
    drop the messages on their next snapshot."""
    database = Database(url)
    try:
        await database.create_schema()
        async with database.session() as db:
            rows = await db.privacy.events(code)
        if code is not None and not rows:
            raise NotFound("no event with this join code", code="event_not_found")
        reports = []
        moment = clock() if now is None else now
        for row in rows:
            async with database.session() as db:
                fresh = await db.events.get(row.id)
                assert fresh is not None
                report, _ = await purge_event(db, fresh, days=days, dry_run=dry_run, now=moment)
            reports.append(report)
        if not dry_run:
            await database.clear_residue(PURGED_TABLES)
        return reports
    finally:
        await database.dispose()


def describe(report: PurgeReport) -> str:
    """One line per event for the command line."""
    if report.days is None:
        return f"{report.code}: no chat retention set, nothing purged"
    cutoff = datetime.fromtimestamp(report.cutoff or 0, UTC).isoformat(timespec="seconds")
    verb = "would delete" if report.dry_run else "deleted"
    return (f"{report.code}: {verb} {report.chat_deleted} chat message(s) older than {report.days} day(s) "
            f"(before {cutoff}) and {report.commands_deleted} cached command answer(s)")


def redacted(response: Mapping[str, Any], public_id: str, items: Mapping[int, Mapping[str, Any]],
             texts: set[str]) -> dict[str, Any] | None:
    """A staff command's cached answer without the erased participant, or None if it never
    named them: their items as they are now (author gone, text too when removed), any
    `{"id": <their public id>, ...}` reference blanked, their removed texts emptied."""
    changed = False

    def clean(value: Any) -> Any:
        nonlocal changed
        if isinstance(value, dict):
            item_id = value.get("id")
            if value.get("kind") in ("chat", "question") and "author" in value and isinstance(item_id, int) \
                    and item_id in items:
                fresh = dict(items[item_id])
                changed = changed or fresh != value
                return fresh
            if public_id and item_id == public_id:
                changed = True
                return {**value, "id": "", "name": None}
            return {key: clean(child) for key, child in value.items()}
        if isinstance(value, list):
            return [clean(child) for child in value]
        if isinstance(value, str) and ((public_id and value == public_id) or value in texts):
            changed = True
            return ""
        return value

    result = clean(dict(response))
    return result if changed else None


async def _staff_actors(db: Unit, event_id: int) -> list[str]:
    """The command-log keys of the event's staff links and its organizer (server.identity)."""
    return [f"s:{row.id}" for row in await db.staff.of_event(event_id)] + [f"o:{event_id}"]


def _own_item(item: Item) -> dict[str, Any]:
    """The item with its moderation outcome, as its author may see it in an export."""
    body: dict[str, Any] = {
        "id": item.id, "text": item.text, "status": item.status, "at": item.created_at,
        "verdict": item.verdict, "reasons": [r.get("rule") for r in item.reasons],
        "decided_at": item.decided_at, "original_text": item.original_text,
    }
    if item.kind == "question":
        body.update(anonymous=item.author.anonymous, upvotes=item.upvotes, merged_into=item.merged_into,
                    answered_at=item.answered_at)
    return body




async def _erase_procedure(db: Unit, out: Outcome, event_id: int, participant: int, public_id: str, now: float,
                           delegate: int | None, name: str) -> int:
    """The procedure's copies of the person (module docstring); returns how many log entries changed.
    Read before the participant row is scrubbed: `public_id` and `name` are still theirs."""
    public = channel(event_id, "public")
    for stored in await db.procedure.speakers_lists(event_id):
        if stored.names(participant):
            lst, version = await db.procedure.speakers_list(event_id, stored.session)
            lst = lst.erase(participant)
            await db.procedure.save_speakers_list(event_id, lst, version)
            out.publish(public, "speakers.updated", lst.to_dict(now))
    if delegate is not None:
        for found in await db.procedure.deliberations(event_id):
            if found.names(delegate, name):
                d, version = await db.procedure.deliberation(event_id, found.poll)
                assert d is not None
                d = d.erase(delegate, name)
                await db.procedure.save_deliberation(event_id, d, version)
                out.publish(public, "destaque.updated", d.to_dict())
        motions, version = await db.procedure.motions(event_id)
        if motions.names(delegate, name):
            motions = motions.erase(delegate, name)
            await db.procedure.save_motions(event_id, motions, version)
            out.publish(public, "mocao.updated", await motions_view(db, event_id, motions))
    return await db.procedure.scrub_log(event_id, voter_key(participant=participant), public_id, delegate, name)


async def _event(db: Unit, event_id: int) -> Event:
    row = await db.events.get(event_id)
    if row is None:
        raise NotFound("no such event", code="event_not_found")
    return row
