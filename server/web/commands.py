"""Websocket commands -> service calls. One line per command, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server import wire
from server.service.identity import Identity
from server.web.services import Services

Handler = Callable[[Services, Identity, Any], Awaitable[dict[str, Any]]]

HANDLERS: dict[type[wire.Inbound], Handler] = {
    wire.ProfileUpdate: lambda s, who, m: s.conference.update_profile(who, m.id, m.name, m.segment),
    wire.SessionStart: lambda s, who, m: s.conference.start_session(who, m.id, m.session),
    wire.SessionEnd: lambda s, who, m: s.conference.end_session(who, m.id, m.session),
    wire.ScreenShow: lambda s, who, m: s.conference.show_screen(who, m.id, m.kind, m.ref, m.text, m.seconds),
    wire.ChatSend: lambda s, who, m: s.qa.send_chat(who, m.id, m.text),
    wire.QuestionAsk: lambda s, who, m: s.qa.ask(who, m.id, m.text, m.anonymous),
    wire.QuestionUpvote: lambda s, who, m: s.qa.upvote(who, m.id, m.question, m.up),
    wire.QuestionPin: lambda s, who, m: s.moderation.pin(who, m.id, m.question, m.pinned),
    wire.QuestionAnswer: lambda s, who, m: s.moderation.answer(who, m.id, m.question, m.answered),
    wire.QuestionArchive: lambda s, who, m: s.moderation.archive(who, m.id, m.question),
    wire.QuestionMerge: lambda s, who, m: s.moderation.merge(who, m.id, m.question, m.into),
    wire.QuestionReply: lambda s, who, m: s.moderation.reply(who, m.id, m.question, m.text),
    wire.ModApprove: lambda s, who, m: s.moderation.approve(who, m.id, m.kind, m.item, m.text),
    wire.ModApproveMany: lambda s, who, m: s.moderation.approve_many(who, m.id, [(i.kind, i.item) for i in m.items]),
    wire.ModReject: lambda s, who, m: s.moderation.reject(who, m.id, m.kind, m.item, m.reason, m.preset or ""),
    wire.ModDelete: lambda s, who, m: s.moderation.delete(who, m.id, m.kind, m.item, m.reason),
    wire.ModHide: lambda s, who, m: s.moderation.hide(who, m.id, m.kind, m.item, m.hidden),
    wire.ModRemoveAll: lambda s, who, m: s.moderation.remove_all(who, m.id, m.participant, m.reason),
    wire.ModMute: lambda s, who, m: s.moderation.mute(who, m.id, m.participant, m.minutes),
    wire.ModBan: lambda s, who, m: s.moderation.ban(who, m.id, m.participant, True),
    wire.ModUnban: lambda s, who, m: s.moderation.ban(who, m.id, m.participant, False),
    wire.ModPolicy: lambda s, who, m: s.moderation.set_policy(who, m.id, m.changes()),
    wire.ModAnswer: lambda s, who, m: s.answers.decide_answer(who, m.id, m.poll, m.answer, m.decision),
    wire.ModWord: lambda s, who, m: s.answers.decide_word(who, m.id, m.poll, m.word, m.hidden),
    wire.VoteCast: lambda s, who, m: s.answers.cast(who, m.id, m.poll, m.ballot),
    wire.PollCreate: lambda s, who, m: s.polls.create(who, m.id, m.fields()),
    wire.PollOpen: lambda s, who, m: s.polls.open(who, m.id, m.poll, m.seconds),
    wire.PollExtend: lambda s, who, m: s.polls.extend(who, m.id, m.poll, m.seconds),
    wire.PollPause: lambda s, who, m: s.polls.pause(who, m.id, m.poll),
    wire.PollResume: lambda s, who, m: s.polls.resume(who, m.id, m.poll),
    wire.PollClose: lambda s, who, m: s.polls.close(who, m.id, m.poll),
    wire.PollReopen: lambda s, who, m: s.polls.reopen(who, m.id, m.poll, m.seconds),
    wire.PollVisibilitySet: lambda s, who, m: s.polls.set_visibility(who, m.id, m.poll, m.visibility),
    wire.DelegateRedeem: lambda s, who, m: s.delegates.redeem(who, m.id, m.code),
    wire.SpeakersRequest: lambda s, who, m: s.speakers.request(who, m.id, m.session, m.stance),
    wire.SpeakersWithdraw: lambda s, who, m: s.speakers.withdraw(who, m.id, m.session),
    wire.SpeakersOrder: lambda s, who, m: s.speakers.reorder(who, m.id, m.session, m.order),
    wire.SpeakersRemove: lambda s, who, m: s.speakers.remove(who, m.id, m.session, m.request),
    wire.SpeakersStart: lambda s, who, m: s.speakers.start(who, m.id, m.session, m.request, m.seconds),
    wire.SpeakersPause: lambda s, who, m: s.speakers.pause(who, m.id, m.session),
    wire.SpeakersResume: lambda s, who, m: s.speakers.resume(who, m.id, m.session),
    wire.SpeakersExtend: lambda s, who, m: s.speakers.extend(who, m.id, m.session, m.seconds),
    wire.SpeakersEnd: lambda s, who, m: s.speakers.end(who, m.id, m.session),
    wire.SpeakersOpen: lambda s, who, m: s.speakers.set_open(who, m.id, m.session, m.open),
    wire.SpeakersDefault: lambda s, who, m: s.speakers.set_default(who, m.id, m.session, m.seconds),
    wire.CheckinIn: lambda s, who, m: s.attendance.check(who, m.id, "in", code=m.code, delegate=m.delegate,
                                                         method=m.method),
    wire.CheckinOut: lambda s, who, m: s.attendance.check(who, m.id, "out", code=m.code, delegate=m.delegate,
                                                          method=m.method),
    wire.PlenarySettingsSet: lambda s, who, m: s.attendance.set_settings(who, m.id, m.changes()),
    wire.DestaqueWindow: lambda s, who, m: s.deliberation.window(who, m.id, m.poll, m.open),
    wire.DestaqueMark: lambda s, who, m: s.deliberation.mark(who, m.id, m.poll, m.proposal, m.marked),
    wire.MocaoSubmit: lambda s, who, m: s.deliberation.submit(who, m.id, m.kind, m.text, m.addressee),
    wire.MocaoSign: lambda s, who, m: s.deliberation.sign(who, m.id, m.motion, m.signed),
    wire.PlenaryDefend: lambda s, who, m: s.deliberation.defend(who, m.id, m.target(), m.stage, m.defender,
                                                              m.seconds),
    wire.PlenaryAmend: lambda s, who, m: s.deliberation.amend(who, m.id, m.target(), m.text),
    wire.PlenaryVote: lambda s, who, m: s.deliberation.call_vote(who, m.id, m.target(), m.vote_poll, m.rule),
    wire.PlenaryDecide: lambda s, who, m: s.deliberation.proclaim(who, m.id, m.target()),
    wire.PlenaryBallot: lambda s, who, m: s.deliberation.next_ballot(who, m.id, m.poll),
}
