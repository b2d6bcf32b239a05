"""Credenciamento rules, pure: who may check in or out, and who counts as present."""

from __future__ import annotations

import pytest

from server.domain.checkin import Attendee, Group, attendance, by_segment, check
from server.domain.decision import Attendance
from server.errors import Conflict

GROUPS = [
    Group("Usuários", revoked=False, in_room=True, online=True, count=3),
    Group("Usuários", revoked=False, in_room=False, online=True, count=2),
    Group("Governo", revoked=False, in_room=False, online=False, count=4),
    Group("Governo", revoked=True, in_room=False, online=False, count=1),
]


def one(**fields: bool) -> Attendee:
    return Attendee(7, "Ana", "Usuários", **{"revoked": False, "in_room": False, "online": False, **fields})


def test_checking_in_and_out_refuses_what_the_door_must_notice() -> None:
    assert check(one(), "in") is True and check(one(in_room=True), "out") is False
    for attendee, action, code in [(one(revoked=True), "in", "code_revoked"), (one(in_room=True), "in",
                                   "already_checked_in"), (one(), "out", "not_checked_in")]:
        with pytest.raises(Conflict) as refused:
            check(attendee, action)  # type: ignore[arg-type]
        assert refused.value.code == code


def test_online_delegates_are_present_only_when_allowed_and_revoked_ones_never_count() -> None:
    assert attendance(GROUPS, online_allowed=False) == Attendance(entitled=9, present=3)
    assert attendance(GROUPS, online_allowed=True) == Attendance(entitled=9, present=5)
    assert attendance(GROUPS, online_allowed=True, segment="Governo") == Attendance(entitled=4, present=0)


def test_counts_per_segment_in_the_event_order() -> None:
    view = by_segment(GROUPS, False, ["Governo", "Usuários", "Entidades"])
    assert [row["segment"] for row in view["segments"]] == ["Governo", "Usuários", "Entidades"]
    assert view["segments"][1] == {"segment": "Usuários", "entitled": 5, "present": 3, "in_room": 3, "online": 2}
    assert view["total"] == {"entitled": 9, "present": 3, "in_room": 3, "online": 2}
