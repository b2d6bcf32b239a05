"""The one wire module: every websocket message type, its schema and its JSON shape.

Inbound frames are parsed here and nowhere else: size first, then JSON, then a
strict schema per `type` (unknown fields refused). Outbound frames are built
here and nowhere else. `docs/protocol.md` documents exactly these names; a test
checks that both agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from server import inbound
from server.errors import InvalidMessage, PlenariaError

CommandId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
ShortText = Annotated[StrictStr, Field(max_length=120)]
# Every id a client names (session, poll, question, item...) is a row id: 1 to what both stores hold.
RowId = Annotated[StrictInt, Field(ge=1, le=inbound.MAX_ID)]


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Command(Inbound):
    """Every command carries a client-chosen id: a retry with the same id has no second effect."""

    id: CommandId


class ResumePoint(Inbound):
    ch: Annotated[StrictStr, Field(max_length=80)]
    epoch: Annotated[StrictStr, Field(max_length=40)]
    seq: Annotated[StrictInt, Field(ge=0, le=inbound.MAX_SEQ)]


class Hello(Inbound):
    type: Literal["hello"]
    event: Annotated[StrictStr, Field(min_length=1, max_length=32)]
    device: Annotated[StrictStr, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    token: Annotated[StrictStr, Field(max_length=128)] = ""
    resume: Annotated[list[ResumePoint], Field(max_length=8)] = []
    lang: Annotated[StrictStr, Field(max_length=16)] = ""


class Ping(Inbound):
    type: Literal["ping"]
    # The client's clock, echoed back for offset estimation: a finite number, never the text "NaN".
    t: Annotated[StrictFloat, Field(allow_inf_nan=False)] | None = None


class ProfileUpdate(Command):
    type: Literal["profile.update"]
    name: Annotated[StrictStr, Field(max_length=60)] = ""
    segment: Annotated[StrictStr, Field(max_length=40)] = ""


class SessionStart(Command):
    type: Literal["session.start"]
    session: RowId


class SessionEnd(Command):
    type: Literal["session.end"]
    session: RowId


class ScreenShow(Command):
    type: Literal["screen.show"]
    kind: Annotated[StrictStr, Field(max_length=16)]
    ref: RowId | None = None
    text: Annotated[StrictStr, Field(max_length=280)] = ""
    seconds: Annotated[StrictInt, Field(ge=0, le=86_400)] | None = None  # the screen's own rule is narrower


# -- chat, questions and moderation (docs/protocol.md "Chat, questions and moderation") --
# Hard caps at the edge; each event's own limits (never above these) are checked by the service.
ChatText = Annotated[StrictStr, Field(min_length=1, max_length=500)]
QuestionText = Annotated[StrictStr, Field(min_length=1, max_length=300)]
ItemKind = Literal["chat", "question"]
ItemId = RowId
PublicId = Annotated[StrictStr, Field(min_length=1, max_length=16)]
Note = Annotated[StrictStr, Field(max_length=300)]
# The same list as server.domain.qa.REJECT_PRESETS (a test keeps them equal).
RejectPreset = Literal["off_topic", "offensive", "personal_data", "spam", "duplicate", "answered"]
BULK_LIMIT = 100


class ChatSend(Command):
    type: Literal["chat.send"]
    text: ChatText


class QuestionAsk(Command):
    type: Literal["question.ask"]
    text: QuestionText
    anonymous: StrictBool = False


class QuestionUpvote(Command):
    type: Literal["question.upvote"]
    question: ItemId
    up: StrictBool = True


class ModApprove(Command):
    type: Literal["mod.approve"]
    kind: ItemKind
    item: ItemId
    text: ChatText | None = None  # edit-then-approve


class ModReject(Command):
    type: Literal["mod.reject"]
    kind: ItemKind
    item: ItemId
    reason: Note = ""  # the moderator's words to the author
    preset: RejectPreset | None = None  # a reason the author's page shows in the author's language


class ItemRef(Inbound):
    kind: ItemKind
    item: ItemId


class ModApproveMany(Command):
    type: Literal["mod.approve_many"]
    items: Annotated[list[ItemRef], Field(min_length=1, max_length=BULK_LIMIT)]


class ModHide(Command):
    type: Literal["mod.hide"]
    kind: ItemKind
    item: ItemId
    hidden: StrictBool = True


class ModPromote(Command):
    """A chat message (an imported comment, most often) becomes a question."""

    type: Literal["mod.promote"]
    item: ItemId


class ModRemoveAll(Command):
    type: Literal["mod.remove_all"]
    participant: PublicId
    reason: Note = ""


class ModDelete(Command):
    type: Literal["mod.delete"]
    kind: ItemKind
    item: ItemId
    reason: Note = ""


class QuestionPin(Command):
    type: Literal["question.pin"]
    question: ItemId
    pinned: StrictBool = True


class QuestionAnswer(Command):
    type: Literal["question.answer"]
    question: ItemId
    answered: StrictBool = True


class QuestionReply(Command):
    type: Literal["question.reply"]
    question: ItemId
    text: Annotated[StrictStr, Field(max_length=500)]  # "" takes the reply back


class QuestionArchive(Command):
    type: Literal["question.archive"]
    question: ItemId


class QuestionMerge(Command):
    type: Literal["question.merge"]
    question: ItemId
    into: ItemId


class ModMute(Command):
    type: Literal["mod.mute"]
    participant: PublicId
    minutes: Annotated[StrictInt, Field(ge=0, le=1440)]


class ModBan(Command):
    type: Literal["mod.ban"]
    participant: PublicId


class ModUnban(Command):
    type: Literal["mod.unban"]
    participant: PublicId


class ModPolicy(Command):
    """Change some of the event's chat and Q&A settings; absent fields stay as they are."""

    type: Literal["mod.policy"]
    chat_enabled: StrictBool | None = None
    questions_enabled: StrictBool | None = None
    chat_mode: Literal["post", "pre"] | None = None
    questions_mode: Literal["post", "pre"] | None = None
    slow_mode_seconds: Annotated[StrictInt, Field(ge=0, le=3600)] | None = None
    anonymous_questions: StrictBool | None = None
    chat_max_length: Annotated[StrictInt, Field(ge=1, le=500)] | None = None
    question_max_length: Annotated[StrictInt, Field(ge=1, le=300)] | None = None
    rules: dict[str, Any] | None = None  # a moderation.Policy (see docs/moderation.md), replaced whole

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"type", "id"})


