"""Every websocket command, declared once: its wire shape, who may send it, the service call.

The name comes from the shape's `type` (server/wire.py); the roles are checked at dispatch,
before the schema, and nowhere else; `docs/protocol.md` and `static/js/commands.js` are
kept in step with this table by tests/unit/test_commands.py. Adding a command is one
class in wire.py and one line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server import wire
from server.identity import (
    DOOR,
    MODERATORS,
    ORGANIZERS,
    PARTICIPANTS,
    PRESENTERS,
    STAFF,
    Identity,
    Role,
)
from server.web.services import Services

Handler = Callable[[Services, Identity, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Declared:
    shape: type[wire.Command]
    roles: frozenset[Role]
    call: Handler

    @property
    def name(self) -> str:
        return wire.name_of(self.shape)


def _table(*declared: Declared) -> dict[str, Declared]:
    table = {d.name: d for d in declared}
    assert len(table) == len(declared), "a command is declared twice"
    return table


D = Declared
COMMANDS: dict[str, Declared] = _table(
    D(wire.ProfileUpdate, PARTICIPANTS, lambda s, who, m: s.conference.update_profile(who, m.id, m.name, m.segment)),
    D(wire.SessionStart, PRESENTERS, lambda s, who, m: s.conference.start_session(who, m.id, m.session)),
    D(wire.SessionEnd, PRESENTERS, lambda s, who, m: s.conference.end_session(who, m.id, m.session)),
    D(wire.ScreenShow, PRESENTERS,
      lambda s, who, m: s.conference.show_screen(who, m.id, m.kind, m.ref, m.text, m.seconds)),
    # chat, questions and moderation
    D(wire.ChatSend, PARTICIPANTS, lambda s, who, m: s.qa.send_chat(who, m.id, m.text)),
    D(wire.QuestionAsk, PARTICIPANTS, lambda s, who, m: s.qa.ask(who, m.id, m.text, m.anonymous)),
    D(wire.QuestionUpvote, PARTICIPANTS, lambda s, who, m: s.qa.upvote(who, m.id, m.question, m.up)),
    D(wire.QuestionPin, STAFF, lambda s, who, m: s.moderation.pin(who, m.id, m.question, m.pinned)),
    D(wire.QuestionAnswer, STAFF, lambda s, who, m: s.moderation.answer(who, m.id, m.question, m.answered)),
    D(wire.QuestionArchive, MODERATORS, lambda s, who, m: s.moderation.archive(who, m.id, m.question)),
    D(wire.QuestionMerge, MODERATORS, lambda s, who, m: s.moderation.merge(who, m.id, m.question, m.into)),
    D(wire.QuestionReply, MODERATORS, lambda s, who, m: s.moderation.reply(who, m.id, m.question, m.text)),
    D(wire.ModApprove, MODERATORS, lambda s, who, m: s.moderation.approve(who, m.id, m.kind, m.item, m.text)),
    D(wire.ModApproveMany, MODERATORS,
      lambda s, who, m: s.moderation.approve_many(who, m.id, [(i.kind, i.item) for i in m.items])),
    D(wire.ModReject, MODERATORS,
      lambda s, who, m: s.moderation.reject(who, m.id, m.kind, m.item, m.reason, m.preset or "")),
    D(wire.ModDelete, MODERATORS, lambda s, who, m: s.moderation.delete(who, m.id, m.kind, m.item, m.reason)),
    D(wire.ModHide, MODERATORS, lambda s, who, m: s.moderation.hide(who, m.id, m.kind, m.item, m.hidden)),
    D(wire.ModPromote, MODERATORS, lambda s, who, m: s.moderation.promote(who, m.id, m.item)),
    D(wire.ModRemoveAll, MODERATORS,
      lambda s, who, m: s.moderation.remove_all(who, m.id, m.participant, m.reason)),
    D(wire.ModMute, MODERATORS, lambda s, who, m: s.moderation.mute(who, m.id, m.participant, m.minutes)),
    D(wire.ModBan, MODERATORS, lambda s, who, m: s.moderation.ban(who, m.id, m.participant, True)),
    D(wire.ModUnban, MODERATORS, lambda s, who, m: s.moderation.ban(who, m.id, m.participant, False)),
    D(wire.ModPolicy, MODERATORS, lambda s, who, m: s.moderation.set_policy(who, m.id, m.changes())),
    # open-text answers: the queue is the moderators'; hiding a word off the cloud is also the presenter's
    D(wire.ModAnswer, MODERATORS,
      lambda s, who, m: s.answers.decide_answer(who, m.id, m.poll, m.answer, m.decision)),
    D(wire.ModWord, STAFF, lambda s, who, m: s.answers.decide_word(who, m.id, m.poll, m.word, m.hidden)),
    # polls, ballots, credentials and elections (credentials are managed over HTTP by organizers)
    D(wire.VoteCast, PARTICIPANTS, lambda s, who, m: s.answers.cast(who, m.id, m.poll, m.ballot)),
    D(wire.DelegateRedeem, PARTICIPANTS, lambda s, who, m: s.delegates.redeem(who, m.id, m.code)),
    D(wire.PollCreate, PRESENTERS, lambda s, who, m: s.polls.create(who, m.id, m.fields())),
    D(wire.PollOpen, PRESENTERS, lambda s, who, m: s.polls.open(who, m.id, m.poll, m.seconds)),
    D(wire.PollExtend, PRESENTERS, lambda s, who, m: s.polls.extend(who, m.id, m.poll, m.seconds)),
    D(wire.PollPause, PRESENTERS, lambda s, who, m: s.polls.pause(who, m.id, m.poll)),
    D(wire.PollResume, PRESENTERS, lambda s, who, m: s.polls.resume(who, m.id, m.poll)),
    D(wire.PollClose, PRESENTERS, lambda s, who, m: s.polls.close(who, m.id, m.poll)),
    D(wire.PollReopen, PRESENTERS, lambda s, who, m: s.polls.reopen(who, m.id, m.poll, m.seconds)),
    D(wire.PollVisibilitySet, PRESENTERS, lambda s, who, m: s.polls.set_visibility(who, m.id, m.poll, m.visibility)),
    # the plenária: credenciamento at the door, its settings, each viewer's stream delay
    D(wire.CheckinIn, DOOR, lambda s, who, m: s.attendance.check(who, m.id, "in", code=m.code, delegate=m.delegate,
                                                               method=m.method)),
    D(wire.CheckinOut, DOOR, lambda s, who, m: s.attendance.check(who, m.id, "out", code=m.code,
                                                                delegate=m.delegate, method=m.method)),
    D(wire.PlenarySettingsSet, ORGANIZERS, lambda s, who, m: s.attendance.set_settings(who, m.id, m.changes())),
    D(wire.StreamDelaySet, PARTICIPANTS, lambda s, who, m: s.polls.set_stream_delay(who, float(m.seconds))),
    # the speakers' list: participants ask for the floor, the chair (presenter or organizer) gives and times it
    D(wire.SpeakersRequest, PARTICIPANTS, lambda s, who, m: s.speakers.request(who, m.id, m.session, m.stance)),
    D(wire.SpeakersWithdraw, PARTICIPANTS, lambda s, who, m: s.speakers.withdraw(who, m.id, m.session)),
    D(wire.SpeakersOrder, PRESENTERS, lambda s, who, m: s.speakers.reorder(who, m.id, m.session, m.order)),
    D(wire.SpeakersRemove, PRESENTERS, lambda s, who, m: s.speakers.remove(who, m.id, m.session, m.request)),
    D(wire.SpeakersStart, PRESENTERS,
      lambda s, who, m: s.speakers.start(who, m.id, m.session, m.request, m.seconds)),
    D(wire.SpeakersPause, PRESENTERS, lambda s, who, m: s.speakers.pause(who, m.id, m.session)),
    D(wire.SpeakersResume, PRESENTERS, lambda s, who, m: s.speakers.resume(who, m.id, m.session)),
    D(wire.SpeakersExtend, PRESENTERS, lambda s, who, m: s.speakers.extend(who, m.id, m.session, m.seconds)),
    D(wire.SpeakersEnd, PRESENTERS, lambda s, who, m: s.speakers.end(who, m.id, m.session)),
    D(wire.SpeakersOpen, PRESENTERS, lambda s, who, m: s.speakers.set_open(who, m.id, m.session, m.open)),
    D(wire.SpeakersDefault, PRESENTERS, lambda s, who, m: s.speakers.set_default(who, m.id, m.session, m.seconds)),
    # destaques, block approval and moções: delegates mark and sign, the chair runs the floor
    D(wire.DestaqueWindow, PRESENTERS, lambda s, who, m: s.deliberation.window(who, m.id, m.poll, m.open)),
    D(wire.DestaqueMark, PARTICIPANTS,
      lambda s, who, m: s.deliberation.mark(who, m.id, m.poll, m.proposal, m.marked)),
    D(wire.MocaoSubmit, PARTICIPANTS,
      lambda s, who, m: s.deliberation.submit(who, m.id, m.kind, m.text, m.addressee)),
    D(wire.MocaoSign, PARTICIPANTS, lambda s, who, m: s.deliberation.sign(who, m.id, m.motion, m.signed)),
    D(wire.PlenaryDefend, PRESENTERS,
      lambda s, who, m: s.deliberation.defend(who, m.id, m.target(), m.stage, m.defender, m.seconds)),
    D(wire.PlenaryAmend, PRESENTERS, lambda s, who, m: s.deliberation.amend(who, m.id, m.target(), m.text)),
    D(wire.PlenaryVote, PRESENTERS,
      lambda s, who, m: s.deliberation.call_vote(who, m.id, m.target(), m.vote_poll)),
    D(wire.PlenaryDecide, PRESENTERS, lambda s, who, m: s.deliberation.proclaim(who, m.id, m.target())),
    D(wire.PlenaryBallot, PRESENTERS, lambda s, who, m: s.deliberation.next_ballot(who, m.id, m.poll)),
    # pre-conferences
    D(wire.ProposalSubmit, PARTICIPANTS, lambda s, who, m: s.preconference.submit(who, m.id, m.text, m.eixo, m.level)),
)
