"""Screening open-text answers: what the cloud counts, what moderators see, how they decide."""

from __future__ import annotations

import pytest

from moderation import Moderator
from server.domain.answers import PUBLISHED_LIMIT, AnswerDecision, decide, for_moderators, screen
from server.domain.wordcloud import answer_key, word_key
from server.errors import Conflict, InvalidCommand

CHECK = Moderator().check


def test_keys_read_answers_as_the_cloud_does() -> None:
    assert answer_key("Mais SAÚDE!") == answer_key("mais  saúde") == "mais saúde"
    assert answer_key("d’água") == "d'água"
    assert word_key(" Lixo! ") == "lixo"
    assert answer_key("!!!") == ""


def test_held_answers_give_no_words_until_approved() -> None:
    texts = ["Saúde", "saúde!", "me liga 600 123 456", "moradia"]
    found = screen(1, texts, [], CHECK)
    assert found.texts == ["Saúde", "saúde!", "", "moradia"]
    items = {item.key: item for item in found.items}
    assert items["saúde"].count == 2 and items["saúde"].status == "published"
    held = items["me liga 600 123 456"]
    assert held.status == "held" and not held.shown and held.verdict.value == "review"
    assert [r["detail"] for r in held.reasons] == ["phone"]
    approved = screen(1, texts, [AnswerDecision("answer", held.key, True, "Ana", 5.0)], CHECK)
    assert approved.texts[2] == "me liga 600 123 456"
    assert {i.key: i.status for i in approved.items}[held.key] == "approved"


def test_one_flagged_spelling_holds_the_whole_answer_and_is_the_one_shown() -> None:
    # "bit ly" is harmless; written "bit.ly" it is a link: the same answer, held as a whole.
    found = screen(1, ["bit ly", "Bit ly!", "bit.ly"], [], CHECK)
    (item,) = found.items
    assert item.key == "bit ly" and item.count == 3 and item.status == "held" and found.texts == ["", "", ""]
    assert item.text == "bit.ly" and [r["rule"] for r in item.reasons] == ["link"]


def test_hidden_words_leave_every_answer_and_hidden_answers_leave_the_cloud() -> None:
    decisions = [AnswerDecision("word", "lixo", False, "Ana", 1.0),
                 AnswerDecision("answer", "moradia", False, "Ana", 2.0)]
    found = screen(1, ["lixo de prefeitura", "moradia", "saúde"], decisions, CHECK)
    assert found.texts == ["prefeitura", "", "saúde"]
    assert found.hidden_words == frozenset({"lixo"})
    assert {i.key: i.status for i in found.items} == {
        "lixo de prefeitura": "published", "moradia": "hidden", "saúde": "published"}


def test_moderators_see_everything_not_published_and_the_most_given_published() -> None:
    texts = [f"palavra{n}" for n in range(PUBLISHED_LIMIT + 20)] + ["me liga 600 123 456"]
    listed = for_moderators(screen(1, texts, [], CHECK).items)
    assert listed[0].status == "held"
    assert len(listed) == PUBLISHED_LIMIT + 1
    staff = listed[0].staff(at=10.0)
    assert staff["kind"] == "answer" and staff["author"] is None and staff["id"] == "1:me liga 600 123 456"


def test_approve_and_reject_are_the_one_first_decision() -> None:
    first = decide("answer", "lixo", "approve", None, "Ana", 1.0)
    assert first == AnswerDecision("answer", "lixo", True, "Ana", 1.0)
    with pytest.raises(Conflict) as error:
        decide("answer", "lixo", "reject", first, "Bia", 2.0)
    assert error.value.code == "already_decided" and error.value.details == {"by": "Ana", "status": "approved"}
    hidden = decide("answer", "lixo", "hide", first, "Bia", 2.0)
    assert hidden is not None and not hidden.shown
    assert decide("answer", "lixo", "hide", hidden, "Bia", 3.0) is None


def test_words_are_only_hidden_or_shown() -> None:
    with pytest.raises(InvalidCommand):
        decide("word", "lixo", "approve", None, "Ana", 1.0)
    assert decide("word", "lixo", "show", None, "Ana", 1.0) is None
    with pytest.raises(InvalidCommand):
        decide("answer", "", "hide", None, "Ana", 1.0)
