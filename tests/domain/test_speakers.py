"""The speakers' list as pure rules: order of turns, the question of order, timing and totals."""

from __future__ import annotations

import pytest

from server.domain import speakers
from server.domain.speakers import Speaker, SpeakersList
from server.errors import Conflict, InvalidCommand

ANA = Speaker(1, "pa", "Ana", "Usuários")
BRUNO = Speaker(2, "pb", "Bruno", "Trabalhadores")
CARLA = Speaker(3, "pc", "Carla", "Usuários")


def names(lst: SpeakersList) -> list[str]:
    return [r.speaker.name for r in lst.queue]


def test_questions_of_order_go_first_in_their_own_order_and_only_once() -> None:
    lst, _ = SpeakersList(1).request(ANA, "for", 0)
    lst, _ = lst.request(BRUNO, "order", 1)
    lst, _ = lst.request(CARLA, "order", 2)
    assert names(lst) == ["Bruno", "Carla", "Ana"]
    lst = lst.start(3).end(10)
    with pytest.raises(Conflict) as refused:
        lst.request(BRUNO, "order", 11)
    assert refused.value.code == "order_used"
    lst, _ = lst.request(BRUNO, "against", 11)
    assert names(lst) == ["Carla", "Ana", "Bruno"]


def test_countdown_excludes_pauses_and_totals_add_up_per_person_and_segment() -> None:
    lst, _ = SpeakersList(1, default_seconds=60).request(ANA, "for", 0)
    lst, _ = lst.request(CARLA, "against", 0)
    lst = lst.start(100).pause(130).resume(200).extend(30)
    assert lst.current is not None and lst.current.spoken(210) == 40 and lst.current.allowed == 90
    lst = lst.end(220).start(300, seconds=20)
    totals = lst.totals(305)  # the running speech counts
    assert totals["segments"] == {"Usuários": 55.0}
    assert [(p["name"], p["seconds"]) for p in totals["people"]] == [("Ana", 50.0), ("Carla", 5.0)]


def test_closed_list_keeps_those_waiting_and_refuses_new_requests() -> None:
    lst, _ = SpeakersList(1).request(ANA, "for", 0)
    lst = lst.set_open(False)
    with pytest.raises(Conflict) as refused:
        lst.request(BRUNO, "for", 1)
    assert refused.value.code == "speakers_closed"
    assert names(lst.start(2).end(3).set_open(True).request(BRUNO, "for", 4)[0]) == ["Bruno"]


def test_refusals_change_nothing() -> None:
    lst, first = SpeakersList(1).request(ANA, "for", 0)
    for bad, code in [
        (lambda: lst.request(ANA, "against", 1), "already_requested"),
        (lambda: lst.reorder((first.id, first.id)), "invalid_order"),
        (lambda: lst.pause(1), "no_speech"),
        (lambda: lst.start(1).start(2), "speech_running"),
        (lambda: lst.start(1, seconds=5), "invalid_field"),
        (lambda: lst.start(1).extend(3600), "invalid_field"),
    ]:
        with pytest.raises((Conflict, InvalidCommand)) as refused:
            bad()
        assert refused.value.code == code
    assert names(lst) == ["Ana"] and lst.current is None


def test_storage_form_round_trips() -> None:
    lst, _ = SpeakersList(4, default_seconds=90).request(ANA, "order", 0)
    lst, _ = lst.request(BRUNO, "for", 1)
    lst = lst.start(2).pause(5)
    lst, _ = lst.request(CARLA, "against", 6)
    assert speakers.load(speakers.dump(lst)) == lst
