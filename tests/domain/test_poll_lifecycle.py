"""Pure rules of a poll's life: timing, transitions, eligibility and visibility."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import poll_lifecycle as life
from server.domain.poll_lifecycle import PollClock
from server.errors import Conflict, InvalidCommand, PollClosed


def test_a_timed_poll_accepts_votes_until_its_deadline_and_not_at_it() -> None:
    clock = life.open_poll(PollClock(), now=100.0, seconds=60)
    assert clock.deadline == 160.0
    assert clock.accepts_votes(159.999)
    assert not clock.accepts_votes(160.0) and clock.is_due(160.0)
    assert life.open_poll(PollClock(), now=100.0, seconds=None).accepts_votes(10**9)


def test_pause_keeps_the_remaining_time_and_resume_counts_it_down_again() -> None:
    clock = life.open_poll(PollClock(), now=0.0, seconds=60)
    paused = life.pause(clock, now=20.0)
    assert paused.status == "paused" and paused.remaining == 40.0 and not paused.accepts_votes(21.0)
    extended = life.extend(paused, now=500.0, seconds=15)
    assert extended.remaining == 55.0
    resumed = life.resume(extended, now=1000.0)
    assert resumed.deadline == 1055.0 and resumed.remaining is None


def test_closing_a_due_poll_records_the_deadline_and_reopening_keeps_going() -> None:
    clock = life.open_poll(PollClock(), now=0.0, seconds=10)
    closed = life.close(clock, now=12.0)
    assert closed.status == "closed" and closed.closed_at == 10.0
    reopened = life.reopen(closed, now=20.0, seconds=None)
    assert reopened.accepts_votes(10**6) and reopened.opened_at == 0.0


def test_invalid_transitions_are_refused() -> None:
    draft = PollClock()
    with pytest.raises(Conflict, match="running"):
        life.close(draft, now=1.0)
    opened = life.open_poll(draft, now=1.0, seconds=5)
    with pytest.raises(Conflict) as exc:
        life.open_poll(opened, now=2.0, seconds=5)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(PollClosed):
        life.extend(opened, now=6.0, seconds=5)  # past the deadline: too late to extend
    with pytest.raises(Conflict) as untimed:
        life.extend(life.open_poll(draft, now=1.0, seconds=None), now=2.0, seconds=5)
    assert untimed.value.code == "not_timed"
    with pytest.raises(InvalidCommand):
        life.open_poll(draft, now=1.0, seconds=0)


def test_eligibility() -> None:
    segments = ["Governo", "Sociedade civil"]
    assert life.check_eligibility("segment:Governo", segments) == "segment:Governo"
    with pytest.raises(InvalidCommand):
        life.check_eligibility("segment:Marte", segments)
    assert life.may_vote("everyone", delegate_segment=None, profile_segment="")
    assert not life.may_vote("delegates", delegate_segment=None, profile_segment="Governo")
    assert life.may_vote("delegates", delegate_segment="", profile_segment="")
    assert life.may_vote("segment:Governo", delegate_segment=None, profile_segment="Governo")
    # A credential's segment wins over a self-declared profile.
    assert not life.may_vote("segment:Governo", delegate_segment="Sociedade civil", profile_segment="Governo")


def test_visibility() -> None:
    assert life.public_sees_tally("live", "open")
    assert not life.public_sees_tally("after_close", "open") and life.public_sees_tally("after_close", "closed")
    assert not life.public_sees_tally("hidden", "closed")


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["open", "extend", "pause", "resume", "close", "reopen"]),
              st.floats(min_value=0, max_value=100), st.integers(min_value=1, max_value=100)),
    max_size=20,
)


@given(OPERATIONS)
def test_any_sequence_of_commands_keeps_the_clock_consistent(operations: list[tuple[str, float, int]]) -> None:
    clock, now = PollClock(), 0.0
    for name, step, seconds in operations:
        now += step
        try:
            if name in ("open", "reopen"):
                clock = getattr(life, "open_poll" if name == "open" else "reopen")(clock, now, seconds)
            elif name == "extend":
                clock = life.extend(clock, now, seconds)
            else:
                clock = getattr(life, name)(clock, now)
        except (Conflict, PollClosed):
            continue
        assert clock.accepts_votes(now) == (clock.status == "open" and (clock.deadline is None or now < clock.deadline))
        if clock.status == "paused":
            assert clock.deadline is None
        if clock.status == "open":
            assert clock.remaining is None
        if clock.status == "closed":
            assert clock.closed_at is not None and clock.closed_at <= now
