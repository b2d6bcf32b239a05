"""The speakers' list of one agenda item: requests, order, timed speeches, totals.

Pure: every function takes the list and the time (`now`, UNIX seconds) and returns a new
list, or raises `InvalidCommand`/`Conflict` and changes nothing. A question of order
(`order`) goes ahead of every ordinary request, once per person per list; after that
the same person's further requests are ordinary ones. A speech's countdown is kept as
`allowed` seconds, the `elapsed` seconds before the current run and `running_since`
(None while paused), so every screen computes the same remaining time from the server's
clock. Ended speeches stay as records: the totals per person and per segment come from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast, get_args

from server.domain.erasure import stand_in
from server.errors import Conflict, InvalidCommand, NotFound

Stance = Literal["for", "against", "order"]
STANCES: frozenset[str] = frozenset(get_args(Stance))
DEFAULT_SECONDS = 180
SECONDS_BOUNDS = (10, 3600)
MAX_QUEUE = 500


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who asked: the participant (internal id, never published), their public id, name and segment."""

    participant: int
    public_id: str
    name: str
    segment: str


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    speaker: Speaker
    stance: Stance
    requested_at: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "public_id": self.speaker.public_id, "name": self.speaker.name,
                "segment": self.speaker.segment, "stance": self.stance, "requested_at": self.requested_at}


@dataclass(frozen=True, slots=True)
class Speech:
    request: Request
    started_at: float
    allowed: int
    elapsed: float = 0.0
    running_since: float | None = None
    ended_at: float | None = None

    def spoken(self, now: float) -> float:
        """Seconds actually spoken so far (pauses excluded)."""
        running = now - self.running_since if self.running_since is not None else 0.0
        return self.elapsed + max(0.0, running)

    def to_dict(self, now: float) -> dict[str, Any]:
        return self.request.to_dict() | {
            "request": self.request.id, "started_at": self.started_at, "allowed": self.allowed,
            "elapsed": round(self.elapsed, 3), "running_since": self.running_since, "ended_at": self.ended_at,
            "spoken": round(self.spoken(now), 1),
        }


