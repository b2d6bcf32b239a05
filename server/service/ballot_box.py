"""Votes stored in batches: one transaction for every ballot that arrived meanwhile.

A burst of ten thousand votes would cost ten thousand transactions of about ten
statements each, one after another on SQLite. Here a vote joins a `Batcher`
(server.service.batching), which hands everything queued (up to MAX_BATCH) to
one transaction with a fixed number of statements: the recorded answers, the
poll locks, the voters, their credentials and their previous ballots are each
read with one query, then every new row is written in one flush.

Each vote is still decided alone, in arrival order, with the rules of a single
vote: a bad ballot is refused without touching the others, a voter's second
command in the same batch changes the ballot the first one stored, and a
command id seen twice is answered twice with one effect. Answers are given only
after the commit, so a vote is acknowledged only once it is durable. A secret
ballot is stored sealed to its poll's key (server.service.secret_polls) beside
its vote record and tracker, in the same transaction.

Exactly-once is the command runner's (`CommandRunner.run_many`): recorded
answers, one effect per command id, the log rows, and when the batch's
transaction hits a unique constraint (another process stored the same command
or the same voter's first ballot at the same moment), every vote of the batch
stored again alone, where the single-vote answers apply: the recorded answer
for a replayed command, a change for a lost race. This module only reads what
a batch needs and stages each vote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.domain import poll_lifecycle as life
from server.domain.plenary_settings import PlenarySettings
from server.domain.poll_lifecycle import Poll
from server.domain.polls import PollSpec, validate_ballot
from server.domain.stream_delay import viewer_delay
from server.domain.voters import Credential, voter_key
from server.errors import Conflict, Forbidden, NotFound, PlenariaError, PollClosed
from server.identity import Identity
from server.service.batching import Batcher
from server.service.runner import Answer, CommandRunner
from server.service.sealing import Sealer
from server.service.secret_polls import SecretPolls
from server.store import Unit
from server.store import participants as people
from server.store.ballots import StagedBallots

# Large enough that a burst is a few dozen transactions, small enough that the IN lists and
# the time one transaction holds SQLite's write lock stay short.
MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class Vote:
    who: Identity
    command_id: str
    poll_id: int
    raw: Mapping[str, Any]
    tracker: str = ""  # secret polls: the tracker the voter will be given
    delay: float | None = None  # the stream delay this viewer measured (bounded by the event's settings)

    @property
    def key(self) -> tuple[str, str]:
        return self.who.actor, self.command_id

    @property
    def participant_id(self) -> int:
        assert self.who.participant_id is not None
        return self.who.participant_id


@dataclass(slots=True)
class _Context:
    """What one transaction read for its whole batch."""

    polls: dict[int, Poll | None]
    specs: dict[int, PollSpec]
    segments: dict[int, str]  # participant id -> profile segment
    delegates: dict[int, Credential]  # participant id -> the credential they hold
    now: float
    ballots: StagedBallots  # the open polls' ballots of the batch's voters, and the batch's own
    plenary: dict[int, PlenarySettings] = field(default_factory=dict)  # event id -> its settings
    in_room: set[int] = field(default_factory=set)  # delegate ids checked in (read for decision votes only)
    secret_voted: set[tuple[int, str]] = field(default_factory=set)
    sealers: dict[int, Sealer | None] = field(default_factory=dict)  # secret polls: None when it has no key
    admitted: dict[int, _Admitted | PlenariaError] = field(default_factory=dict)  # by position in the batch


@dataclass(slots=True)
class _Admitted:
    """A vote that passed every rule that does not depend on the voter's earlier ballot."""

    poll: Poll
    ballot: dict[str, Any]
    voter: str
    delegate_id: int | None


