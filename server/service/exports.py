"""The organizer's exports of an event and the data of its printable report.

Each export comes as records (lists of dicts, for JSON) and as a table (a
header and rows, for CSV: see server/domain/spreadsheet.py). Poll results come
from the poll service's own export (`PollService.export`), so a poll's numbers
here are the ones of `/polls/{id}/export.json`; the per-poll files (with the
ballots) are linked, not repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from server.domain.qa import Item
from server.errors import NotFound
from server.service.conference import public_event
from server.service.polls import PollService
from server.service.runner import CommandRunner
from server.store import exports as repo
from server.store import polls as poll_repo

OPTION_KINDS = ("single", "multiple", "yes_no_abstain", "ranking")
TOP_QUESTIONS = 10

MESSAGE_COLUMNS = (
    "id", "kind", "at", "author_id", "author_name", "anonymous", "status", "verdict", "reasons", "decided_by",
    "decided_at", "upvotes", "pinned", "merged_into", "answered_at", "text", "original_text",
)
POLL_COLUMNS = (
    "poll", "question", "kind", "status", "secret", "ballots", "eligible", "section", "option_id", "label", "group",
    "votes", "outcome", "decision", "decision_arithmetic",
)
# `method`: plurality, approval or stv; `rounds`: how many rounds a segment's STV counts took (0 otherwise).
DELEGATE_COLUMNS = ("poll", "question", "poll_status", "segment", "place", "candidate_id", "candidate", "votes",
                    "method", "rounds")


def iso(at: float | None) -> str:
    return "" if at is None else datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


class ExportService:
    def __init__(self, runner: CommandRunner, polls: PollService) -> None:
        self.db = runner.db
        self.polls = polls

    # -- chat and questions ------------------------------------------------------------

    async def messages(self, event_id: int) -> list[dict[str, Any]]:
        """Every chat message and question with its moderation outcome, oldest first.

        The author's name is left out of anonymous questions (their public id stays, as
        moderators see it); erased participants' items have neither.
        """
        async with self.db.session() as db:
            items = await repo.all_items(db, event_id)
        return [message_record(item) for item in items]

    # -- polls ---------------------------------------------------------------------------

    async def poll_results(self, event_id: int) -> list[dict[str, Any]]:
        """`[{poll, result}]` for every poll that was opened (drafts have no result), in agenda order.

        `result` is the stored final result of a closed poll, the current one otherwise
        (the poll service's export, without its ballots).
        """
        async with self.db.session() as db:
            ids = [row.id for row in await poll_repo.polls_of_event(db, event_id)
                   if row.status != "draft" and row.id is not None]
        out = []
        for poll_id in ids:
            data = await self.polls.export(event_id, poll_id)
            entry = {"poll": data["poll"], "result": data["result"]}
            for key in ("answers", "hidden_words"):  # what moderation kept off an open-text poll's screens
                if key in data:
                    entry[key] = data[key]
            out.append(entry)
        return out

    async def elections(self, event_id: int) -> list[dict[str, Any]]:
        """Election polls with their result per segment: elected, alternates, ties."""
        out = []
        for entry in await self.poll_results(event_id):
            poll, result = entry["poll"], entry["result"]
            if poll["spec"]["kind"] == "election" and result.get("election"):
                out.append({"poll": poll["id"], "question": poll["spec"].get("question", ""),
                            "method": poll["spec"].get("method", "plurality"),
                            "status": poll["status"], "closed": poll["status"] == "closed",
                            "segments": result["election"]["segments"]})
        return out

    # -- the report --------------------------------------------------------------------------

    async def report(self, event_id: int) -> dict[str, Any]:
        """Everything the printable report shows; see server/web/report.py."""
        async with self.db.session() as db:
            row = await db.events.get(event_id)
            if row is None:
                raise NotFound("no such event", code="event_not_found")
            agenda = [item.to_dict() for item in await db.agenda.of_event(event_id)]
            items = await repo.all_items(db, event_id)
        results = await self.poll_results(event_id)
        return {
            "event": public_event(row),
            "dates": _dates(agenda),
            "sessions": agenda,
            "proposals": [p for p in (proposals_of(e["poll"], e["result"]) for e in results) if p is not None],
            "elections": await self.elections(event_id),
            "turnout": [turnout_of(e["poll"], e["result"]) for e in results],
            "questions": question_stats(items),
        }


def message_record(item: Item) -> dict[str, Any]:
    hidden = item.author.anonymous and item.kind == "question"
    return {
        "id": item.id, "kind": item.kind, "at": item.created_at,
        "author_id": item.author.public_id or None,
        "author_name": None if hidden or not item.author.name else item.author.name,
        "anonymous": item.author.anonymous, "status": item.status, "verdict": item.verdict,
        "reasons": [str(r.get("rule", "")) for r in item.reasons],
        "decided_by": item.decided_by or None, "decided_at": item.decided_at,
        "upvotes": item.upvotes if item.kind == "question" else None,
        "pinned": item.pinned, "merged_into": item.merged_into, "answered_at": item.answered_at,
        "text": item.text, "original_text": item.original_text,
    }


def message_rows(records: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in records:
        rows.append([
            r["id"], r["kind"], iso(r["at"]), r["author_id"], r["author_name"], r["anonymous"], r["status"],
            r["verdict"], "; ".join(r["reasons"]), r["decided_by"], iso(r["decided_at"]), r["upvotes"], r["pinned"],
            r["merged_into"], iso(r["answered_at"]), r["text"], r["original_text"],
        ])
    return rows


def poll_rows(entries: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """One row per option (candidate, rating value, word) of every poll, with its votes and outcome."""
    rows: list[list[Any]] = []
    for entry in entries:
        poll, result = entry["poll"], entry["result"]
        spec = poll["spec"]
        turnout = result.get("turnout") or {}
        head = [poll["id"], spec.get("question", ""), spec["kind"], poll["status"], poll["secret"],
                (result["tally"] or {}).get("ballots", turnout.get("voted", 0)), turnout.get("eligible")]
        # A decision vote's outcome in the event's language, with the arithmetic, on each of its rows.
        decision = result.get("decision")
        tail = [decision["label"], decision["explanation"]] if decision else ["", ""]
        for line in _option_lines(spec, result):
            rows.append(head + line + tail)
        # Open-text polls: the words and answers moderation kept off the screens, marked so.
        for word in entry.get("hidden_words", []):
            rows.append(head + ["", "", word, "", "", "hidden"] + tail)
        for answer in entry.get("answers", []):
            if answer["status"] not in ("published", "approved"):
                rows.append(head + ["", "", answer["text"], "", answer["count"], answer["status"]] + tail)
    return rows


def _option_lines(spec: dict[str, Any], result: dict[str, Any]) -> list[list[Any]]:
    tally = result["tally"]
    if tally is None:  # a secret poll not counted yet: no counts to show
        return [["", "", "", "", None, ""]]
    if spec["kind"] == "rating":
        return [["", value, value, "", n, ""] for value, n in tally.get("distribution", {}).items()]
    if spec["kind"] == "open_text":
        return [["", "", word, "", n, ""] for word, n in tally.get("words", [])]
    place: dict[str, str] = {}
    if spec["kind"] == "election" and result.get("election"):
        for segment in result["election"]["segments"]:
            for key, name in (("elected", "elected"), ("alternates", "alternate"), ("tied", "tied")):
                place.update({c["id"]: name for c in segment[key]})
    else:
        for section in result.get("outcome") or []:
            place.update({oid: "selected" for oid in section["selected"]})
            place.update({oid: "tied" for oid in section["tied"]})
    section_of = {oid: s.get("title", "") for s in spec.get("sections", []) for oid in s["option_ids"]}
    counts = tally.get("counts", {})
    return [[section_of.get(o["id"], ""), o["id"], o["label"], o.get("group", ""), counts.get(o["id"], 0),
             place.get(o["id"], "")] for o in spec.get("options", [])]


def delegate_rows(elections: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for election in elections:
        for segment in election["segments"]:
            rounds = sum(len(c["rounds"]) for c in segment.get("counts") or [])
            for key, place in (("elected", "elected"), ("alternates", "alternate"), ("tied", "tied")):
                for c in segment[key]:
                    rows.append([election["poll"], election["question"], election["status"], segment["title"], place,
                                 c["id"], c["name"], c["votes"], election.get("method", "plurality"), rounds])
    return rows


def proposals_of(poll: dict[str, Any], result: dict[str, Any]) -> dict[str, Any] | None:
    """Approved proposals of a closed multiple-choice poll, per section (level) and group (axis).

    `levels`: `[{title, axes: [{axis, approved: [{id, label, votes, origin?}], tied: [...]}]}]`.
    """
    spec = poll["spec"]
    if spec["kind"] != "multiple" or poll["status"] != "closed" or not result.get("outcome"):
        return None
    options = {o["id"]: o for o in spec.get("options", [])}
    counts = result["tally"].get("counts", {})
    levels = []
    for section in result["outcome"]:
        axes: dict[str, dict[str, Any]] = {}
        for key in ("selected", "tied"):
            for oid in section[key]:
                option = options.get(oid, {"label": oid, "group": ""})
                axis = axes.setdefault(option.get("group", ""), {"axis": option.get("group", ""), "approved": [],
                                                                 "tied": []})
                entry = {"id": oid, "label": option["label"], "votes": counts.get(oid, 0)}
                if option.get("origin"):  # a pre-conference proposal: where it came from
                    entry["origin"] = option["origin"]
                axis["approved" if key == "selected" else "tied"].append(entry)
        levels.append({"title": section.get("title") or spec.get("question", ""),
                       "axes": sorted(axes.values(), key=lambda a: str(a["axis"]))})
    return {"poll": poll["id"], "question": spec.get("question", ""), "ballots": result["tally"].get("ballots", 0),
            "levels": levels}


def turnout_of(poll: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    turnout = result.get("turnout") or {}
    ballots = (result["tally"] or {}).get("ballots", 0)
    return {"poll": poll["id"], "question": poll["spec"].get("question", ""), "kind": poll["spec"]["kind"],
            "status": poll["status"], "secret": poll["secret"], "eligibility": poll["eligibility"],
            "voted": turnout.get("voted", ballots), "eligible": turnout.get("eligible")}


def question_stats(items: Sequence[Item]) -> dict[str, Any]:
    questions = [i for i in items if i.kind == "question"]
    chat = [i for i in items if i.kind == "chat"]
    by_status: dict[str, int] = {}
    for q in questions:
        by_status[q.status] = by_status.get(q.status, 0) + 1
    shown = [q for q in questions if q.status in ("published", "answered", "archived")]
    top = sorted(shown, key=lambda q: (-q.upvotes, q.id))[:TOP_QUESTIONS]
    return {
        "questions": len(questions),
        "by_status": by_status,
        "askers": len({q.author.participant_id for q in questions}),
        "upvotes": sum(q.upvotes for q in questions),
        "chat": len(chat),
        "chat_published": sum(1 for c in chat if c.status == "published"),
        "held_or_blocked": sum(1 for i in items if i.verdict != "allow"),
        "top": [{"text": q.text, "upvotes": q.upvotes, "status": q.status} for q in top],
    }


def _dates(agenda: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """When the conference took place: the first start and last end of its sessions, if run live;
    otherwise the planned start times as the organizer typed them."""
    started = [s["started_at"] for s in agenda if s["started_at"] is not None]
    ended = [s["ended_at"] for s in agenda if s["ended_at"] is not None]
    planned = sorted(s["starts_at"] for s in agenda if s["starts_at"])
    return {
        "first": min(started) if started else None,
        "last": max(ended + started) if started else None,
        "planned_first": planned[0] if planned else "",
        "planned_last": planned[-1] if planned else "",
    }