@dataclass(frozen=True, slots=True)
class SpeakersList:
    session: int
    default_seconds: int = DEFAULT_SECONDS
    closed: bool = False
    queue: tuple[Request, ...] = ()
    current: Speech | None = None
    spoken: tuple[Speech, ...] = ()
    used_order: frozenset[int] = field(default_factory=frozenset)  # participants who used their question of order
    next_id: int = 1

    # -- participants ------------------------------------------------------------------

    def request(self, speaker: Speaker, stance: str, now: float) -> tuple[SpeakersList, Request]:
        """Add a request; a question of order goes after earlier ones of order, before the rest.

        Raises `speakers_closed`, `already_requested` (one waiting request per person),
        `order_used` (this person's question of order was already granted), `queue_full`.
        """
        if stance not in STANCES:
            raise InvalidCommand(f"unknown stance {stance!r}", code="invalid_field", field="stance")
        if self.closed:
            raise Conflict("The list of speakers is closed.", code="speakers_closed")
        if any(r.speaker.participant == speaker.participant for r in self.queue):
            raise Conflict("You are already on the list.", code="already_requested")
        if stance == "order" and speaker.participant in self.used_order:
            raise Conflict("Your question of order was already granted on this item.", code="order_used")
        if len(self.queue) >= MAX_QUEUE:
            raise Conflict("The list of speakers is full.", code="queue_full", limit=MAX_QUEUE)
        new = Request(self.next_id, speaker, cast(Stance, stance), now)
        if stance == "order":
            at = sum(1 for r in self.queue if r.stance == "order")
            queue = self.queue[:at] + (new,) + self.queue[at:]
            used = self.used_order | {speaker.participant}
        else:
            queue, used = self.queue + (new,), self.used_order
        return replace(self, queue=queue, used_order=used, next_id=self.next_id + 1), new

    def withdraw(self, participant: int) -> SpeakersList:
        """Take one's own waiting request back (a question of order stays used)."""
        queue = tuple(r for r in self.queue if r.speaker.participant != participant)
        if len(queue) == len(self.queue):
            raise NotFound("You are not on the list.", code="request_not_found")
        return replace(self, queue=queue)

    # -- the chair ---------------------------------------------------------------------

    def reorder(self, order: tuple[int, ...]) -> SpeakersList:
        """Put the waiting requests in the order of `order` (every waiting request id, once)."""
        by_id = {r.id: r for r in self.queue}
        if sorted(order) != sorted(by_id):
            raise InvalidCommand("the order must name every waiting request once", code="invalid_order",
                                 waiting=sorted(by_id))
        return replace(self, queue=tuple(by_id[i] for i in order))

    def remove(self, request_id: int) -> SpeakersList:
        queue = tuple(r for r in self.queue if r.id != request_id)
        if len(queue) == len(self.queue):
            raise NotFound("no such request on the list", code="request_not_found")
        return replace(self, queue=queue)

    def start(self, now: float, request_id: int | None = None, seconds: int | None = None) -> SpeakersList:
        """Give the floor to `request_id` (default: the head of the queue), its countdown running.

        Raises `speech_running` (end the current one first), `queue_empty`, `request_not_found`.
        """
        if self.current is not None:
            raise Conflict("A speech is still running; end it first.", code="speech_running")
        if not self.queue:
            raise Conflict("Nobody is waiting to speak.", code="queue_empty")
        chosen = self.queue[0] if request_id is None else next((r for r in self.queue if r.id == request_id), None)
        if chosen is None:
            raise NotFound("no such request on the list", code="request_not_found")
        allowed = check_seconds(seconds if seconds is not None else self.default_seconds)
        speech = Speech(chosen, now, allowed, 0.0, now)
        return replace(self, queue=tuple(r for r in self.queue if r.id != chosen.id), current=speech)

    def pause(self, now: float) -> SpeakersList:
        speech = self._running()
        if speech.running_since is None:
            raise Conflict("The speech is already paused.", code="speech_paused")
        return replace(self, current=replace(speech, elapsed=speech.spoken(now), running_since=None))

    def resume(self, now: float) -> SpeakersList:
        speech = self._running()
        if speech.running_since is not None:
            raise Conflict("The speech is not paused.", code="speech_not_paused")
        return replace(self, current=replace(speech, running_since=now))

    def extend(self, seconds: int) -> SpeakersList:
        """Give the current speaker `seconds` more (the allowed time never exceeds the bound)."""
        speech = self._running()
        return replace(self, current=replace(speech, allowed=check_seconds(speech.allowed + seconds)))

    def end(self, now: float) -> SpeakersList:
        speech = self._running()
        done = replace(speech, elapsed=speech.spoken(now), running_since=None, ended_at=now)
        return replace(self, current=None, spoken=self.spoken + (done,))

    def set_open(self, is_open: bool) -> SpeakersList:
        """Close the list to new requests (those waiting keep their turn), or open it again."""
        return replace(self, closed=not is_open)

    def set_default(self, seconds: int) -> SpeakersList:
        return replace(self, default_seconds=check_seconds(seconds))

    def _running(self) -> Speech:
        if self.current is None:
            raise Conflict("Nobody has the floor.", code="no_speech")
        return self.current

    # -- erasure -----------------------------------------------------------------------

    def names(self, participant: int) -> bool:
        return any(r.speaker.participant == participant for r in self._requests()) or participant in self.used_order

    def erase(self, participant: int) -> SpeakersList:
        """The list without `participant` (a participant erased): their waiting request is dropped
        (nobody can be given the floor under it), their speeches stay, with segment and seconds,
        under a stand-in with no name and no public id."""
        other = stand_in(r.speaker.participant for r in self._requests())

        def anonymous(r: Request) -> Request:
            if r.speaker.participant != participant:
                return r
            return replace(r, speaker=Speaker(other, "", "", r.speaker.segment))

        return replace(
            self, queue=tuple(r for r in self.queue if r.speaker.participant != participant),
            current=replace(self.current, request=anonymous(self.current.request)) if self.current else None,
            spoken=tuple(replace(s, request=anonymous(s.request)) for s in self.spoken),
            used_order=frozenset(other if p == participant else p for p in self.used_order))

    def _requests(self) -> tuple[Request, ...]:
        current = (self.current.request,) if self.current is not None else ()
        return self.queue + current + tuple(s.request for s in self.spoken)

    # -- what is recorded --------------------------------------------------------------

    def totals(self, now: float) -> dict[str, Any]:
        """Seconds spoken per person (public id) and per segment, the running speech included."""
        speeches = self.spoken + ((self.current,) if self.current is not None else ())
        people: dict[int, dict[str, Any]] = {}
        segments: dict[str, float] = {}
        for speech in speeches:
            who = speech.request.speaker
            seconds = speech.spoken(now)
            entry = people.setdefault(who.participant, {"public_id": who.public_id, "name": who.name,
                                                      "segment": who.segment, "seconds": 0.0, "speeches": 0})
            entry["seconds"] += seconds
            entry["speeches"] += 1
            segments[who.segment] = segments.get(who.segment, 0.0) + seconds
        return {
            "people": [p | {"seconds": round(p["seconds"], 1)} for p in people.values()],
            "segments": {name: round(total, 1) for name, total in segments.items()},
        }

    def to_dict(self, now: float) -> dict[str, Any]:
        """What every screen shows; participants' internal ids are left out."""
        return {
            "session": self.session, "default_seconds": self.default_seconds, "closed": self.closed,
            "queue": [r.to_dict() for r in self.queue],
            "current": self.current.to_dict(now) if self.current is not None else None,
            "spoken": [s.to_dict(now) for s in self.spoken],
            "totals": self.totals(now),
        }


