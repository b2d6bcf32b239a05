"""Moções: a delegate submits one, others sign, and at the threshold it goes before the plenária.

Pure. A moção has a type (repúdio, apoio, recomendação, congratulação, or another), a text and
an addressee; its author's signature counts. When its signatures reach the threshold share
of the delegates present at that moment (the organizer's `motion_share`, 20% unless set:
server/domain/plenary_settings.py; rounded up, at least one), it enters the plenária's queue as a matter
(`server.domain.floor.Matter`) and is defended and voted like a destaque. Signatures are
then closed: the moção is before the plenária.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal, cast, get_args

from server.domain import floor
from server.domain.erasure import stand_in, swapped
from server.domain.floor import Matter
from server.errors import Conflict, InvalidCommand, NotFound

MotionKind = Literal["repudio", "apoio", "recomendacao", "congratulacao", "outra"]
MOTION_KINDS: frozenset[str] = frozenset(get_args(MotionKind))
MAX_TEXT = 2000
MAX_ADDRESSEE = 200
MAX_MOTIONS = 200


@dataclass(frozen=True, slots=True)
class Signer:
    delegate: int
    name: str
    segment: str


@dataclass(frozen=True, slots=True)
class Motion:
    id: int
    kind: MotionKind
    text: str
    addressee: str
    author: Signer
    submitted_at: float
    signatures: frozenset[int] = field(default_factory=frozenset)  # delegate ids, the author's included
    queued_at: float | None = None
    matter: Matter | None = None

    def to_dict(self, needed: int) -> dict[str, Any]:
        """Signers are counted, never listed (who signed is in the export and the audit log)."""
        return {"id": self.id, "kind": self.kind, "text": self.text, "addressee": self.addressee,
                "author": {"name": self.author.name, "segment": self.author.segment},
                "submitted_at": self.submitted_at, "signatures": len(self.signatures), "needed": needed,
                "queued_at": self.queued_at, "matter": self.matter.to_dict() if self.matter is not None else None}


def needed(present: int, share: Fraction) -> int:
    """Signatures a moção needs with `present` delegates present."""
    return max(1, math.ceil(share * present))


@dataclass(frozen=True, slots=True)
class Motions:
    motions: tuple[Motion, ...] = ()
    next_id: int = 1

    def submit(self, author: Signer, kind: str, text: str, addressee: str, now: float, present: int,
               share: Fraction) -> tuple[Motions, Motion]:
        """A new moção signed by its author (queued at once if that reaches the threshold)."""
        if kind not in MOTION_KINDS:
            raise InvalidCommand(f"unknown kind of moção {kind!r}", code="invalid_field", field="kind")
        clean, to = text.strip(), addressee.strip()
        if not clean or len(clean) > MAX_TEXT:
            raise InvalidCommand(f"a moção has 1 to {MAX_TEXT} characters", code="invalid_field", field="text",
                                 limit=MAX_TEXT)
        if not to or len(to) > MAX_ADDRESSEE:
            raise InvalidCommand(f"an addressee has 1 to {MAX_ADDRESSEE} characters", code="invalid_field",
                                 field="addressee", limit=MAX_ADDRESSEE)
        if len(self.motions) >= MAX_MOTIONS:
            raise Conflict("This event has as many moções as it can take.", code="too_many_motions",
                           limit=MAX_MOTIONS)
        motion = _queue_if_reached(
            Motion(self.next_id, cast(MotionKind, kind), clean, to, author, now, frozenset({author.delegate})),
            present, share, now)
        return replace(self, motions=self.motions + (motion,), next_id=self.next_id + 1), motion

    def get(self, motion_id: int) -> Motion:
        found = next((m for m in self.motions if m.id == motion_id), None)
        if found is None:
            raise NotFound("no such moção", code="motion_not_found")
        return found

    def sign(self, motion_id: int, delegate: int, signed: bool, present: int, share: Fraction,
             now: float) -> Motions:
        """Sign (or take one's signature back); at the threshold the moção is queued before the plenária."""
        motion = self.get(motion_id)
        if motion.queued_at is not None:
            raise Conflict("This moção is already before the plenária.", code="motion_queued")
        if not signed and delegate == motion.author.delegate:
            raise Conflict("The author's signature stays on the moção.", code="author_signature")
        signatures = motion.signatures | {delegate} if signed else motion.signatures - {delegate}
        return self.put(_queue_if_reached(replace(motion, signatures=signatures), present, share, now))

    def change(self, motion_id: int, matter: Matter) -> Motions:
        """Replace a queued moção's matter (its defence, amendment, vote or verdict)."""
        motion = self.get(motion_id)
        if motion.matter is None:
            raise Conflict("This moção has not reached its signatures.", code="motion_not_queued")
        return self.put(replace(motion, matter=matter))

    def put(self, motion: Motion) -> Motions:
        return replace(self, motions=tuple(motion if m.id == motion.id else m for m in self.motions))

    def names(self, delegate: int, name: str) -> bool:
        return any(delegate == m.author.delegate or delegate in m.signatures
                   or (m.matter is not None and m.matter.without_defender(name) != m.matter) for m in self.motions)

    def erase(self, delegate: int, name: str) -> Motions:
        """Erasure: the delegate's moções and signatures stay, under a stand-in id with no name
        (the author's segment is kept); a defence in their name is blanked."""
        other = stand_in(i for m in self.motions for i in (m.author.delegate, *m.signatures))

        def anonymous(m: Motion) -> Motion:
            author = Signer(other, "", m.author.segment) if m.author.delegate == delegate else m.author
            matter = m.matter.without_defender(name) if m.matter is not None else None
            return replace(m, author=author, signatures=swapped(m.signatures, delegate, other), matter=matter)

        return replace(self, motions=tuple(anonymous(m) for m in self.motions))

    def to_dict(self, present: int, share: Fraction) -> dict[str, Any]:
        need = needed(present, share)
        return {"motions": [m.to_dict(need) for m in self.motions], "needed": need,
                "share": {"numerator": share.numerator, "denominator": share.denominator}}


def _queue_if_reached(motion: Motion, present: int, share: Fraction, now: float) -> Motion:
    if len(motion.signatures) < needed(present, share):
        return motion
    return replace(motion, queued_at=now, matter=Matter("mocao", str(motion.id), motion.text))


def dump(motions: Motions) -> dict[str, Any]:
    def one(m: Motion) -> dict[str, Any]:
        return {"id": m.id, "kind": m.kind, "text": m.text, "addressee": m.addressee,
                "author": {"delegate": m.author.delegate, "name": m.author.name, "segment": m.author.segment},
                "submitted_at": m.submitted_at, "signatures": sorted(m.signatures), "queued_at": m.queued_at,
                "matter": m.matter.to_dict() if m.matter is not None else None}

    return {"motions": [one(m) for m in motions.motions], "next_id": motions.next_id}


def load(data: Mapping[str, Any]) -> Motions:
    def one(d: Mapping[str, Any]) -> Motion:
        a = d["author"]
        return Motion(int(d["id"]), d["kind"], d["text"], d["addressee"], Signer(int(a["delegate"]), a["name"],
                      a["segment"]), float(d["submitted_at"]), frozenset(int(s) for s in d["signatures"]),
                      d["queued_at"], floor.load(d["matter"]) if d["matter"] is not None else None)

    return Motions(tuple(one(m) for m in data["motions"]), int(data["next_id"]))
