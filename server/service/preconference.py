"""Pre-conferences: meetings as child events, their contributions, the organizer's consolidation
and the conference ballot made from it (server.domain.preconference decides, this acts).

A meeting is an event of its own (`ConferenceService.create_event`: join code, staff links,
the same pages), recorded as preparing its parent conference. Contributions arrive over the
meeting's websocket (`proposal.submit`), durable before the ack. The organizer's actions come
over HTTP, each one transaction with an entry in the conference's audit log, and publish
`preconference.updated` on the conference's staff channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.channels import channel
from server.domain import preconference as rules
from server.domain.audit import Actor
from server.domain.conference import Event
from server.domain.preconference import Contribution, Meeting, Proposal
from server.errors import Conflict, InvalidCommand, NotFound
from server.identity import Identity
from server.service.conference import ConferenceService, CreatedEvent
from server.service.polls import PollService
from server.service.runner import CommandRunner, Outcome
from server.store import Unit

ORGANIZER = Actor("organizer", None, "organizer")
MAX_SELECTED = 200  # contributions merged in one proposal
MEETING_FIELDS = frozenset({"place", "date", "area", "code"})


class PreconferenceService:
    def __init__(self, runner: CommandRunner, conference: ConferenceService, polls: PollService) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        self.conference = conference
        self.polls = polls

    # -- the organizer's settings and meetings (HTTP) ---------------------------------------

    async def set_eixos(self, event_id: int, raw: object) -> dict[str, Any]:
        """Replace the conference's eixos (those of existing contributions stay as they are)."""
        eixos = rules.check_eixos(raw)

        async def work(db: Unit, out: Outcome) -> None:
            before = await db.preconference.eixos(event_id)
            await db.preconference.set_eixos(event_id, eixos)
            parent = await _parent(db, event_id)
            # Each meeting's page offers the new eixos at once (and its joiners' snapshots move on).
            for meeting in await db.preconference.meetings(event_id):
                out.publish(channel(meeting.event_id, "public"), "preconference.meeting",
                            _meeting_view(meeting, parent.title, eixos))
            await self._audit(db, out, event_id, "preconference.eixos", "event", event_id,
                              before="\n".join(before), after="\n".join(eixos))
            out.result = {"eixos": list(eixos)}

        return await self.runner.run("admin", None, work)

    async def add_meeting(self, event_id: int, fields: Mapping[str, Any]) -> tuple[dict[str, Any], CreatedEvent]:
        """A meeting and its own event (join code `code` or a random one, no stream, the
        conference's languages, time zone and segments). Returns the meeting and the created
        event with its organizer secret and staff links (shown this once)."""
        unknown = sorted(set(fields) - MEETING_FIELDS)
        if unknown:
            raise InvalidCommand(f"unknown field {unknown[0]}", code="invalid_field", field=unknown[0])
        place = rules.check_text(fields.get("place"), "place", rules.MAX_PLACE_LENGTH)
        date = rules.check_date(fields.get("date"))
        area = fields.get("area", "")
        if not isinstance(area, str) or len(area.strip()) > rules.MAX_AREA_LENGTH:
            raise InvalidCommand("area is a text of at most 80 characters", code="invalid_field", field="area")
        async with self.db.session() as db:
            parent = await _parent(db, event_id)
            if await db.preconference.meeting_of_event(event_id) is not None:
                raise InvalidCommand("a pre-conference meeting has no meetings of its own",
                                     code="not_a_conference", field="event")
        event_fields: dict[str, Any] = {
            "title": f"{place} — {parent.title}"[:200], "default_lang": parent.default_lang,
            "languages": list(parent.languages), "timezone": parent.timezone, "segments": list(parent.segments),
        }
        if fields.get("code"):
            event_fields["code"] = fields["code"]
        created = await self.conference.create_event(event_fields)

        async def work(db: Unit, out: Outcome) -> None:
            meeting = await db.preconference.add_meeting(event_id, created.event["id"], place, date, area.strip(),
                                                         self.clock())
            await self._audit(db, out, event_id, "preconference.meeting", "meeting", meeting.id,
                              after=meeting.label(parent.default_lang))
            out.result = {"meeting": meeting.to_dict()}

        result = await self.runner.run("admin", None, work)
        return result["meeting"], created

    # -- contributions (the meeting's participants, websocket) --------------------------------

    async def submit(self, who: Identity, command_id: str, text: str, eixo: str, level: str) -> dict[str, Any]:
        """Store a participant's contribution to the meeting they joined; refused with
        `not_a_preconference` on any other event, `invalid_eixo`/`invalid_level` when the
        classification is not the conference's."""
        wording = rules.check_text(text, "text", rules.MAX_TEXT_LENGTH)

        async def work(db: Unit, out: Outcome) -> None:
            meeting = await db.preconference.meeting_of_event(who.event_id)
            if meeting is None:
                raise InvalidCommand("this event takes no contributions: it is not a pre-conference",
                                     code="not_a_preconference")
            eixos = await db.preconference.eixos(meeting.parent_id)
            checked_eixo, checked_level = rules.check_classification(eixo, level, eixos)
            assert who.participant_id is not None
            contribution = await db.preconference.add_contribution(
                meeting, who.participant_id, who.public_id, wording, checked_eixo, checked_level, self.clock())
            out.result = {"contribution": contribution.to_dict()}
            counts = {"contributions": len(await db.preconference.contributions(meeting.parent_id)),
                      "proposals": len(await db.preconference.proposals(meeting.parent_id))}
            out.publish(channel(meeting.parent_id, "staff"), "preconference.updated", counts)

        return await self.runner.run(who.actor, command_id, work)

    # -- consolidation (the organizer, HTTP) ------------------------------------------------------

    async def merge(self, event_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """One final proposal from the selected contributions (`contributions`: ids, in order),
        with optional `text`, `eixo` and `level`. A contribution already in another proposal
        moves here; a proposal left with none is removed."""
        ids = _ids(body.get("contributions"))
        options = {key: body[key] for key in ("text", "eixo", "level") if body.get(key) is not None}
        unknown = sorted(set(body) - {"contributions", "text", "eixo", "level"})
        if unknown:
            raise InvalidCommand(f"unknown field {unknown[0]}", code="invalid_field", field=unknown[0])

        async def work(db: Unit, out: Outcome) -> None:
            parent = await _parent(db, event_id)
            known = {c.id: c for c in await db.preconference.contributions(event_id)}
            missing = [cid for cid in ids if cid not in known]
            if missing:
                raise NotFound("no such contribution in this conference", code="contribution_not_found",
                               contribution=missing[0])
            chosen = [known[cid] for cid in ids]
            draft = rules.merge(chosen, await db.preconference.eixos(event_id), **options)
            proposals = await db.preconference.proposals(event_id)
            emptied = {c.proposal_id for c in chosen if c.proposal_id is not None}
            emptied -= {c.proposal_id for c in known.values() if c.id not in ids}
            position = max((p.position for p in proposals), default=0) + 1
            proposal = await db.preconference.add_proposal(event_id, draft, position, self.clock())
            if not await db.preconference.move(event_id, [(c.id, c.proposal_id) for c in chosen], proposal.id):
                raise Conflict("these contributions were consolidated meanwhile; reload the list",
                               code="consolidation_changed")
            await db.preconference.delete_proposals(event_id, emptied)
            await self._audit(db, out, event_id, "preconference.merge", "proposal", proposal.id,
                              before=draft.original, after=draft.text,
                              note=f"contributions {', '.join(map(str, ids))}")
            out.result = {"proposal": await self._view(db, parent, proposal)}

        return await self.runner.run("admin", None, work)

    async def edit(self, event_id: int, proposal_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        """New wording, eixo or level for a final proposal (its original wording stays)."""

        async def work(db: Unit, out: Outcome) -> None:
            parent = await _parent(db, event_id)
            proposal = await _proposal(db, event_id, proposal_id)
            changed = rules.edit(proposal, fields, await db.preconference.eixos(event_id))
            await db.preconference.save_proposal(event_id, changed)
            await self._audit(db, out, event_id, "preconference.edit", "proposal", proposal_id,
                              before=f"{proposal.text} [{proposal.eixo} / {proposal.level}]",
                              after=f"{changed.text} [{changed.eixo} / {changed.level}]")
            out.result = {"proposal": await self._view(db, parent, changed)}

        return await self.runner.run("admin", None, work)

    async def undo(self, event_id: int, proposal_id: int) -> None:
        """Dissolve a final proposal: its contributions return to the unconsolidated list."""

        async def work(db: Unit, out: Outcome) -> None:
            await _parent(db, event_id)
            proposal = await _proposal(db, event_id, proposal_id)
            await db.preconference.delete_proposals(event_id, [proposal_id])
            await self._audit(db, out, event_id, "preconference.undo", "proposal", proposal_id, before=proposal.text)

        await self.runner.run("admin", None, work)

    async def make_ballot(self, event_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """The conference's sectioned ballot (a draft poll, through `PollService.create_poll`):
        one section per level, the final proposals as options with their origin lines.
        `limits`: choices per level ({"municipal": 10, "state": 2, "federal": 2}); `question`,
        `session` and `eligibility` as for any poll."""
        unknown = sorted(set(body) - {"limits", "question", "session", "eligibility"})
        if unknown:
            raise InvalidCommand(f"unknown field {unknown[0]}", code="invalid_field", field=unknown[0])
        limits = body.get("limits", {})
        if not isinstance(limits, Mapping) or set(limits) - set(rules.LEVELS):
            raise InvalidCommand("limits names municipal, state or federal", code="invalid_field", field="limits")
        question = body.get("question", "")
        if not isinstance(question, str):
            raise InvalidCommand("question is a text", code="invalid_field", field="question")
        async with self.db.session() as db:
            parent = await _parent(db, event_id)
            view = await self._state(db, parent)
        proposals = [Proposal(p["id"], p["text"], p["original"], p["eixo"], p["level"], p["position"])
                     for p in view["proposals"]]
        labels = {p["id"]: p["origin_label"] for p in view["proposals"]}
        spec = rules.ballot_spec(proposals, labels, limits, parent.default_lang, question)
        fields: dict[str, Any] = {"spec": spec}
        fields.update({key: body[key] for key in ("session", "eligibility") if key in body})
        poll = await self.polls.create_poll(event_id, fields)

        async def work(db: Unit, out: Outcome) -> None:
            await self._audit(db, out, event_id, "preconference.ballot", "poll", poll["id"],
                              after=f"{len(proposals)} proposals")

        await self.runner.run("admin", None, work)
        return poll

    # -- reading ----------------------------------------------------------------------------------

    async def state(self, event_id: int) -> dict[str, Any]:
        """The conference's pre-conferences: eixos, levels, meetings, every contribution and the
        final proposals with their origins, origin line and supporters' count."""
        async with self.db.session() as db:
            return await self._state(db, await _parent(db, event_id))

    async def public_state(self, event_id: int) -> dict[str, Any]:
        """`{"preconference": ...}` on a meeting's own event (what its participants may submit
        to: the meeting, the conference's title, eixos and levels); nothing on any other event."""
        async with self.db.session() as db:
            meeting = await db.preconference.meeting_of_event(event_id)
            if meeting is None:
                return {}
            parent = await db.events.get(meeting.parent_id)
            eixos = await db.preconference.eixos(meeting.parent_id)
        return {"preconference": _meeting_view(meeting, parent.title if parent else "", eixos)}

    async def export_rows(self, event_id: int) -> tuple[list[list[Any]], list[list[Any]]]:
        """The contributions' and the final proposals' spreadsheet rows, each with its header."""
        state = await self.state(event_id)
        meetings = {m["id"]: m for m in state["meetings"]}
        contributions: list[list[Any]] = [["id", "meeting", "date", "area", "join_code", "author", "eixo", "level",
                                           "text", "proposal"]]
        for c in state["contributions"]:
            m = meetings[c["meeting"]]
            contributions.append([c["id"], m["place"], m["date"], m["area"], m["code"], c["author"], c["eixo"],
                                  c["level"], c["text"], c["proposal"] or ""])
        proposals: list[list[Any]] = [["id", "level", "eixo", "text", "original", "origin", "contributions",
                                       "supporters", "contribution_ids"]]
        for p in state["proposals"]:
            proposals.append([p["id"], p["level"], p["eixo"], p["text"], p["original"], p["origin_label"],
                              len(p["contributions"]), p["supporters"], " ".join(map(str, p["contributions"]))])
        return contributions, proposals

    async def _state(self, db: Unit, parent: Event) -> dict[str, Any]:
        meetings = await db.preconference.meetings(parent.id)
        contributions = await db.preconference.contributions(parent.id)
        proposals = await db.preconference.proposals(parent.id)
        by_meeting = {m.id: m for m in meetings}
        # On a meeting's own organizer page: the conference it prepares, where consolidation happens.
        own = await db.preconference.meeting_of_event(parent.id)
        conference = await db.events.get(own.parent_id) if own is not None else None
        return {
            "meeting_of": {"code": conference.code, "title": conference.title} if conference else None,
            "eixos": list(await db.preconference.eixos(parent.id)),
            "levels": list(rules.LEVELS),
            "meetings": [m.to_dict() | {"label": m.label(parent.default_lang),
                                        "contributions": sum(c.meeting_id == m.id for c in contributions)}
                         for m in meetings],
            "contributions": [c.to_dict() for c in contributions],
            "proposals": [_proposal_view(p, contributions, by_meeting, parent.default_lang) for p in proposals],
        }

    async def _view(self, db: Unit, parent: Event, proposal: Proposal) -> dict[str, Any]:
        meetings = {m.id: m for m in await db.preconference.meetings(parent.id)}
        return _proposal_view(proposal, await db.preconference.contributions(parent.id), meetings,
                              parent.default_lang)

    async def _audit(self, db: Unit, out: Outcome, event_id: int, action: str, target_kind: str,
                     target_id: int | None, *, before: str | None = None, after: str | None = None,
                     note: str = "") -> None:
        entry = await db.audit.log(event_id, ORGANIZER, action, target_kind, target_id, self.clock(),
                                   note=note, text_before=before, text_after=after)
        staff = channel(event_id, "staff")
        out.publish(staff, "mod.audit", {"entry": entry.to_dict()})
        if action != "preconference.ballot":
            counts = await db.preconference.contributions(event_id), await db.preconference.proposals(event_id)
            out.publish(staff, "preconference.updated", {"contributions": len(counts[0]), "proposals": len(counts[1])})


def _meeting_view(meeting: Meeting, conference: str, eixos: Sequence[str]) -> dict[str, Any]:
    """What a meeting's participants may submit to (its public snapshot's `preconference`)."""
    return {"meeting": meeting.to_dict(), "conference": conference, "eixos": list(eixos),
            "levels": list(rules.LEVELS)}


def _proposal_view(proposal: Proposal, contributions: list[Contribution], meetings: Mapping[int, Meeting],
                   lang: str) -> dict[str, Any]:
    mine = [c for c in contributions if c.proposal_id == proposal.id]
    found = rules.origins(mine, meetings)
    return {"id": proposal.id, "text": proposal.text, "original": proposal.original, "eixo": proposal.eixo,
            "level": proposal.level, "position": proposal.position, "option_id": rules.option_id(proposal.id),
            "contributions": [c.id for c in mine], "origins": [o.to_dict(lang) for o in found],
            "origin_label": rules.origin_label(found, lang), "supporters": rules.supporters(found)}


def _ids(raw: object) -> list[int]:
    if (not isinstance(raw, list) or not raw or len(raw) > MAX_SELECTED
            or not all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i < 2**31 for i in raw)):
        raise InvalidCommand(f"contributions: 1 to {MAX_SELECTED} contribution ids", code="invalid_field",
                             field="contributions")
    return list(dict.fromkeys(raw))


async def _parent(db: Unit, event_id: int) -> Event:
    parent = await db.events.get(event_id)
    if parent is None:
        raise NotFound("no event with this join code", code="event_not_found")
    return parent


async def _proposal(db: Unit, event_id: int, proposal_id: int) -> Proposal:
    for proposal in await db.preconference.proposals(event_id):
        if proposal.id == proposal_id:
            return proposal
    raise NotFound("no such proposal in this conference", code="proposal_not_found")
