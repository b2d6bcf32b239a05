"""Who may do what. Enforced by the service for every command, whatever the page shows."""

from __future__ import annotations

from typing import Literal

from server.errors import Forbidden

# `checkin`: the door's staff link (credenciamento): it may only check delegates in and out.
Role = Literal["participant", "moderator", "presenter", "organizer", "checkin"]
STAFF_ROLES: tuple[Role, ...] = ("moderator", "presenter", "organizer", "checkin")

PERMISSIONS: dict[str, frozenset[Role]] = {
    "profile.update": frozenset({"participant"}),
    "session.start": frozenset({"presenter", "organizer"}),
    "session.end": frozenset({"presenter", "organizer"}),
    "screen.show": frozenset({"presenter", "organizer"}),
    # chat, questions and moderation
    "chat.send": frozenset({"participant"}),
    "question.ask": frozenset({"participant"}),
    "question.upvote": frozenset({"participant"}),
    "question.pin": frozenset({"moderator", "presenter", "organizer"}),
    "question.answer": frozenset({"moderator", "presenter", "organizer"}),
    "question.archive": frozenset({"moderator", "organizer"}),
    "question.merge": frozenset({"moderator", "organizer"}),
    "question.reply": frozenset({"moderator", "organizer"}),
    "mod.approve": frozenset({"moderator", "organizer"}),
    "mod.approve_many": frozenset({"moderator", "organizer"}),
    "mod.reject": frozenset({"moderator", "organizer"}),
    "mod.delete": frozenset({"moderator", "organizer"}),
    "mod.hide": frozenset({"moderator", "organizer"}),
    "mod.remove_all": frozenset({"moderator", "organizer"}),
    "mod.mute": frozenset({"moderator", "organizer"}),
    "mod.ban": frozenset({"moderator", "organizer"}),
    "mod.unban": frozenset({"moderator", "organizer"}),
    "mod.policy": frozenset({"moderator", "organizer"}),
    # open-text answers: the queue is the moderators'; hiding a word off the cloud is also the presenter's
    "mod.answer": frozenset({"moderator", "organizer"}),
    "mod.word": frozenset({"moderator", "presenter", "organizer"}),
    "audit.export": frozenset({"moderator", "organizer"}),  # HTTP: GET /api/events/{code}/audit
    # polls, ballots, credentials and elections (credentials are managed over HTTP by organizers)
    "vote.cast": frozenset({"participant"}),
    "delegate.redeem": frozenset({"participant"}),
    "poll.create": frozenset({"presenter", "organizer"}),
    "poll.open": frozenset({"presenter", "organizer"}),
    "poll.extend": frozenset({"presenter", "organizer"}),
    "poll.pause": frozenset({"presenter", "organizer"}),
    "poll.resume": frozenset({"presenter", "organizer"}),
    "poll.close": frozenset({"presenter", "organizer"}),
    "poll.reopen": frozenset({"presenter", "organizer"}),
    "poll.visibility": frozenset({"presenter", "organizer"}),
    # the speakers' list: participants ask, the chair (presenter or organizer) gives and times the floor
    "speakers.request": frozenset({"participant"}),
    "speakers.withdraw": frozenset({"participant"}),
    "speakers.order": frozenset({"presenter", "organizer"}),
    "speakers.remove": frozenset({"presenter", "organizer"}),
    "speakers.start": frozenset({"presenter", "organizer"}),
    "speakers.pause": frozenset({"presenter", "organizer"}),
    "speakers.resume": frozenset({"presenter", "organizer"}),
    "speakers.extend": frozenset({"presenter", "organizer"}),
    "speakers.end": frozenset({"presenter", "organizer"}),
    "speakers.open": frozenset({"presenter", "organizer"}),
    "speakers.default": frozenset({"presenter", "organizer"}),
    # the plenária: the presenter link is the chair's (mesa), the organizer's the secretary's
    "checkin.in": frozenset({"checkin", "presenter", "organizer"}),
    "checkin.out": frozenset({"checkin", "presenter", "organizer"}),
    "plenary.settings": frozenset({"organizer"}),
    # destaques, block approval and moções: delegates mark and sign, the chair runs the floor
    "destaque.mark": frozenset({"participant"}),
    "mocao.submit": frozenset({"participant"}),
    "mocao.sign": frozenset({"participant"}),
    "destaque.window": frozenset({"presenter", "organizer"}),
    "plenary.defend": frozenset({"presenter", "organizer"}),
    "plenary.amend": frozenset({"presenter", "organizer"}),
    "plenary.vote": frozenset({"presenter", "organizer"}),
    "plenary.decide": frozenset({"presenter", "organizer"}),
    "plenary.ballot": frozenset({"presenter", "organizer"}),
}


def is_staff(role: Role) -> bool:
    return role in STAFF_ROLES


def require(role: Role, command: str) -> None:
    """Raise Forbidden unless `role` may run `command` (unknown commands are forbidden)."""
    allowed = PERMISSIONS.get(command, frozenset())
    if role not in allowed:
        raise Forbidden(f"the {role} role cannot run {command}", code="forbidden", command=command)