# -- polls, ballots, credentials and elections (docs/protocol.md) ---------------------

PollRef = RowId


class ModAnswer(Command):
    """A moderator's decision on one open-text answer (all the ballots that wrote it alike)."""

    type: Literal["mod.answer"]
    poll: PollRef
    answer: Annotated[StrictStr, Field(min_length=1, max_length=500)]
    decision: Literal["approve", "reject", "hide", "show"]


class ModWord(Command):
    """Hide a word from an open-text poll's cloud, or show it again."""

    type: Literal["mod.word"]
    poll: PollRef
    word: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    hidden: StrictBool = True
PollSeconds = Annotated[StrictInt, Field(ge=1, le=86_400)]
PollVisibility = Literal["live", "after_close", "hidden"]


class VoteCast(Command):
    """A ballot: its shape depends on the poll kind (checked by server.domain.polls.validate_ballot)."""

    type: Literal["vote.cast"]
    poll: PollRef
    ballot: dict[str, Any]


class PollCreate(Command):
    type: Literal["poll.create"]
    spec: dict[str, Any]
    visibility: PollVisibility = "live"
    eligibility: Annotated[StrictStr, Field(max_length=60)] = "everyone"
    secret: StrictBool = False
    session: RowId | None = None

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"type", "id"}, exclude_unset=True)


class PollOpen(Command):
    type: Literal["poll.open"]
    poll: PollRef
    seconds: PollSeconds | None = None


class PollExtend(Command):
    type: Literal["poll.extend"]
    poll: PollRef
    seconds: PollSeconds


class PollPause(Command):
    type: Literal["poll.pause"]
    poll: PollRef


class PollResume(Command):
    type: Literal["poll.resume"]
    poll: PollRef


class PollClose(Command):
    type: Literal["poll.close"]
    poll: PollRef


class PollReopen(Command):
    type: Literal["poll.reopen"]
    poll: PollRef
    seconds: PollSeconds | None = None


class PollVisibilitySet(Command):
    type: Literal["poll.visibility"]
    poll: PollRef
    visibility: PollVisibility


class DelegateRedeem(Command):
    type: Literal["delegate.redeem"]
    code: Annotated[StrictStr, Field(min_length=4, max_length=32)]