class BallotBox:
    def __init__(self, runner: CommandRunner, secret: SecretPolls | None = None) -> None:
        self.runner = runner
        self.secret = secret or SecretPolls(runner)
        self.queue: Batcher[Vote, dict[str, Any]] = Batcher("ballot-box", self._write, MAX_BATCH)

    async def cast(self, vote: Vote) -> dict[str, Any]:
        """Store the vote with whatever else is queued and answer once it is committed.

        Answers as PollService.cast documents; raises its PlenariaErrors, or
        Unavailable when the store is.
        """
        return await self.queue.submit(vote)

    async def _write(self, votes: list[Vote]) -> list[Answer]:
        return await self.runner.run_many(votes, lambda vote: vote.key, self._store)

    async def _store(self, db: Unit, votes: list[Vote]) -> list[Answer]:
        """Stage every vote of the batch (each command once, in arrival order) in `db`."""
        context = await self._read(db, votes)
        answers = [_store_one(db, context, vote, context.admitted[position]) for position, vote in enumerate(votes)]
        await context.ballots.write()
        return answers

    async def _read(self, db: Unit, votes: list[Vote]) -> _Context:
        polls: dict[int, Poll | None] = {}
        # The same lock a single vote takes (see server.store.polls), in id order across processes.
        for poll_id in sorted({vote.poll_id for vote in votes}):
            polls[poll_id] = await db.polls.lock(poll_id, write=False)
        participant_ids = {vote.participant_id for vote in votes}
        context = _Context(
            polls=polls,
            specs={poll_id: PollSpec.from_dict(poll.spec) for poll_id, poll in polls.items() if poll is not None},
            segments=await people.segments(db, participant_ids),
            delegates=await db.ballots.credentials_of(participant_ids),
            now=self.runner.clock(),
            ballots=db.ballots.staged(),
        )
        for event_id in {vote.who.event_id for vote in votes}:
            context.plenary[event_id] = await db.event_settings.plenary(event_id)
        if any(spec.rule is not None for spec in context.specs.values()):
            context.in_room = await db.attendees.in_room({d.id for d in context.delegates.values()})
        voters: dict[int, set[str]] = {}
        for position, vote in enumerate(votes):
            admitted = context.admitted[position] = _admit(context, vote)
            if not isinstance(admitted, PlenariaError):
                voters.setdefault(vote.poll_id, set()).add(admitted.voter)
        for poll_id, who in voters.items():
            poll = polls[poll_id]
            assert poll is not None
            if poll.secret:
                context.secret_voted |= {(poll_id, voter) for voter in await db.ballots.secret_voters(poll_id, who)}
                context.sealers[poll_id] = await self.secret.sealer(db, poll)
            else:
                await context.ballots.read(poll_id, who)
        return context


def _admit(context: _Context, vote: Vote) -> _Admitted | PlenariaError:
    """The rules of a vote that do not depend on earlier ballots, or the error that refuses it."""
    poll = context.polls.get(vote.poll_id)
    if poll is None or poll.event_id != vote.who.event_id:
        return NotFound("No such poll in this event.", code="poll_not_found")
    # An online viewer sees the deadline late by their stream delay: their ballot counts until then.
    late = viewer_delay(context.plenary.get(poll.event_id, PlenarySettings()), vote.delay)
    if not poll.clock.accepts_votes(context.now - late):
        return PollClosed("This poll is not accepting votes.", code="poll_closed", status=poll.status,
                          deadline=poll.deadline, server_time=context.now)
    try:
        ballot = validate_ballot(context.specs[vote.poll_id], vote.raw).to_dict()
    except PlenariaError as refused:
        return refused
    segment = context.segments.get(vote.participant_id)
    if segment is None:
        return NotFound("participant not found", code="participant_not_found")
    delegate = context.delegates.get(vote.participant_id)
    if delegate is not None and delegate.event_id != vote.who.event_id:
        delegate = None
    if not life.may_vote(poll.eligibility, delegate_segment=delegate.segment if delegate else None,
                         profile_segment=segment):
        return Forbidden("You are not eligible to vote in this poll.", code="not_eligible",
                         eligibility=poll.eligibility)
    # A decision vote counts the delegates present: in the room, or online when the organizer allows it.
    if context.specs[vote.poll_id].rule is not None and delegate is not None and delegate.id not in context.in_room \
            and not context.plenary.get(poll.event_id, PlenarySettings()).online_participation:
        return Forbidden("Check in at the plenary to vote in this decision.", code="not_present")
    # In delegates-only polls the credential votes, so a reissued code cannot vote twice.
    if delegate is not None and poll.eligibility == "delegates":
        return _Admitted(poll, ballot, voter_key(delegate=delegate.id), delegate.id)
    return _Admitted(poll, ballot, voter_key(participant=vote.participant_id), delegate.id if delegate else None)


def _store_one(
    db: Unit, context: _Context, vote: Vote, admitted: _Admitted | PlenariaError
) -> Answer:
    """Stage the vote's rows in the batch's transaction and return its answer."""
    if isinstance(admitted, PlenariaError):
        return admitted
    poll_id, voter = vote.poll_id, admitted.voter
    if admitted.poll.secret:
        if (poll_id, voter) in context.secret_voted:
            return Conflict("You have already voted in this secret poll.", code="already_voted")
        sealer = context.sealers.get(poll_id)
        if sealer is None:  # opened by a version that stored secret ballots unsealed
            return Conflict("This secret poll has no ballot box key: close it and open a new one.",
                            code="ballot_box_unavailable")
        db.ballots.stage_secret(poll_id, voter, vote.tracker, sealer.seal(admitted.ballot))
        context.secret_voted.add((poll_id, voter))
        return {"poll": poll_id, "secret": True}
    changed = context.ballots.stage(poll_id, voter, admitted.ballot, participant_id=vote.participant_id,
                                    delegate_id=admitted.delegate_id, cast_at=context.now)
    return {"poll": poll_id, "ballot": admitted.ballot, "changed": changed}
