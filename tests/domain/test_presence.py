"""Online presence: stretches cut to live windows, pieces counted by their union, and
attendance from the room, online, or both."""

from __future__ import annotations

from server.domain.certificates import attendance
from server.domain.presence import Piece, Stretch, Window, cut, seconds_by_session, union_seconds
from server.hub.stretches import Stretches

H = 3600.0


def test_a_stretch_is_cut_to_each_live_window_and_nothing_outside_is_kept() -> None:
    windows = [Window(1, 9 * H, 10 * H), Window(2, 10 * H, None), Window(3, 20 * H, 21 * H)]
    stretches = [Stretch(7, 100, 8 * H, 10.5 * H), Stretch(7, 101, 6 * H, 7 * H)]
    assert cut(stretches, windows, now=11 * H) == [Piece(100, 1, 9 * H, 10 * H), Piece(100, 2, 10 * H, 10.5 * H)]
    # A window still open runs until now, not beyond.
    assert cut([Stretch(7, 100, 10 * H, 12 * H)], windows, now=11 * H) == [Piece(100, 2, 10 * H, 11 * H)]


def test_pieces_from_two_processes_and_written_twice_count_once() -> None:
    pieces = [Piece(100, 1, 0, 600), Piece(100, 1, 300, 900), Piece(100, 1, 300, 900), Piece(100, 2, 1000, 1060),
              Piece(101, 1, 0, 60)]
    assert seconds_by_session(pieces) == {100: {1: 900, 2: 60}, 101: {1: 60}}
    assert union_seconds([]) == 0 and union_seconds([(0, 10), (2, 3), (10, 12)]) == 12


def test_attendance_counts_the_room_online_or_both_once() -> None:
    room, online, live = [(0.0, 1800.0)], [(900.0, 3600.0)], [(0.0, 3600.0)]
    both = attendance(room, online, live, "both")
    assert (both.door, both.online, both.minutes) == (30, 45, 60)
    assert attendance(room, online, live, "door").minutes == 30
    assert attendance(room, online, live, "online").minutes == 45
    # The room only counts while a session is live; a shorter minute (tests) scales everything.
    assert attendance([(0.0, 1800.0)], [], [(1200.0, 3600.0)], "both", minute=6.0).minutes == 100


def test_the_hub_keeps_one_stretch_per_participant_until_it_is_taken() -> None:
    now = [100.0]
    stretches = Stretches(clock=lambda: now[0])
    stretches.opened(1, 5)
    now[0] = 110.0
    stretches.opened(1, 5)  # a second tab: the stretch began with the first
    ended, current = stretches.take(120.0)
    assert ended == [] and current == [Stretch(1, 5, 100.0, 120.0)]
    now[0] = 130.0
    stretches.closed(1, 5)
    stretches.closed(1, 5)  # already closed: nothing more
    ended, current = stretches.take(140.0)
    assert ended == [Stretch(1, 5, 100.0, 130.0)] and current == []
    stretches.back(ended)  # a flush that failed gives them back
    assert stretches.take(150.0) == (ended, [])
