"""Destaques, block approval and moções before the plenária, and the ballot of approved texts.

The chair (presenter or organizer) opens a destaque window on a proposal ballot, closes it,
calls each vote and proclaims each verdict; delegates present (the attendance service's rule,
the one decision votes count by) mark proposals and submit and sign moções, whose signature
threshold is the organizer's share of the delegates present. A vote is a decision vote: a
yes/no/abstain poll with a quorum and majority rule that the chair created and opened (it has
the polls' deadlines, delegates-only eligibility, secrecy, screens, quorum to open and
attendance snapshots: server/service/decisions.py). Calling it links it to the block, a
destaque or a moção; proclaiming records the decision the closed poll's result carries. Every
command runs once (CommandRunner), is logged in the procedure's audit log, and publishes
`destaque.updated` or `mocao.updated` after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from fractions import Fraction
from typing import Any

from server.channels import ChannelKind, channel
from server.domain.destaques import Deliberation, Proposal
from server.domain.floor import Matter
from server.domain.mocoes import Motions, Signer
from server.domain.polls import PollSpec
from server.errors import Conflict, Forbidden, InvalidCommand
from server.identity import Identity
from server.service import decisions
from server.service.attendance import is_present, plenary_of
from server.service.polls import PollService
from server.service.runner import CommandRunner, Outcome
from server.store import Unit

# A destaque is asked on one proposal among many: a multiple-choice ballot, in sections or not.
PROPOSAL_BALLOTS = frozenset({"multiple"})
MatterChange = Callable[[Matter, float], Matter]
# What a floor change needs from the store first, given the vote already called (if any).
Gather = Callable[[Unit, Mapping[str, Any] | None], Awaitable[dict[str, Any]]]
MATTER_COLUMNS = ("ballot", "kind", "ref", "original", "amended", "stage", "verdict", "label", "yes", "no",
                  "abstain", "required", "present", "entitled", "explained")


def matter_rows(export: Mapping[str, Any]) -> list[list[Any]]:
    """One CSV row per decision: each ballot's block, each destaque and each moção before the plenária."""
    def row(ballot: Any, kind: str, ref: str, original: str, amended: Any, stage: str,
            decision: Mapping[str, Any] | None) -> list[Any]:
        d = decision or {}
        counts, closed = d.get("counts", {}), d.get("closed", {})
        return [ballot, kind, ref, original, amended or "", stage, d.get("verdict", ""), d.get("label", ""),
                counts.get("yes", ""), counts.get("no", ""), counts.get("abstain", ""), d.get("required", ""),
                closed.get("present", ""), closed.get("entitled", ""), d.get("explained", "")]

    rows = []
    for d in export["destaques"]:
        rows.append(row(d["poll"], "block", ",".join(d["block"]), "", None, d["phase"], d["block_decision"]))
        rows.extend(row(d["poll"], m["kind"], m["ref"], m["original"], m["amended"], m["stage"], m["decision"])
                    for m in d["destaques"])
    for motion in export["mocoes"]["motions"]:
        m = motion["matter"]
        if m is not None:
            rows.append(row("", "mocao", m["ref"], m["original"], m["amended"], m["stage"], m["decision"]))
    return rows


