"""What a poll looks like on the wire, its tally and final result read from the store, and who sees them.

Tallies are computed here from the ballots in the store, never from counters
kept beside them, so a published tally equals the stored ballots by
construction (see `server.service.tallies` for why this is cheap enough).
An open-text poll's words are counted only from the answers its moderation
shows (server/domain/answers.py): every ballot counts in `ballots`, but a held
or hidden answer gives no word and a hidden word is never counted.

A secret poll's ballots are sealed until it is counted (server.service.secret_polls):
its tally is then only the turnout, `tally: null` with `sealed: true`, because
live counts of a secret ballot tell who voted how to whoever watches a quiet
poll move (or reads its tallies back from the broker's history).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.channels import ChannelKind, channel
from server.domain import answers
from server.domain.elections import election_result
from server.domain.poll_lifecycle import SEGMENT_PREFIX, Poll, PollClock, public_sees_tally
from server.domain.polls import Ballot, PollSpec
from server.domain.tally import KeptTally, RunningTally, outcome, ranked_count, tally
from server.service import decisions
from server.service.qa import short_text_checker
from server.store import Unit


async def _nobody(event_id: int) -> int:
    return 0


def _no_ids(event_id: int) -> Collection[int]:
    return ()


Kept = dict[int, KeptTally]  # the live tallies of open polls, by poll id (see `running_tally`)


Event = tuple[str, str, Mapping[str, Any]]


@dataclass
class Presence:
    """Who is online, as the hub knows it (injected: services do not import the hub).

    `count`: participants online for the event across processes; `local_ids`:
    participant ids online on this process (used to count eligible voters
    online in delegates-only and segment polls, so with several processes those
    counts cover this process's connections only).
    """

    count: Callable[[int], Awaitable[int]] = _nobody
    local_ids: Callable[[int], Collection[int]] = field(default=_no_ids)


def poll_clock(row: Poll) -> PollClock:
    return PollClock(row.status, row.opened_at, row.deadline, row.remaining, row.closed_at)


def poll_view(row: Poll, now: float | None = None) -> dict[str, Any]:
    """The poll entity of `poll.updated` and snapshots (no tally, no result)."""
    return {
        "id": row.id,
        "session": row.session_id,
        "position": row.position,
        "spec": row.spec,
        **poll_clock(row).to_dict(),
        "visibility": row.visibility,
        "eligibility": row.eligibility,
        "secret": row.secret,
        "awaiting_count": awaiting_count(row),
        "server_time": time.time() if now is None else now,
    }


def sealed(row: Poll) -> bool:
    """A secret poll whose ballots are not counted yet (open, paused, or closed awaiting its count)."""
    return row.secret and row.result is None


def awaiting_count(row: Poll) -> bool:
    """Closed, but its sealed ballots wait for the key (see server.service.secret_polls)."""
    return row.status == "closed" and sealed(row)


def updated_channel(row: Poll) -> str:
    """Drafts are staff business; every other state of a poll is public."""
    return channel(row.event_id, "staff" if row.status == "draft" else "public")


def tally_channel(row: Poll) -> str:
    """Live tallies go public only for `live` polls; staff always see them."""
    kind: ChannelKind = "public" if row.visibility == "live" else "staff"
    return channel(row.event_id, kind)


def result_channel(row: Poll) -> str:
    kind: ChannelKind = "staff" if row.visibility == "hidden" else "public"
    return channel(row.event_id, kind)


def visible_to_public(row: Poll) -> bool:
    return public_sees_tally(row.visibility, row.status)


async def screened(db: Unit, row: Poll) -> answers.Screened:
    """An open-text poll's answers screened by the event's rules and its moderators' decisions."""
    assert row.id is not None
    settings, _ = await db.qa_settings.get(row.event_id)
    texts = [str(ballot.get("text") or "") for ballot in await db.ballots.in_clear(row.id, row.secret)]
    check = short_text_checker(settings.policy_for_short_text())
    return answers.screen(row.id, texts, await db.answers.of_poll(row.id), check)


def turnout_data(numbers: dict[str, Any]) -> dict[str, Any]:
    """`poll.turnout` data, from a tally or a result: how many voted, without what they voted.

    Participants who may not see a poll's tally or result (`after_close` while
    voting, `hidden`) see this instead, so the count a screen shows is never wrong.
    """
    return {"poll": numbers["poll"], "turnout": numbers["turnout"], "computed_at": numbers["computed_at"]}


async def result_events(db: Unit, row: Poll, result: dict[str, Any]) -> list[Event]:
    """What a closing (or, for a secret poll, a counted) poll publishes besides `poll.updated`:
    its result; its final turnout on the public channel when participants may not see the
    result itself; and for a secret word cloud, the answers its moderators could not read
    before the count (`mod.answers`)."""
    events: list[Event] = [(result_channel(row), "poll.result", result)]
    if not visible_to_public(row):
        events.append((channel(row.event_id, "public"), "poll.turnout", turnout_data(result)))
    if row.secret and row.spec.get("kind") == "open_text":
        events.append((channel(row.event_id, "staff"), "mod.answers", answers_view(row, await screened(db, row))))
    return events


async def running_tally(db: Unit, row: Poll, found: answers.Screened | None = None,
                        kept: Kept | None = None) -> RunningTally:
    """The poll's tally from its stored ballots (an open-text poll's from `found`, its screened
    answers, when the caller screened them already). With `kept` (the live tallies of open
    polls, by poll id), an open poll's recount decodes only the ballots that changed since the
    last one (server.domain.tally.KeptTally); the tally returned is then read before the next."""
    spec = PollSpec.from_dict(row.spec)
    if spec.kind == "open_text":
        found = found or await screened(db, row)
        return tally(spec, (Ballot(text=text) for text in found.texts))
    assert row.id is not None
    if kept is None or row.secret:
        return tally(spec, (Ballot.stored(b) for b in await db.ballots.in_clear(row.id, row.secret)))
    texts = await db.ballots.texts(row.id)
    tallied = kept.get(row.id)
    if tallied is None or tallied.spec != spec:
        tallied = kept[row.id] = KeptTally(spec)
    return tallied.recount(texts)


def answers_view(row: Poll, found: answers.Screened) -> dict[str, Any]:
    """`mod.answers` data (staff): the answers moderators see and the hidden words; no voter."""
    at = row.opened_at or row.created_at
    return {
        "poll": row.id,
        "answers": [item.staff(at) for item in answers.for_moderators(found.items)],
        "hidden_words": sorted(found.hidden_words),
    }


async def turnout(db: Unit, row: Poll, voted: int, presence: Presence) -> dict[str, int]:
    """Ballots cast, eligible voters online, eligible voters in total.

    In total: delegates-only polls count credentials not revoked; segment polls
    the credentials and profiles of that segment; others every participant known.
    """
    event_id = row.event_id
    ids = set(presence.local_ids(event_id))
    if row.eligibility == "delegates":
        total = await db.electorate.delegates(event_id)
        online = len(ids & await db.electorate.delegate_holders(event_id))
    elif row.eligibility.startswith(SEGMENT_PREFIX):
        segment = row.eligibility[len(SEGMENT_PREFIX):]
        members = await db.electorate.in_segment(event_id, segment)
        total = len(members) + await db.electorate.unclaimed(event_id, segment)
        online = len(ids & members)
    else:
        total = await db.electorate.participants(event_id)
        # The broker's count covers every process but lags a couple of seconds; this process's is exact.
        online = max(await presence.count(event_id), len(ids))
    return {"voted": voted, "online": online, "eligible": max(total, voted)}


async def tally_data(
    db: Unit, row: Poll, presence: Presence, now: float, found: answers.Screened | None = None,
    kept: Kept | None = None,
) -> dict[str, Any]:
    """`poll.tally` data: the live tally, turnout and when it was computed (clients keep the latest).

    A sealed secret poll: `tally` null, `sealed` true, the turnout only (votes recorded).
    """
    if sealed(row):
        assert row.id is not None
        voted = await db.ballots.vote_records(row.id)
        return {"poll": row.id, "tally": None, "sealed": True, "turnout": await turnout(db, row, voted, presence),
                "computed_at": now}
    running = await running_tally(db, row, found, kept)
    return {
        "poll": row.id,
        "tally": running.to_dict(),
        "turnout": await turnout(db, row, running.ballots, presence),
        "computed_at": now,
    }


async def final_result(db: Unit, row: Poll, presence: Presence, now: float) -> dict[str, Any]:
    """`poll.result` data: the tally plus what it decides.

    `outcome`: per section, the selected options (approved proposals, winner),
    alternates, and ties reported, never broken (see server.domain.tally.outcome);
    `election`: for elections, elected per segment, alternates and ties
    (server.domain.elections.election_result); null otherwise;
    `ranked`: for ranking polls, the count by the poll's method with its rounds
    (server.domain.ranked.RankedCount.to_dict); null otherwise; `decision`: for a decision
    vote, its verdict with the arithmetic and attendance snapshots (server.service.decisions).
    """
    spec = PollSpec.from_dict(row.spec)
    running = await running_tally(db, row)
    return {
        "poll": row.id,
        "tally": running.to_dict(),
        "turnout": await turnout(db, row, running.ballots, presence),
        "outcome": [section.to_dict() for section in outcome(spec, running)],
        "election": election_result(spec, running) if spec.kind == "election" else None,
        "ranked": ranked_count(spec, running).to_dict() if spec.kind == "ranking" else None,
        "decision": await decisions.decision(db, row, running),
        "computed_at": now,
    }