# -- the plenária's procedure: speakers' lists (docs/protocol.md "Speakers' list") ------------

SpeakSeconds = Annotated[StrictInt, Field(ge=10, le=3600)]  # server.domain.speakers.SECONDS_BOUNDS


class SpeakersRequest(Command):
    """Ask for the floor on an agenda item: for, against, or a question of order (jumps the queue once)."""

    type: Literal["speakers.request"]
    session: RowId
    stance: Literal["for", "against", "order"]


class SpeakersWithdraw(Command):
    type: Literal["speakers.withdraw"]
    session: RowId


class SpeakersOrder(Command):
    type: Literal["speakers.order"]
    session: RowId
    order: Annotated[list[RowId], Field(max_length=500)]  # every waiting request id, once


class SpeakersRemove(Command):
    type: Literal["speakers.remove"]
    session: RowId
    request: RowId


class SpeakersStart(Command):
    type: Literal["speakers.start"]
    session: RowId
    request: RowId | None = None  # default: the head of the queue
    seconds: SpeakSeconds | None = None  # default: the list's default


class SpeakersPause(Command):
    type: Literal["speakers.pause"]
    session: RowId


class SpeakersResume(Command):
    type: Literal["speakers.resume"]
    session: RowId


class SpeakersExtend(Command):
    type: Literal["speakers.extend"]
    session: RowId
    seconds: SpeakSeconds


class SpeakersEnd(Command):
    type: Literal["speakers.end"]
    session: RowId


class SpeakersOpen(Command):
    """Close the list to new requests (`open: false`; those waiting keep their turn) or open it again."""

    type: Literal["speakers.open"]
    session: RowId
    open: StrictBool


class SpeakersDefault(Command):
    type: Literal["speakers.default"]
    session: RowId
    seconds: SpeakSeconds


# -- the plenária: credenciamento and its settings (docs/protocol.md "The plenária") --
DelegateCode = Annotated[StrictStr, Field(min_length=4, max_length=32)]
CheckinMethod = Literal["scan", "typed", "list"]
StreamDelay = Annotated[StrictInt, Field(ge=0, le=120)]
MotionShare = Annotated[StrictInt, Field(ge=1, le=100)]  # percent of the delegates present


class CheckinIn(Command):
    """One of `code` (scanned or typed from the credential) or `delegate` (picked from the list)."""

    type: Literal["checkin.in"]
    code: DelegateCode | None = None
    delegate: RowId | None = None
    method: CheckinMethod = "list"


class CheckinOut(Command):
    type: Literal["checkin.out"]
    code: DelegateCode | None = None
    delegate: RowId | None = None
    method: CheckinMethod = "list"


class PlenarySettingsSet(Command):
    type: Literal["plenary.settings"]
    online_participation: StrictBool | None = None
    stream_delay: StreamDelay | None = None
    max_stream_delay: StreamDelay | None = None
    motion_share: MotionShare | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"type", "id"}, exclude_none=True)


# -- destaques, block approval and moções (docs/protocol.md "Destaques, block approval and moções") --

ProposalId = Annotated[StrictStr, Field(min_length=1, max_length=64)]  # an option id of the proposal ballot
MatterText = Annotated[StrictStr, Field(min_length=1, max_length=2000)]


class DestaqueWindow(Command):
    type: Literal["destaque.window"]
    poll: RowId
    open: StrictBool


class DestaqueMark(Command):
    type: Literal["destaque.mark"]
    poll: RowId
    proposal: ProposalId
    marked: StrictBool = True


class MocaoSubmit(Command):
    type: Literal["mocao.submit"]
    kind: Literal["repudio", "apoio", "recomendacao", "congratulacao", "outra"]
    text: MatterText
    addressee: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class MocaoSign(Command):
    type: Literal["mocao.sign"]
    motion: RowId
    signed: StrictBool = True


class FloorCommand(Command):
    """Names what is before the plenária: the block of a ballot (`poll`), one of its destaques
    (`poll` and `proposal`) or a moção (`motion`)."""

    poll: RowId | None = None
    proposal: ProposalId | None = None
    motion: RowId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> FloorCommand:
        if (self.motion is None) == (self.poll is None) or (self.motion is not None and self.proposal is not None):
            raise ValueError("name a poll (and a proposal) or a motion")
        return self

    def target(self) -> dict[str, Any]:
        return self.model_dump(include={"poll", "proposal", "motion"}, exclude_none=True)


