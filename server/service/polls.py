"""Polls, elections and votes: preparing, running, casting, snapshots, trackers and exports.

Every change goes through the CommandRunner (one transaction with the command
log, publish after commit), so a vote is acknowledged only once it is durable
and a retried command id never counts twice. Deadlines are server epoch
seconds: a vote is refused (`poll_closed`) when the poll is not open, is
paused, or the server clock is at or past the deadline, whether or not the
closing task has run yet. Live tallies are not published here: a committed vote
marks its poll dirty and `TallyTicker` publishes coalesced tallies.

Secret polls: a ballot is stored sealed to the poll's key until the poll is
counted, then anonymised in random order (server.service.secret_polls). The
voter's tracker is an HMAC of the poll and command id under a key derived from
the device secret, which the store never holds: a retry gets the same tracker
back, and the command log (actor, id, answer without the tracker) holds none.
A tracker proves that a ballot is in the box, never what it says: lookups
answer found or not, and the published ballots are not keyed by tracker.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from server import recount
from server.channels import ChannelKind, channel
from server.domain import poll_lifecycle as life
from server.domain.answers import Screened
from server.domain.poll_lifecycle import Poll, PollClock
from server.domain.polls import PollSpec, ranks_choices
from server.domain.stream_delay import viewer_delay
from server.domain.voters import Credential, keys_of
from server.domain.wordcloud import answer_key
from server.errors import Conflict, Forbidden, InvalidCommand, NotFound
from server.identity import Identity
from server.service import decisions
from server.service.ballot_box import BallotBox, Vote
from server.service.results import (
    Presence,
    awaiting_count,
    final_result,
    poll_view,
    result_channel,
    result_events,
    screened,
    sealed,
    tally_channel,
    tally_data,
    turnout_data,
    updated_channel,
    visible_to_public,
)
from server.service.runner import CommandRunner, Outcome
from server.service.secret_polls import SecretPolls
from server.service.tallies import TallyTicker
from server.store import Unit

POLL_FIELDS = ("spec", "visibility", "eligibility", "secret", "session", "position")
TRACKER_LENGTH = 12  # base32 characters: 60 bits, unique among a poll's trackers (the store checks)
# Characters a voter may mistype for base32 ones when copying a tracker by hand.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class PollService:
    def __init__(self, runner: CommandRunner, *, tick_seconds: float = 0.25) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        self.presence = Presence()
        self.secret = SecretPolls(runner, self.presence)
        self.ticker = TallyTicker(runner, self.presence, tick_seconds, self.secret)
        self.ballot_box = BallotBox(runner, self.secret)
        # Each online viewer's measured stream delay (this process's connections), by (event, participant):
        # a float per participant who sent one, never evicted (bounded by the participants it serves).
        self.delays: dict[tuple[int, int], float] = {}

    async def start(self) -> None:
        self.ticker.start()

    async def stop(self) -> None:
        await self.ticker.stop()

    # -- preparing (organizer over HTTP, presenter or organizer over the websocket) -------

    async def create_poll(self, event_id: int, fields: Mapping[str, Any], actor: str = "admin",
                          command_id: str | None = None) -> dict[str, Any]:
        """Create a draft poll; raises InvalidCommand (`invalid_poll`, `invalid_field`) naming the field."""

        async def work(db: Unit, out: Outcome) -> None:
            values = await _poll_values(db, event_id, fields, partial=False)
            decisions.check_eligibility(values["spec"], values.get("eligibility", "everyone"))
            if "position" not in values:
                values["position"] = len(await db.polls.of_event(event_id)) + 1
            poll = await db.polls.add(event_id, self.clock(), **values)
            out.result = {"poll": poll_view(poll, self.clock())}
            out.publish(updated_channel(poll), "poll.updated", out.result["poll"])

        result = await self.runner.run(actor, command_id, work)
        if "poll" not in result:  # the recorded answer of another command that used this id
            raise Conflict("this command id was already used for another command", code="id_reused")
        return result["poll"]  # type: ignore[no-any-return]

    async def create(self, who: Identity, command_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {"poll": await self.create_poll(who.event_id, fields, who.actor, command_id)}

    async def update_poll(self, event_id: int, poll_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Edit a draft; once opened only `visibility` may change (`poll_not_draft` otherwise)."""

        async def work(db: Unit, out: Outcome) -> None:
            poll = await _poll(db, event_id, poll_id, lock="change")
            values = await _poll_values(db, event_id, fields, partial=True)
            if poll.status != "draft" and set(values) - {"visibility"}:
                raise Conflict("Only a draft poll can be edited; visibility can change any time.",
                               code="poll_not_draft", status=poll.status)
            poll = replace(poll, **values)
            decisions.check_eligibility(poll.spec, poll.eligibility)
            await db.polls.save(poll)
            out.result = poll_view(poll, self.clock())
            out.publish(updated_channel(poll), "poll.updated", out.result)

        return await self.runner.run("admin", None, work)

    async def delete_poll(self, event_id: int, poll_id: int) -> None:
        async def work(db: Unit, out: Outcome) -> None:
            poll = await _poll(db, event_id, poll_id, lock="change")
            if poll.status != "draft":
                raise Conflict("Only a draft poll can be deleted.", code="poll_not_draft", status=poll.status)
            await db.polls.delete(poll.id)
            out.publish(channel(event_id, "staff"), "poll.removed", {"id": poll_id})

        await self.runner.run("admin", None, work)

    async def list_polls(self, event_id: int) -> list[dict[str, Any]]:
        """Every poll with its tally or result, as staff see them."""
        async with self.db.session() as db:
            return [await self._staff_view(db, poll) for poll in await db.polls.of_event(event_id)]

    # -- running (presenter, organizer) ---------------------------------------------------

    async def open(self, who: Identity, command_id: str, poll_id: int, seconds: int | None) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, lambda c, now: life.open_poll(c, now, seconds))

    async def extend(self, who: Identity, command_id: str, poll_id: int, seconds: int) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, lambda c, now: life.extend(c, now, seconds))

    async def pause(self, who: Identity, command_id: str, poll_id: int) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, life.pause)

    async def resume(self, who: Identity, command_id: str, poll_id: int) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, life.resume)

    async def close(self, who: Identity, command_id: str, poll_id: int) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, life.close)

    async def reopen(self, who: Identity, command_id: str, poll_id: int, seconds: int | None) -> dict[str, Any]:
        return await self._transition(who, command_id, poll_id, lambda c, now: life.reopen(c, now, seconds))

    async def set_visibility(self, who: Identity, command_id: str, poll_id: int, visibility: str) -> dict[str, Any]:
        checked = life.check_visibility(visibility)

        async def work(db: Unit, out: Outcome) -> None:
            poll = replace(await _poll(db, who.event_id, poll_id, lock="change"), visibility=checked)
            await db.polls.save(poll)
            now = self.clock()
            out.result = {"poll": poll_view(poll, now)}
            out.publish(updated_channel(poll), "poll.updated", out.result["poll"])
            if poll.status == "draft":
                return
            numbers = poll.result if poll.status == "closed" and poll.result is not None else None
            numbers = numbers or await tally_data(db, poll, self.presence, now)
            # Made public now: show participants what staff already saw; hidden now: only how many voted.
            if not visible_to_public(poll):
                out.publish(channel(poll.event_id, "public"), "poll.turnout", turnout_data(numbers))
            elif "outcome" in numbers:
                out.publish(result_channel(poll), "poll.result", numbers)
            else:
                out.publish(tally_channel(poll), "poll.tally", numbers)

        return await self.runner.run(who.actor, command_id, work)

    async def _transition(
        self, who: Identity, command_id: str, poll_id: int, change: Callable[[PollClock, float], PollClock]
    ) -> dict[str, Any]:
        counted: list[int] = []

        async def work(db: Unit, out: Outcome) -> None:
            poll = await _poll(db, who.event_id, poll_id, lock="change")
            now = self.clock()
            before = poll.clock
            after = change(before, now)
            if after.status == "open" and before.status in ("draft", "closed"):
                await decisions.at_open(db, poll, now)
            if poll.secret and after.status == "open" and before.status in ("draft", "closed"):
                await self.secret.open_box(db, poll)
            poll = poll.with_clock(after)
            if after.status != "closed":
                poll = replace(poll, result=None)
            await db.polls.save(poll)
            if after.status == "closed":
                poll = replace(poll, result=await self.secret.result_at_close(db, poll, now))
                await db.polls.save(poll)
                if poll.secret and poll.result is not None:
                    counted.append(poll_id)
            out.result = {"poll": poll_view(poll, now)}
            out.publish(updated_channel(poll), "poll.updated", out.result["poll"])
            if after.status == "closed" and poll.result is not None:
                for target, name, data in await result_events(db, poll, poll.result):
                    out.publish(target, name, data)

        try:
            result = await self.runner.run(who.actor, command_id, work)
        finally:
            self.secret.opened(poll_id)
        for done in counted:
            await self.secret.finish(done)
        self.ticker.mark(poll_id)  # an opened poll shows its (empty) tally at once
        return result

    # -- voting ---------------------------------------------------------------------------

    async def cast(self, who: Identity, command_id: str, poll_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Store the voter's ballot (with the votes queued beside it, see BallotBox) and
        answer once it is committed.

        Answers `{"poll", "ballot", "changed"}` for open polls (a new ballot replaces
        the voter's previous one) and `{"poll", "secret": true, "tracker"}` for
        secret ones. Raises PollClosed (`poll_closed`), NotFound (`poll_not_found`),
        Forbidden (`not_eligible`), Conflict (`already_voted`: secret ballots cannot
        change) or BallotInvalid (`too_many_picks`... see validate_ballot).
        """
        if who.participant_id is None:
            raise Forbidden("Only participants vote.", code="forbidden")
        tracker = self._tracker(who, poll_id, command_id)
        vote = Vote(who, command_id, poll_id, raw, tracker=tracker,
                    delay=self.delays.get((who.event_id, who.participant_id)))
        result = await self.ballot_box.cast(vote)
        self.ticker.mark(poll_id)
        if result.get("secret"):
            result = {**result, "tracker": tracker}
        return result

    async def set_stream_delay(self, who: Identity, seconds: float) -> dict[str, Any]:
        """A viewer's measured stream delay: their ballots count until a deadline plus the delay,
        bounded by the event's settings. Answers `{"delay"}`, the seconds the server will grant
        (the organizer's delay when measured delays are not allowed). Repeating it is harmless."""
        if who.participant_id is None:
            raise Forbidden("Only participants watch the stream.", code="forbidden")
        async with self.db.session() as db:
            settings = await db.event_settings.plenary(who.event_id)
        self.delays[(who.event_id, who.participant_id)] = seconds
        return {"delay": viewer_delay(settings, seconds)}

    @staticmethod
    def _tracker(who: Identity, poll_id: int, command_id: str) -> str:
        key = (who.receipt_key or f"actor:{who.actor}").encode()
        mac = hmac.new(key, f"tracker:{who.event_id}:{poll_id}:{command_id}".encode(), hashlib.sha256).digest()
        return _grouped(base64.b32encode(mac).decode()[:TRACKER_LENGTH])

    async def count_with_escrow(self, event_id: int, poll_id: int, organizer_secret: str) -> dict[str, Any]:
        """The organizer counts a secret poll whose key no process holds (SecretPolls.count_with_escrow)."""
        return await self.secret.count_with_escrow(event_id, poll_id, organizer_secret)

    # -- the public ballot box of a secret poll ---------------------------------------------

    async def ballot_box_view(self, code: str, poll_id: int) -> dict[str, Any]:
        """Public: a secret poll with every tracker in its box (sorted) and, once counted and
        if its results are public, its result (with `verification`)."""
        async with self.db.session() as db:
            poll = await _public_secret_poll(db, code, poll_id)
            trackers = await db.ballots.trackers(poll_id)
        shown = poll.result if poll.result is not None and visible_to_public(poll) else None
        return {"poll": poll_view(poll, self.clock()), "counted": not sealed(poll), "trackers": trackers,
                "result": shown}

    async def check_tracker(self, code: str, poll_id: int, tracker: str) -> dict[str, Any]:
        """Public: `{"poll", "tracker", "found", "counted"}`: whether the tracker is in the poll's
        box, and whether the poll's ballots were counted. Never anything about the ballot."""
        clean = normalize_tracker(tracker)
        async with self.db.session() as db:
            poll = await _public_secret_poll(db, code, poll_id)
            found = bool(clean) and await db.ballots.has_tracker(poll_id, clean)
        return {"poll": poll_id, "tracker": clean or tracker[:20], "found": found,
                "counted": found and not sealed(poll)}

    async def published_ballots(self, code: str, poll_id: int) -> list[list[Any]]:
        """Public: the rows of the anonymised ballots of a counted secret poll whose results are
        public, in their published (random) order (format: server/recount.py); an open-text
        answer as the cloud counts it (blank when moderation holds or hides it). Conflict
        `not_counted`, Forbidden `results_hidden`."""
        async with self.db.session() as db:
            poll = await _public_secret_poll(db, code, poll_id)
            if sealed(poll):
                raise Conflict("The ballots are published once the poll is counted.", code="not_counted")
            if not visible_to_public(poll):
                raise Forbidden("The results of this poll are not public.", code="results_hidden")
            ballots = await db.ballots.counted(poll_id)
            if poll.spec.get("kind") == "open_text":
                # An answer moderation holds or hides is published blank: counted, never shown.
                shown = (await screened(db, poll)).texts
                ballots = [{**ballot, "text": text} for ballot, text in zip(ballots, shown, strict=True)]
        return recount.rows(ballots, ranked=ranks_choices(poll.spec))

    # -- reading ---------------------------------------------------------------------------

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """Public: `polls` (not drafts) with `tally`/`result` as visibility allows and, for a
        participant, `my_vote` per poll, plus `delegate`. Staff channel: `all_polls`, drafts
        and every tally and result included."""
        if kind == "staff":
            async with self.db.session() as db:
                return {"all_polls": [await self._staff_view(db, poll)
                                      for poll in await db.polls.of_event(who.event_id)]}
        state = await self.public_state(who.event_id)
        if who.participant_id is not None and not await self.personalise(who, state):
            state = self.nothing_of_their_own(state)
        return state

    async def public_state(self, event_id: int) -> dict[str, Any]:
        """What every participant shares: `polls` (not drafts) with `tally`/`result` as
        visibility allows, no `my_vote` and no `delegate` (staff see the public channel so)."""
        async with self.db.session() as db:
            polls = []
            for poll in await db.polls.of_event(event_id):
                if poll.status == "draft":
                    continue
                view = poll_view(poll, self.clock())
                numbers = await self._results_of(db, poll)
                if visible_to_public(poll):
                    view.update(numbers)
                else:  # how many voted, never what
                    view["turnout"] = turnout_data(numbers.get("result") or numbers["tally"])
                polls.append(view)
        return {"polls": polls}

    async def personalise(self, who: Identity, state: dict[str, Any]) -> bool:
        """Complete `state` (a `public_state`, changed in place) for participant `who`: `my_vote`
        of the polls they voted in (as themselves or as a delegate) and their `delegate`
        credential. Whether they had anything of their own."""
        assert who.participant_id is not None
        mine: dict[int, dict[str, Any]] = {}
        async with self.db.session() as db:
            held = await db.ballots.credential_of(who.event_id, who.participant_id)
            voters = keys_of(who.participant_id, held.id if held is not None else None)
            ids = [view["id"] for view in state["polls"]]
            if ids:
                for poll_id, ballot in (await db.ballots.of_voter(ids, voters)).items():
                    mine[poll_id] = {"ballot": ballot}
                for poll_id in await db.ballots.secret_polls_voted(ids, voters):
                    mine[poll_id] = {"voted": True}
        if held is None and not mine:
            return False
        state["delegate"] = None if held is None else delegate_view(held)
        state["polls"] = [view | {"my_vote": mine.get(view["id"])} for view in state["polls"]]
        return True

    @staticmethod
    def nothing_of_their_own(state: dict[str, Any]) -> dict[str, Any]:
        """`public_state` as a participant who voted nowhere and holds no credential sees it."""
        return {**state, "polls": [view | {"my_vote": None} for view in state["polls"]], "delegate": None}

    async def _staff_view(self, db: Unit, poll: Poll) -> dict[str, Any]:
        view = poll_view(poll, self.clock())
        if poll.status != "draft":
            view.update(await self._results_of(db, poll))
        return view

    async def _results_of(self, db: Unit, poll: Poll) -> dict[str, Any]:
        if awaiting_count(poll):
            return {"result": None, "tally": await self.ticker.current(db, poll)}
        if poll.status == "closed":
            return {"result": poll.result or await final_result(db, poll, self.presence, self.clock())}
        return {"tally": await self.ticker.current(db, poll)}

    async def export(self, event_id: int, poll_id: int) -> dict[str, Any]:
        """Organizer export: the poll, its result (or current tally) and the ballots.

        Open polls: every ballot with the voter's public participant id, delegate
        name and segment. Secret polls: `vote_records`, the sorted `trackers` and, once
        counted, the anonymised `ballots` in their published order (before: `result` is
        the sealed tally, turnout only).
        Open-text polls also list every distinct answer with its moderation status
        (`answers`) and the words hidden from the cloud (`hidden_words`); each ballot in
        clear says whether its answer is shown (`moderation`).
        """
        async with self.db.session() as db:
            poll = await _poll(db, event_id, poll_id, lock="read")
            now = self.clock()
            if sealed(poll):
                result = await tally_data(db, poll, self.presence, now)
            else:
                result = poll.result or await final_result(db, poll, self.presence, now)
            data: dict[str, Any] = {"poll": poll_view(poll, now), "result": result}
            if poll.secret:
                data["vote_records"] = await db.ballots.vote_records(poll_id)
                data["trackers"] = await db.ballots.trackers(poll_id)
                data["ballots"] = [] if sealed(poll) else await db.ballots.counted(poll_id)
                data["ballots_counted"] = None if sealed(poll) else len(data["ballots"])
            else:
                data["ballots"] = await db.ballots.export_rows(poll_id)
            if poll.spec.get("kind") == "open_text" and poll.status != "draft":
                mark_answers(data, await screened(db, poll))
        return data

    async def stored_ballots(self, poll_id: int) -> list[dict[str, Any]]:
        """Every ballot of a poll in clear (open, or a counted secret poll's), for audits and tests."""
        async with self.db.session() as db:
            poll = await db.polls.get(poll_id)
            if poll is None:
                raise NotFound("no such poll", code="poll_not_found")
            return await db.ballots.of_poll(poll)


def mark_answers(data: dict[str, Any], found: Screened) -> None:
    """Mark what moderation kept off the screens in an open-text poll's export (see `export`)."""
    status = {item.key: item.status for item in found.items}
    data["answers"] = [
        {"text": item.text, "key": item.key, "count": item.count, "status": item.status, "verdict": item.verdict.value,
         "decided_by": item.decision.by if item.decision else None}
        for item in found.items
    ]
    data["hidden_words"] = sorted(found.hidden_words)
    for entry in data.get("ballots", []):
        entry["moderation"] = status.get(answer_key(str(entry["ballot"].get("text", ""))), "published")


def _grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize_tracker(text: str) -> str:
    """The stored form of a tracker as a voter typed it (case, spaces and dashes do not matter,
    0/1/8 read as O/I/B), or "" when it cannot be one."""
    clean = "".join(ch for ch in text.upper().translate(_LOOKALIKES) if ch.isalnum())
    if len(clean) != TRACKER_LENGTH or not set(clean) <= _BASE32:
        return ""
    return _grouped(clean)


def delegate_view(credential: Credential) -> dict[str, Any]:
    return {"id": credential.id, "name": credential.name, "segment": credential.segment,
            "status": credential.status}


async def _public_secret_poll(db: Unit, code: str, poll_id: int) -> Poll:
    """A secret poll that is not a draft, by join code; NotFound `event_not_found`,
    `poll_not_found`, or Conflict `poll_not_secret`."""
    event_id = await db.event_settings.id_by_code(code)
    if event_id is None:
        raise NotFound("no event with this join code", code="event_not_found")
    poll = await _poll(db, event_id, poll_id, lock="read")
    if poll.status == "draft":
        raise NotFound("No such poll in this event.", code="poll_not_found")
    if not poll.secret:
        raise Conflict("Only secret polls have trackers.", code="poll_not_secret")
    return poll


async def _poll(db: Unit, event_id: int, poll_id: int, *, lock: Literal["read", "change"]) -> Poll:
    """The event's poll: just read, or locked for a change (votes lock it in BallotBox)."""
    if lock == "read":
        poll = await db.polls.get(poll_id)
    else:
        poll = await db.polls.lock(poll_id, write=True)
    if poll is None or poll.event_id != event_id:
        raise NotFound("No such poll in this event.", code="poll_not_found")
    return poll


async def _poll_values(db: Unit, event_id: int, fields: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(POLL_FIELDS))
    if unknown:
        raise InvalidCommand(f"unknown field {unknown[0]!r}", code="invalid_field", field=unknown[0])
    segments = await db.event_settings.segments(event_id)
    if segments is None:
        raise NotFound("no such event", code="event_not_found")
    values: dict[str, Any] = {}
    if "spec" in fields or not partial:
        if "spec" not in fields:
            raise InvalidCommand("spec is required", code="invalid_field", field="spec")
        values["spec"] = PollSpec.from_dict(fields["spec"]).to_dict()
    if "visibility" in fields:
        values["visibility"] = life.check_visibility(_string(fields, "visibility"))
    if "eligibility" in fields:
        values["eligibility"] = life.check_eligibility(_string(fields, "eligibility"), segments)
    if "secret" in fields:
        if not isinstance(fields["secret"], bool):
            raise InvalidCommand("secret must be true or false", code="invalid_field", field="secret")
        values["secret"] = fields["secret"]
    if "session" in fields:
        session = fields["session"]
        if session is not None and session not in await db.event_settings.session_ids(event_id):
            raise InvalidCommand("no such session in this event", code="invalid_field", field="session")
        values["session_id"] = session
    if "position" in fields:
        position = fields["position"]
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 10_000:
            raise InvalidCommand("position must be an integer 0-10000", code="invalid_field", field="position")
        values["position"] = position
    return values


def _string(fields: Mapping[str, Any], key: str) -> str:
    value = fields[key]
    if not isinstance(value, str):
        raise InvalidCommand(f"{key} must be text", code="invalid_field", field=key)
    return value

