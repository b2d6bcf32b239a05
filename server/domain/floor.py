"""One matter before the plenária: a destaque or a moção, from defence to verdict.

Pure. A matter runs `waiting → for → against → vote → decided`: a defence for and a defence
against (each timed, with the defender's name), then a vote of the delegates present, whose
verdict (`approved`, `rejected`, `no_quorum`, `tie`: server.domain.decision) closes it. The
chair may record the text as amended at any stage before the verdict; the original is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, cast, get_args

from server.errors import Conflict, InvalidCommand

Stage = Literal["waiting", "for", "against", "vote", "decided"]
STAGES: tuple[Stage, ...] = get_args(Stage)
Kind = Literal["destaque", "mocao"]
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Matter:
    kind: Kind
    ref: str  # the proposal's option id, or the moção's id
    original: str
    amended: str | None = None
    stage: Stage = "waiting"
    defender: str = ""  # who holds the floor in a defence
    stage_started_at: float | None = None
    seconds: int = 0  # the defence's time
    call: Mapping[str, Any] | None = None  # the vote called: {"poll", "rule", "opened"} (attendance at opening)
    verdict: str | None = None
    decision: Mapping[str, Any] | None = None  # the arithmetic behind the verdict

    def without_defender(self, name: str) -> Matter:
        """Erasure: the defender's name (as the chair typed it) blanked when it is `name`."""
        return replace(self, defender="") if name and self.defender.strip() == name.strip() else self

    @property
    def text(self) -> str:
        """The text voted on: the amended one when the chair recorded an amendment."""
        return self.amended if self.amended is not None else self.original

    def defend(self, stage: str, defender: str, seconds: int, now: float) -> Matter:
        """Open the defence `for` (from waiting) or `against` (from for), timed."""
        expected = {"for": "waiting", "against": "for"}
        if stage not in expected:
            raise InvalidCommand("a defence is for or against", code="invalid_field", field="stage")
        if self.stage != expected[stage]:
            raise Conflict(f"the defence {stage} comes after {expected[stage]}", code="wrong_stage",
                           stage=self.stage)
        return replace(self, stage=cast(Stage, stage), defender=defender[:120], stage_started_at=now,
                       seconds=seconds)

    def to_vote(self, call: Mapping[str, Any], now: float) -> Matter:
        """Call the vote (`call`: the poll, its rule, the attendance at its opening), once both
        defences were heard, or from any earlier stage when the chair skips them."""
        if self.stage in ("vote", "decided"):
            raise Conflict("this matter is already voted on", code="wrong_stage", stage=self.stage)
        return replace(self, stage="vote", call=dict(call), defender="", stage_started_at=now, seconds=0)

    def decide(self, verdict: str, decision: Mapping[str, Any]) -> Matter:
        if self.stage != "vote":
            raise Conflict("the vote has not been called", code="wrong_stage", stage=self.stage)
        return replace(self, stage="decided", verdict=verdict, decision=dict(decision))

    def amend(self, text: str) -> Matter:
        if self.stage == "decided":
            raise Conflict("a decided text cannot be amended", code="wrong_stage", stage=self.stage)
        if self.stage == "vote":
            raise Conflict("amend before the vote is called", code="wrong_stage", stage=self.stage)
        clean = text.strip()
        if not clean or len(clean) > MAX_TEXT:
            raise InvalidCommand(f"an amended text has 1 to {MAX_TEXT} characters", code="invalid_field",
                                 field="text", limit=MAX_TEXT)
        return replace(self, amended=None if clean == self.original else clean)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "original": self.original, "amended": self.amended,
                "text": self.text, "stage": self.stage, "defender": self.defender,
                "stage_started_at": self.stage_started_at, "seconds": self.seconds,
                "call": dict(self.call) if self.call is not None else None,
                "verdict": self.verdict, "decision": dict(self.decision) if self.decision is not None else None}


def load(data: Mapping[str, Any]) -> Matter:
    return Matter(kind=data["kind"], ref=str(data["ref"]), original=str(data["original"]), amended=data["amended"],
                  stage=data["stage"], defender=str(data["defender"]), stage_started_at=data["stage_started_at"],
                  seconds=int(data["seconds"]), call=data["call"], verdict=data["verdict"],
                  decision=data["decision"])
