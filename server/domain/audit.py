"""The moderation audit log: who decided what, when and why, automatic or human.

Actions: `hold` and `block` (automatic, by the rules or pre-moderation);
`approve`, `reject`, `delete`, `answer`, `unanswer`, `archive`, `pin`, `unpin`,
`merge`, `mute`, `unmute`, `ban`, `unban`, `policy` (human). A message a rule let
through untouched is not an entry: the message itself is the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from server.domain import spreadsheet

ActorKind = Literal["auto", "staff", "organizer"]

CSV_COLUMNS = (
    "id", "at", "actor_kind", "actor_id", "actor", "action", "target_kind", "target_id", "participant",
    "reasons", "note", "text_before", "text_after",
)


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """What items record as `decided_by`."""
        return self.label or self.kind


AUTO = Actor("auto", None, "auto")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    actor: Actor
    action: str
    target_kind: str
    target_id: int | None
    participant: str = ""  # the author's or sanctioned participant's public id
    reasons: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    text_before: str | None = None
    text_after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": {"kind": self.actor.kind, "id": self.actor.id, "label": self.actor.label},
            "action": self.action,
            "target": {"kind": self.target_kind, "id": self.target_id},
            "participant": self.participant or None,
            "reasons": [dict(r) for r in self.reasons],
            "note": self.note,
            "text_before": self.text_before,
            "text_after": self.text_after,
        }

    def csv_row(self) -> list[str]:
        reasons = "; ".join(f"{r.get('rule')}:{r.get('detail')}" for r in self.reasons)
        return [
            str(self.id),
            datetime.fromtimestamp(self.at, UTC).isoformat(timespec="seconds"),
            self.actor.kind,
            "" if self.actor.id is None else str(self.actor.id),
            self.actor.label,
            self.action,
            self.target_kind,
            "" if self.target_id is None else str(self.target_id),
            self.participant,
            reasons,
            self.note,
            self.text_before or "",
            self.text_after or "",
        ]


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The audit log as spreadsheet-safe CSV (server/domain/spreadsheet.py); times in UTC ISO 8601."""
    return spreadsheet.to_csv(CSV_COLUMNS, (entry.csv_row() for entry in entries))
