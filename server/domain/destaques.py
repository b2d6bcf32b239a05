"""Destaques and block approval of one proposal ballot run as a plenária final.

Pure. The chair opens a destaque window on a ballot's proposals; delegates mark the ones
they want discussed and voted separately; when the window closes, the proposals nobody
marked are put to one vote, in a block, and each marked proposal becomes a destaque
(`server.domain.floor.Matter`) in the ballot's order. The texts the plenária approved
(the block's when it passed, and each destaque approved, as amended) are the options of
the next stage's ballot (`approved`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from server.domain import floor
from server.domain.erasure import stand_in, swapped
from server.domain.floor import Matter
from server.errors import Conflict, InvalidCommand, NotFound

Phase = Literal["window", "block", "destaques", "done"]
APPROVED = "approved"
MAX_PROPOSALS = 200


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str  # the option id in the proposal ballot
    text: str
    group: str = ""  # the eixo

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "group": self.group}


@dataclass(frozen=True, slots=True)
class Deliberation:
    poll: int
    proposals: tuple[Proposal, ...]
    phase: Phase = "window"
    marks: Mapping[str, frozenset[int]] = field(default_factory=dict)  # proposal id -> delegate ids
    block_call: Mapping[str, Any] | None = None  # as floor.Matter.call
    block_verdict: str | None = None
    block_decision: Mapping[str, Any] | None = None
    matters: tuple[Matter, ...] = ()

    @classmethod
    def open(cls, poll: int, proposals: Sequence[Proposal]) -> Deliberation:
        if not proposals:
            raise InvalidCommand("the ballot has no proposals", code="no_proposals")
        if len(proposals) > MAX_PROPOSALS:
            raise InvalidCommand(f"at most {MAX_PROPOSALS} proposals", code="invalid_field", field="poll")
        return cls(poll, tuple(proposals))

    # -- the window ----------------------------------------------------------------------

    def mark(self, delegate: int, proposal: str, marked: bool) -> Deliberation:
        """A delegate asks for (or takes back) a destaque on `proposal`, while the window is open."""
        if self.phase != "window":
            raise Conflict("The destaque window is closed.", code="window_closed")
        if proposal not in {p.id for p in self.proposals}:
            raise NotFound("no such proposal on this ballot", code="proposal_not_found")
        current = self.marks.get(proposal, frozenset())
        changed = current | {delegate} if marked else current - {delegate}
        marks = {k: v for k, v in self.marks.items() if k != proposal}
        if changed:
            marks[proposal] = changed
        return replace(self, marks=marks)

    def close_window(self) -> Deliberation:
        """Marked proposals become destaques, in ballot order; the rest go to the block vote."""
        if self.phase != "window":
            raise Conflict("The destaque window is already closed.", code="window_closed")
        matters = tuple(Matter("destaque", p.id, p.text) for p in self.proposals if self.marks.get(p.id))
        phase: Phase = "block" if self.block() else "destaques"
        return replace(self, phase=phase, matters=matters)

    def block(self) -> tuple[Proposal, ...]:
        """The proposals nobody asked a destaque on."""
        return tuple(p for p in self.proposals if not self.marks.get(p.id))

    # -- the block vote ------------------------------------------------------------------

    def call_block_vote(self, call: Mapping[str, Any]) -> Deliberation:
        if self.phase != "block" or self.block_call is not None:
            raise Conflict("There is no block vote to call now.", code="wrong_stage", stage=self.phase)
        return replace(self, block_call=dict(call))

    def decide_block(self, verdict: str, decision: Mapping[str, Any]) -> Deliberation:
        if self.phase != "block" or self.block_call is None:
            raise Conflict("The block vote has not been called.", code="wrong_stage", stage=self.phase)
        phase: Phase = "destaques" if self.matters else "done"
        return replace(self, phase=phase, block_verdict=verdict, block_decision=dict(decision))

    # -- the destaques -------------------------------------------------------------------

    def matter(self, ref: str) -> Matter:
        found = next((m for m in self.matters if m.ref == ref), None)
        if found is None:
            raise NotFound("no such destaque on this ballot", code="destaque_not_found")
        return found

    def change(self, ref: str, changed: Matter) -> Deliberation:
        """Replace destaque `ref`; the ballot is done once every destaque is decided. Destaques
        run after the block vote (the block is the plenária's first decision)."""
        if self.phase != "destaques":
            raise Conflict("Destaques are taken after the block vote.", code="wrong_stage", stage=self.phase)
        matters = tuple(changed if m.ref == ref else m for m in self.matters)
        done = all(m.stage == "decided" for m in matters)
        return replace(self, matters=matters, phase="done" if done else "destaques")

    # -- erasure -------------------------------------------------------------------------

    def names(self, delegate: int, name: str) -> bool:
        return (any(delegate in v for v in self.marks.values())
                or any(m.without_defender(name) != m for m in self.matters))

    def erase(self, delegate: int, name: str) -> Deliberation:
        """Erasure: the delegate's marks stay counted under a stand-in id, a defence in their name is blanked."""
        other = stand_in(i for v in self.marks.values() for i in v)
        return replace(self, marks={k: swapped(v, delegate, other) for k, v in self.marks.items()},
                       matters=tuple(m.without_defender(name) for m in self.matters))

    # -- what the plenária approved --------------------------------------------------------

    def approved(self) -> tuple[Proposal, ...]:
        """The approved proposals with the texts approved (amended ones as amended), in ballot order."""
        texts: dict[str, str] = {}
        if self.block_verdict == APPROVED:
            texts.update((p.id, p.text) for p in self.block())
        texts.update((m.ref, m.text) for m in self.matters if m.verdict == APPROVED)
        return tuple(replace(p, text=texts[p.id]) for p in self.proposals if p.id in texts)

    def to_dict(self) -> dict[str, Any]:
        """What every screen shows: delegates' marks are counts, never who marked."""
        return {
            "poll": self.poll, "phase": self.phase,
            "proposals": [p.to_dict() | {"marks": len(self.marks.get(p.id, ()))} for p in self.proposals],
            "block": [p.id for p in self.block()],
            "block_call": dict(self.block_call) if self.block_call is not None else None,
            "block_verdict": self.block_verdict,
            "block_decision": dict(self.block_decision) if self.block_decision is not None else None,
            "destaques": [m.to_dict() for m in self.matters],
            "approved": [p.to_dict() for p in self.approved()] if self.phase == "done" else [],
        }


def dump(d: Deliberation) -> dict[str, Any]:
    return {
        "poll": d.poll, "phase": d.phase, "proposals": [p.to_dict() for p in d.proposals],
        "marks": {k: sorted(v) for k, v in d.marks.items()}, "block_call": d.block_call,
        "block_verdict": d.block_verdict, "block_decision": d.block_decision,
        "matters": [m.to_dict() for m in d.matters],
    }


def load(data: Mapping[str, Any]) -> Deliberation:
    return Deliberation(
        poll=int(data["poll"]), proposals=tuple(Proposal(p["id"], p["text"], p["group"]) for p in data["proposals"]),
        phase=data["phase"], marks={k: frozenset(v) for k, v in data["marks"].items()},
        block_call=data["block_call"], block_verdict=data["block_verdict"], block_decision=data["block_decision"],
        matters=tuple(floor.load(m) for m in data["matters"]),
    )
