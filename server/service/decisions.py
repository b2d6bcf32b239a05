"""Decision votes: quorum to open, attendance snapshots at the opening and the close, and the
decision (aprovada / rejeitada / sem quórum / empate) kept with the result.

A yes/no/abstain poll whose spec holds a `rule` (server/domain/decision.py) is a decision
vote; it is restricted to delegates (or a segment's), so entitled and present are delegates
(server/domain/checkin.py). Every function works inside the caller's transaction, so a
snapshot is taken in the same commit as the opening or the close it belongs to.
"""

from __future__ import annotations

from typing import Any, Protocol

from server.domain import checkin
from server.domain.decision import Attendance, Counts, DecisionRule, Snapshot, decide, explain, has_quorum, label
from server.domain.decision import quorum_needed as needed
from server.domain.plenary_settings import plenary_settings
from server.domain.poll_lifecycle import SEGMENT_PREFIX
from server.domain.polls import PollSpec
from server.domain.tally import RunningTally
from server.errors import Conflict, InvalidCommand, NotFound
from server.store import Unit
from server.store import conference as events


class Poll(Protocol):
    """What this module reads of a poll (a domain `Poll` or a row satisfies it)."""

    @property
    def id(self) -> int | None: ...

    @property
    def event_id(self) -> int: ...

    @property
    def spec(self) -> dict[str, Any]: ...

    @property
    def eligibility(self) -> str: ...


def rule_of(row: Poll) -> DecisionRule | None:
    return PollSpec.from_dict(row.spec).rule


def check_eligibility(spec: dict[str, Any], eligibility: str) -> None:
    """A decision vote counts delegates: refuse a rule on a poll open to everyone (`invalid_field`)."""
    if spec.get("rule") is not None and eligibility == "everyone":
        raise InvalidCommand("a vote with a quorum and majority rule is for delegates", code="invalid_field",
                             field="eligibility")


async def attendance(db: Unit, event_id: int, eligibility: str = "delegates") -> Attendance:
    """Entitled and present delegates now (of the segment, for a `segment:<name>` eligibility)."""
    event = await events.event_by_id(db, event_id)
    if event is None:
        raise NotFound("no such event", code="event_not_found")
    segment = eligibility[len(SEGMENT_PREFIX):] if eligibility.startswith(SEGMENT_PREFIX) else None
    online = plenary_settings(event.settings).online_participation
    return checkin.attendance(await db.attendees.groups(event_id), online, segment)


async def at_open(db: Unit, row: Poll, now: float) -> None:
    """Before a decision vote opens (or reopens): refuse it without quorum (Conflict `no_quorum`,
    with `present`, `entitled` and `needed`), else keep the opening's attendance."""
    rule = rule_of(row)
    if rule is None:
        return
    assert row.id is not None
    present = await attendance(db, row.event_id, row.eligibility)
    if not has_quorum(rule, present):
        raise Conflict("There is no quorum to open this vote.", code="no_quorum", present=present.present,
                       entitled=present.entitled, needed=needed(rule, present.entitled))
    await db.snapshots.save_opened(row.event_id, row.id, Snapshot(present, now))


async def at_close(db: Unit, row: Poll, now: float) -> None:
    """As a decision vote closes: keep the closing's attendance."""
    if rule_of(row) is None:
        return
    assert row.id is not None
    present = await attendance(db, row.event_id, row.eligibility)
    await db.snapshots.save_closed(row.event_id, row.id, Snapshot(present, now))


async def decision(db: Unit, row: Poll, running: RunningTally) -> dict[str, Any] | None:
    """The `decision` of a closed decision vote's result (None for other polls): the verdict,
    its arithmetic, both snapshots, and `label`/`explanation` in the event's language."""
    rule = rule_of(row)
    if rule is None:
        return None
    assert row.id is not None
    opened, closed = await db.snapshots.of_poll(row.id)
    if closed is None:
        return None
    counts = running.to_dict()["counts"]
    decided = decide(rule, Counts(counts.get("yes", 0), counts.get("no", 0), counts.get("abstain", 0)),
                     (opened or closed).attendance, closed.attendance)
    event = await events.event_by_id(db, row.event_id)
    lang = event.default_lang if event is not None else "en"
    return decided.public() | {
        "opened": (opened or closed).public(), "closed": closed.public(), "lang": lang,
        "label": label(decided.verdict, lang), "explanation": explain(decided, lang),
    }