class PlenaryDefend(FloorCommand):
    type: Literal["plenary.defend"]
    stage: Literal["for", "against"]
    defender: Annotated[StrictStr, Field(max_length=120)] = ""
    seconds: SpeakSeconds = 180


class PlenaryAmend(FloorCommand):
    type: Literal["plenary.amend"]
    text: MatterText


class PlenaryVote(FloorCommand):
    type: Literal["plenary.vote"]
    vote_poll: RowId  # a decision vote: a yes/no/abstain poll whose spec holds a rule


class PlenaryDecide(FloorCommand):
    type: Literal["plenary.decide"]


class PlenaryBallot(Command):
    type: Literal["plenary.ballot"]
    poll: RowId



# -- pre-conferences (docs/preconferences.md) --


class ProposalSubmit(Command):
    """A participant's contribution to the pre-conference meeting they joined."""

    type: Literal["proposal.submit"]
    text: Annotated[StrictStr, Field(min_length=1, max_length=300)]
    eixo: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    level: Literal["municipal", "state", "federal"]


class StreamDelaySet(Command):
    """A viewer's measured delay behind the room (seconds); the server bounds what it grants."""

    type: Literal["stream.delay"]
    seconds: Annotated[StrictFloat | StrictInt, Field(ge=0, le=600, allow_inf_nan=False)]


def name_of(shape: type[Inbound]) -> str:
    """A message's `type`, read from its shape's `Literal` (the one place it is spelled)."""
    (name,) = get_args(shape.model_fields["type"].annotation)
    return str(name)


INBOUND: dict[str, type[Inbound]] = {name_of(shape): shape for shape in (
    Hello, Ping, ProfileUpdate, SessionStart, SessionEnd, ScreenShow, ChatSend, QuestionAsk, QuestionUpvote,
    QuestionPin, QuestionAnswer, QuestionArchive, QuestionMerge, QuestionReply, ModApprove, ModApproveMany,
    ModReject, ModDelete, ModHide, ModPromote, ModRemoveAll, ModMute, ModBan, ModUnban, ModPolicy, ModAnswer, ModWord,
    VoteCast, PollCreate, PollOpen, PollExtend, PollPause, PollResume, PollClose, PollReopen,
    PollVisibilitySet, DelegateRedeem,
    SpeakersRequest, SpeakersWithdraw, SpeakersOrder, SpeakersRemove, SpeakersStart, SpeakersPause,
    SpeakersResume, SpeakersExtend, SpeakersEnd, SpeakersOpen, SpeakersDefault,
    CheckinIn, CheckinOut, PlenarySettingsSet,
    DestaqueWindow, DestaqueMark, MocaoSubmit, MocaoSign, PlenaryDefend, PlenaryAmend, PlenaryVote,
    PlenaryDecide, PlenaryBallot, StreamDelaySet, ProposalSubmit,
)}

@dataclass(frozen=True, slots=True)
class EventShape:
    """The top-level keys of an event's `data`: `keys` always there, `optional` sometimes.

    `wraps` names the key an event's one entity travels under (a chat message, a question, a
    moderation item, an audit entry, the settings); an event whose data is its entity, whole
    (the event, a session, the screen, a poll, a credential), has none. Each event always takes
    the same form: tests/conftest.py checks every event published in the tests against this.
    """

    keys: frozenset[str]
    optional: frozenset[str] = frozenset()
    wraps: str | None = None


def _shape(*keys: str, optional: tuple[str, ...] = (), wraps: str | None = None) -> EventShape:
    return EventShape(frozenset(keys), frozenset(optional), wraps)


_SESSION = ("id", "title", "description", "speakers", "position", "status", "starts_at", "started_at", "ended_at")
_POLL = ("id", "spec", "status", "visibility", "eligibility", "secret", "session", "position", "deadline",
         "remaining", "opened_at", "closed_at", "awaiting_count", "server_time")
_EVENT = ("id", "code", "title", "description", "timezone", "languages", "default_lang", "segments", "stream",
          "stream_url", "embed_origins", "plenary")