class DeliberationService:
    def __init__(self, runner: CommandRunner, polls: PollService) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        self.polls = polls

    # -- the destaque window ----------------------------------------------------------

    async def window(self, who: Identity, command_id: str, poll_id: int, is_open: bool) -> dict[str, Any]:
        """Open the destaque window on a proposal ballot (its options are the proposals), or close it."""

        async def work(db: Unit, out: Outcome) -> None:
            current, version = await db.procedure.deliberation(who.event_id, poll_id)
            if is_open:
                if current is not None:
                    raise Conflict("The destaque window was already opened on this ballot.", code="window_opened")
                spec = (await db.procedure.poll_facts(who.event_id, poll_id)).spec
                if spec.kind not in PROPOSAL_BALLOTS:
                    raise InvalidCommand("Destaques are asked on a proposal ballot (multiple choice, in sections"
                                         " or not).", code="not_a_proposal_ballot", kind=spec.kind)
                changed = Deliberation.open(poll_id, [Proposal(o.id, o.label, o.group) for o in spec.options])
            else:
                changed = _opened(current).close_window()
            await self._save(db, out, who, changed, version, "destaque.window", {"open": is_open})

        return await self.runner.run(who.actor, command_id, work)

    async def mark(self, who: Identity, command_id: str, poll_id: int, proposal: str, marked: bool) -> dict[str, Any]:
        """A delegate asks for a destaque on `proposal` (or takes it back)."""

        async def work(db: Unit, out: Outcome) -> None:
            delegate = await _present_delegate(db, who)
            current, version = await db.procedure.deliberation(who.event_id, poll_id)
            changed = _opened(current).mark(delegate.delegate, proposal, marked)
            await self._save(db, out, who, changed, version, "destaque.mark",
                             {"proposal": proposal, "marked": marked, "delegate": delegate.delegate})
            out.result = out.result | {"marked": marked}

        return await self.runner.run(who.actor, command_id, work)

    # -- moções -----------------------------------------------------------------------

    async def submit(self, who: Identity, command_id: str, kind: str, text: str, addressee: str) -> dict[str, Any]:

        async def work(db: Unit, out: Outcome) -> None:
            author = await _present_delegate(db, who)
            current, version = await db.procedure.motions(who.event_id)
            present, share = await _threshold(db, who.event_id)
            changed, motion = current.submit(author, kind, text, addressee, self.clock(), present, share)
            await self._save_motions(db, out, who, changed, version, "mocao.submit", {"motion": motion.id})
            out.result = out.result | {"motion": motion.id}

        return await self.runner.run(who.actor, command_id, work)

    async def sign(self, who: Identity, command_id: str, motion_id: int, signed: bool) -> dict[str, Any]:
        """Sign a moção (or take the signature back); at the threshold it goes before the plenária."""

        async def work(db: Unit, out: Outcome) -> None:
            signer = await _present_delegate(db, who)
            current, version = await db.procedure.motions(who.event_id)
            present, share = await _threshold(db, who.event_id)
            changed = current.sign(motion_id, signer.delegate, signed, present, share, self.clock())
            await self._save_motions(db, out, who, changed, version, "mocao.sign",
                                     {"motion": motion_id, "signed": signed, "delegate": signer.delegate})

        return await self.runner.run(who.actor, command_id, work)

    # -- the floor: block, destaques and moções ---------------------------------------

    async def defend(self, who: Identity, command_id: str, target: Mapping[str, Any], stage: str, defender: str,
                     seconds: int) -> dict[str, Any]:
        """Open the timed defence for or against a destaque or a moção."""
        return await self._matter(who, command_id, target, "plenary.defend",
                                  lambda m, now: m.defend(stage, defender, seconds, now),
                                  {"stage": stage, "defender": defender, "seconds": seconds})

    async def amend(self, who: Identity, command_id: str, target: Mapping[str, Any], text: str) -> dict[str, Any]:
        """Record the text as amended; the original is kept beside it."""
        return await self._matter(who, command_id, target, "plenary.amend", lambda m, now: m.amend(text),
                                  {"text": text})

    async def call_vote(self, who: Identity, command_id: str, target: Mapping[str, Any],
                        vote_poll: int) -> dict[str, Any]:
        """Link the decision vote (a yes/no/abstain poll with a rule, server/service/decisions.py)
        that decides the block, a destaque or a moção. Errors: `not_a_decision_poll`, `wrong_stage`."""

        async def prepare(db: Unit, _: Mapping[str, Any] | None) -> dict[str, Any]:
            facts = await db.procedure.poll_facts(who.event_id, vote_poll)
            if facts.spec.kind != "yes_no_abstain" or facts.spec.rule is None:
                raise InvalidCommand("a decision is voted yes, no or abstain under a rule", code="not_a_decision_poll")
            return {"poll": vote_poll, "rule": facts.spec.rule.public()}

        return await self._floor(who, command_id, target, "plenary.vote", prepare,
                                 lambda d, call: d.call_block_vote(call),
                                 lambda m, call, now: m.to_vote(call, now), {"vote_poll": vote_poll})

    async def proclaim(self, who: Identity, command_id: str, target: Mapping[str, Any]) -> dict[str, Any]:
        """Read the called poll's ballots (it must be closed) and record the verdict with its arithmetic."""
        return await self._floor(who, command_id, target, "plenary.decide",
                                 lambda db, call: self._decision(db, who.event_id, call),
                                 lambda d, result: d.decide_block(result["verdict"], result),
                                 lambda m, result, now: m.decide(result["verdict"], result), {})

    async def next_ballot(self, who: Identity, command_id: str, poll_id: int) -> dict[str, Any]:
        """A draft of the next stage's ballot: the proposal ballot's sections and limits over the
        approved proposals only, with the approved (amended) texts. Returns `{poll}`."""
        async with self.db.session() as db:
            current, _ = await db.procedure.deliberation(who.event_id, poll_id)
            facts = await db.procedure.poll_facts(who.event_id, poll_id)
        d = _opened(current)
        if d.phase != "done":
            raise Conflict("Every destaque must be decided first.", code="wrong_stage", stage=d.phase)
        fields: dict[str, Any] = {"spec": approved_spec(facts.spec, d.approved()), "eligibility": facts.eligibility}
        if facts.session is not None:
            fields["session"] = facts.session
        return await self.polls.create(who, command_id, fields)

    # -- reading ----------------------------------------------------------------------

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """Public: `destaques` (every proposal ballot's deliberation) and `mocoes`."""
        return await self.public_state(who.event_id) if kind == "public" else {}

    async def public_state(self, event_id: int) -> dict[str, Any]:
        """`destaques` and `mocoes`, as every client of the public channel shares them."""
        async with self.db.session() as db:
            return {"destaques": [d.to_dict() for d in await db.procedure.deliberations(event_id)],
                    "mocoes": await motions_view(db, event_id, (await db.procedure.motions(event_id))[0])}

    async def export(self, event_id: int) -> dict[str, Any]:
        """Deliberations and moções with who marked and who signed (the organizer's export)."""
        async with self.db.session() as db:
            found = await db.procedure.deliberations(event_id)
            motions, _ = await db.procedure.motions(event_id)
            view = await motions_view(db, event_id, motions)
        for entry, motion in zip(view["motions"], motions.motions, strict=True):
            entry["signers"] = sorted(motion.signatures)
        return {"destaques": [d.to_dict() | {"marked_by": {k: sorted(v) for k, v in d.marks.items()}}
                              for d in found], "mocoes": view}

    # -- paths every change takes -----------------------------------------------------

    async def _matter(self, who: Identity, command_id: str, target: Mapping[str, Any], action: str,
                      change: MatterChange, detail: dict[str, Any]) -> dict[str, Any]:
        return await self._floor(who, command_id, target, action, None, None,
                                 lambda m, _, now: change(m, now), detail)

    async def _floor(
        self, who: Identity, command_id: str, target: Mapping[str, Any], action: str,
        gather: Gather | None,
        on_block: Callable[[Deliberation, dict[str, Any]], Deliberation] | None,
        on_matter: Callable[[Matter, dict[str, Any], float], Matter], detail: dict[str, Any],
    ) -> dict[str, Any]:
        """Change the block (`target` = {poll}), a destaque ({poll, proposal}) or a moção ({motion});
        the change gets what `gather` returns (a vote's call, a verdict's decision), else {}."""
        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            motion = target.get("motion")
            if motion is not None:
                motions, version = await db.procedure.motions(who.event_id)
                matter = motions.get(int(motion)).matter
                if matter is None:
                    raise Conflict("This moção has not reached its signatures.", code="motion_not_queued")
                extra = (await gather(db, matter.call) if gather else {})
                changed_motions = motions.change(int(motion), on_matter(matter, extra, now))
                await self._save_motions(db, out, who, changed_motions, version, action, detail | {"motion": motion})
                return
            d, version = await db.procedure.deliberation(who.event_id, int(target["poll"]))
            d = _opened(d)
            proposal = target.get("proposal")
            if proposal is None:
                if on_block is None:
                    raise InvalidCommand("name a destaque or a moção", code="invalid_field", field="proposal")
                extra = (await gather(db, d.block_call) if gather else {})
                changed = on_block(d, extra)
            else:
                matter = d.matter(str(proposal))
                extra = (await gather(db, matter.call) if gather else {})
                changed = d.change(matter.ref, on_matter(matter, extra, now))
            await self._save(db, out, who, changed, version, action, detail | {"proposal": proposal})

        return await self.runner.run(who.actor, command_id, work)

    async def _decision(self, db: Unit, event_id: int, call: Mapping[str, Any] | None) -> dict[str, Any]:
        """The decision of a called vote's closed poll, as its result carries it."""
        if call is None:
            raise Conflict("The vote has not been called.", code="wrong_stage", stage="waiting")
        decided = await db.procedure.poll_decision(event_id, int(call["poll"]))
        if decided is None:
            raise Conflict("Close the vote before proclaiming its result.", code="poll_not_closed")
        return decided

    async def _save(self, db: Unit, out: Outcome, who: Identity, d: Deliberation, version: int,
                    action: str, detail: dict[str, Any]) -> None:
        await db.procedure.save_deliberation(who.event_id, d, version)
        db.procedure.log(who.event_id, self.clock(), who.actor, action, f"poll:{d.poll}", detail)
        view = d.to_dict()
        out.result = {"destaques": view}
        out.publish(channel(who.event_id, "public"), "destaque.updated", view)

    async def _save_motions(self, db: Unit, out: Outcome, who: Identity, motions: Motions, version: int,
                            action: str, detail: dict[str, Any]) -> None:
        await db.procedure.save_motions(who.event_id, motions, version)
        db.procedure.log(who.event_id, self.clock(), who.actor, action, "mocoes", detail)
        view = await motions_view(db, who.event_id, motions)
        out.result = {"mocoes": view}
        out.publish(channel(who.event_id, "public"), "mocao.updated", view)