def check_seconds(seconds: int) -> int:
    low, high = SECONDS_BOUNDS
    if not low <= seconds <= high:
        raise InvalidCommand(f"speaking time must be {low} to {high} seconds", code="invalid_field",
                             field="seconds", min=low, max=high)
    return seconds


# -- storage form (the store keeps the list as one JSON document) -------------------------

def dump(lst: SpeakersList) -> dict[str, Any]:
    def request(r: Request) -> dict[str, Any]:
        s = r.speaker
        return {"id": r.id, "participant": s.participant, "public_id": s.public_id, "name": s.name,
                "segment": s.segment, "stance": r.stance, "requested_at": r.requested_at}

    def speech(s: Speech) -> dict[str, Any]:
        return {"request": request(s.request), "started_at": s.started_at, "allowed": s.allowed,
                "elapsed": s.elapsed, "running_since": s.running_since, "ended_at": s.ended_at}

    return {
        "session": lst.session, "default_seconds": lst.default_seconds, "closed": lst.closed,
        "queue": [request(r) for r in lst.queue],
        "current": speech(lst.current) if lst.current is not None else None,
        "spoken": [speech(s) for s in lst.spoken],
        "used_order": sorted(lst.used_order), "next_id": lst.next_id,
    }


def load(data: Mapping[str, Any]) -> SpeakersList:
    def request(d: Mapping[str, Any]) -> Request:
        speaker = Speaker(int(d["participant"]), str(d["public_id"]), str(d["name"]), str(d["segment"]))
        return Request(int(d["id"]), speaker, d["stance"], float(d["requested_at"]))

    def speech(d: Mapping[str, Any]) -> Speech:
        return Speech(request(d["request"]), float(d["started_at"]), int(d["allowed"]), float(d["elapsed"]),
                      d["running_since"], d["ended_at"])

    return SpeakersList(
        session=int(data["session"]), default_seconds=int(data["default_seconds"]), closed=bool(data["closed"]),
        queue=tuple(request(r) for r in data["queue"]),
        current=speech(data["current"]) if data["current"] is not None else None,
        spoken=tuple(speech(s) for s in data["spoken"]),
        used_order=frozenset(int(p) for p in data["used_order"]), next_id=int(data["next_id"]),
    )