# Every event published on a channel (the `name` of an `event` frame) and the shape of its data.
EVENTS: dict[str, EventShape] = {
    "event.updated": _shape(*_EVENT),
    "session.updated": _shape(*_SESSION),
    "session.removed": _shape("id"),
    "screen.updated": _shape("kind", "ref", "text", "ends_at"),
    "presence.updated": _shape("online"),
    "staff.revoked": _shape("id", "role"),
    "chat.message": _shape("message", wraps="message"),
    "chat.removed": _shape("id", "reason", optional=("why",)),
    "question.updated": _shape("question", wraps="question"),
    "question.upvotes": _shape("id", "upvotes", "version"),
    "question.removed": _shape("id", "reason", optional=("into", "why")),
    "qa.settings.updated": _shape("settings", wraps="settings"),
    "mod.item": _shape("item", wraps="item"),
    "mod.audit": _shape("entry", wraps="entry"),
    "mod.sanction": _shape("participant", "muted_until", "banned"),
    "mod.policy.updated": _shape("policy", "version", wraps="policy"),
    "mod.answers": _shape("poll", "answers", "hidden_words"),
    "poll.updated": _shape(*_POLL),
    "poll.removed": _shape("id"),
    "poll.tally": _shape("poll", "tally", "turnout", "computed_at", optional=("sealed",)),
    "poll.turnout": _shape("poll", "turnout", "computed_at"),
    "poll.result": _shape("poll", "tally", "turnout", "outcome", "election", "computed_at",
                          optional=("verification", "decision", "ranked")),
    "delegate.updated": _shape("id", "name", "segment", "status"),
    # the plenária: credenciamento and its settings (docs/plenary.md)
    "attendance.updated": _shape("delegate", "attendance"),
    "plenary.settings": _shape("settings", wraps="settings"),
    # the plenária's procedure (docs/procedure.md)
    "speakers.updated": _shape("session", "default_seconds", "closed", "queue", "current", "spoken", "totals"),
    "destaque.updated": _shape("poll", "phase", "proposals", "block", "block_call", "block_verdict",
                               "block_decision", "destaques", "approved"),
    "mocao.updated": _shape("motions", "needed", "share"),
    # live comments imported from the broadcast platforms (docs/platforms.md)
    "platform.health": _shape("source", wraps="source"),
    "platform.removed": _shape("id"),
    # pre-conferences (docs/preconferences.md)
    "preconference.updated": _shape("contributions", "proposals"),
    "preconference.meeting": _shape("meeting", "conference", "eixos", "levels"),
}
EVENT_NAMES: tuple[str, ...] = tuple(EVENTS)


def event_mismatch(name: str, data: Mapping[str, Any]) -> str | None:
    """What is wrong with an event (and the variant it carries) against EVENTS; None if nothing."""
    shape = EVENTS.get(name)
    if shape is None:
        return f"{name} is not a declared event"
    keys = set(data) - {VARIANT}
    if not shape.keys <= keys <= shape.keys | shape.optional:
        return f"{name} has {sorted(keys)}, declared {sorted(shape.keys)} + optional {sorted(shape.optional)}"
    if shape.wraps is not None and not isinstance(data[shape.wraps], Mapping):
        return f"{name} carries its entity under {shape.wraps!r}, not {type(data[shape.wraps]).__name__}"
    variant = data.get(VARIANT)
    if isinstance(variant, Mapping):
        return event_mismatch(variant["name"], variant["data"])
    return None


# Names of the server-to-client frame types.
OUTBOUND_TYPES: tuple[str, ...] = ("welcome", "snapshot", "event", "ack", "error", "pong", "bye", "health")


def parse(frame: str | bytes, max_bytes: int) -> Inbound:
    """Parse one inbound frame; raises InvalidMessage (code says why) and never anything else."""
    return validate(decode(frame, max_bytes))


def decode(frame: str | bytes, max_bytes: int) -> dict[str, Any]:
    """Size, JSON and a known `type`: what is checked before anything else looks at a frame.

    Returns the raw object; raises InvalidMessage (too_large, invalid_json, invalid_number,
    too_deep, invalid_unicode, nul_character: see server/inbound.py; invalid_message,
    unknown_type).
    """
    size = len(frame.encode("utf-8", "surrogatepass") if isinstance(frame, str) else frame)
    try:
        raw = inbound.loads(frame)
    except InvalidMessage:
        if size > max_bytes:
            message = f"message of {size} bytes exceeds {max_bytes}"
            raise InvalidMessage(message, code="too_large", limit=max_bytes) from None
        raise
    if size > max_bytes:
        # Parsed only to name the refused command: the frame cap (64 KiB) bounds this work.
        command_id = _id_of(raw) if isinstance(raw, dict) else None
        raise InvalidMessage(
            f"message of {size} bytes exceeds {max_bytes}", code="too_large", limit=max_bytes, id=command_id
        )
    if not isinstance(raw, dict):
        raise InvalidMessage("message must be a JSON object", code="invalid_message")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in INBOUND:
        raise InvalidMessage(f"unknown message type {kind!r}", code="unknown_type", id=_id_of(raw))
    return raw