async def motions_view(db: Unit, event_id: int, motions: Motions) -> dict[str, Any]:
    """The moções as every screen shows them (`mocao.updated`), with the signatures needed now."""
    return motions.to_dict(*await _threshold(db, event_id))


def approved_spec(spec: PollSpec, approved: tuple[Proposal, ...]) -> dict[str, Any]:
    """The proposal ballot's spec over the approved proposals: their approved texts, each
    section's options filtered and its pick limits no more than it still has."""
    texts = {p.id: p.text for p in approved}
    data = spec.to_dict()
    data["options"] = [o | {"label": texts[o["id"]]} for o in data["options"] if o["id"] in texts]
    if not data["options"]:
        raise Conflict("No proposal was approved.", code="no_proposals")
    sections = []
    for section in data.get("sections") or []:
        kept = [i for i in section["option_ids"] if i in texts]
        if kept:
            sections.append(section | {"option_ids": kept, "max_picks": min(section["max_picks"], len(kept)),
                                       "min_picks": min(section["min_picks"], len(kept))})
    if "sections" in data:
        data["sections"] = sections
    if "max_picks" in data and data["max_picks"] is not None:
        data["max_picks"] = min(data["max_picks"], len(data["options"]))
        data["min_picks"] = min(data.get("min_picks") or 0, data["max_picks"])
    return data


def _opened(d: Deliberation | None) -> Deliberation:
    if d is None:
        raise Conflict("No destaque window was opened on this ballot.", code="no_window")
    return d


async def _threshold(db: Unit, event_id: int) -> tuple[int, Fraction]:
    """The delegates present now and the share of them a moção's signatures must reach."""
    present = (await decisions.attendance(db, event_id)).present
    return present, (await plenary_of(db, event_id)).share()


async def _present_delegate(db: Unit, who: Identity) -> Signer:
    """The delegate behind `who`, refused (`not_present_here`) unless present as decision votes count it."""
    delegate = await _delegate(db, who)
    if not await is_present(db, who.event_id, delegate.delegate):
        raise Forbidden("Check in at the plenary to take part in its decisions.", code="not_present_here")
    return delegate


async def _delegate(db: Unit, who: Identity) -> Signer:
    if who.participant_id is None:
        raise InvalidCommand("Only delegates take part in the plenária's decisions.", code="forbidden")
    signer = await db.procedure.signer(who.event_id, who.participant_id)
    if signer is None:
        raise Conflict("Only delegates take part in the plenária's decisions; redeem your credential first.",
                       code="not_a_delegate")
    return signer