def validate(raw: Mapping[str, Any]) -> Inbound:
    """The strict schema of `raw["type"]` (from `decode`); raises InvalidMessage naming the field."""
    model = INBOUND[raw["type"]]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise InvalidMessage(
            f"{where}: {first['msg']}", code="invalid_message", field=where, id=_id_of(raw)
        ) from exc


def _id_of(raw: Mapping[str, Any]) -> str | None:
    value = raw.get("id")
    return value if isinstance(value, str) and len(value) <= 64 else None


def dumps(message: Mapping[str, Any]) -> str:
    """Compact JSON, UTF-8 as is: what every frame is encoded with (orjson: several times the
    standard library's speed on the snapshot and fan-out paths, see docs/performance.md)."""
    return orjson.dumps(message, default=_plain, option=orjson.OPT_NON_STR_KEYS).decode()


def _plain(value: Any) -> Any:
    """What orjson does not encode itself: other mappings (read-only views) as dicts."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def welcome(
    *, role: str, event_id: int, participant: Mapping[str, Any] | None, server_time: float, limits: Mapping[str, Any]
) -> str:
    return dumps(
        {
            "type": "welcome",
            "role": role,
            "event_id": event_id,
            "participant": participant,
            "server_time": server_time,
            "limits": limits,
        }
    )


def snapshot(*, ch: str, epoch: str, seq: int, state: Mapping[str, Any]) -> str:
    return dumps({"type": "snapshot", "ch": ch, "epoch": epoch, "seq": seq, "state": state})


VARIANT = "_variant"
"""An event's `data` may hold, under this key, another event for one participant's connections
only: `{"participant": <participant id>, "name": ..., "data": {...}}` (the author of a rejected
or shadow-hidden item learns what only they may know). Every other connection gets the event
without the key; the variant takes the same sequence number, so nobody sees a gap."""


def with_variant(data: Mapping[str, Any], participant_id: int, name: str, variant: Mapping[str, Any]) -> dict[
    str, Any
]:
    return {**data, VARIANT: {"participant": participant_id, "name": name, "data": dict(variant)}}


def variant_participant(data: Mapping[str, Any]) -> int | None:
    """The participant id a variant of this event is for, if it has one."""
    variant = data.get(VARIANT)
    return int(variant["participant"]) if isinstance(variant, Mapping) else None


def event_frame(*, ch: str, epoch: str, seq: int, name: str, data: Mapping[str, Any],
                participant: int | None = None) -> str:
    """The event as `participant` (None: anyone else) receives it."""
    variant = data.get(VARIANT)
    if isinstance(variant, Mapping):
        if participant is not None and variant["participant"] == participant:
            name, data = variant["name"], variant["data"]
        else:
            data = {k: v for k, v in data.items() if k != VARIANT}
    return dumps({"type": "event", "ch": ch, "epoch": epoch, "seq": seq, "name": name, "data": data})


def ack(command_id: str, result: Mapping[str, Any] | None = None) -> str:
    return dumps({"type": "ack", "id": command_id, "result": dict(result or {})})


def error(command_id: str | None, err: PlenariaError) -> str:
    body: dict[str, Any] = {"type": "error", "id": command_id, "code": err.code, "message": err.message}
    if err.details:
        body["details"] = {k: v for k, v in err.details.items() if k != "id"}
    return dumps(body)


def pong(client_time: float | None, server_time: float) -> str:
    return dumps({"type": "pong", "t": client_time, "server_time": server_time})


def bye(code: str, message: str, *, retry_after: float | None = None) -> str:
    """Sent just before the server closes a connection on purpose, so the client knows why."""
    body: dict[str, Any] = {"type": "bye", "code": code, "message": message}
    if retry_after is not None:
        body["retry_after"] = retry_after
    return dumps(body)


def health(broker_ok: bool) -> str:
    """Staff only: the process lost (or regained) its broker and serves only its own connections."""
    return dumps({"type": "health", "broker": "ok" if broker_ok else "degraded"})
