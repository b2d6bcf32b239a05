"""Pure rules of chat and questions: routing verdicts, decisions, pins, merges, upvotes, settings, audit CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation import Verdict
from server.domain import qa
from server.domain.audit import AUTO, Actor, AuditEntry, to_csv
from server.domain.qa import Author, Item
from server.domain.qa_policy import QASettings
from server.errors import Conflict, Forbidden, InvalidCommand

ALICE = Author(1, "a1a1a1a1", "Alice")
BOB = Author(2, "b2b2b2b2", "")


def item(status: qa.Status = "held", kind: qa.Kind = "question", author: Author = ALICE, **fields: object) -> Item:
    return replace(Item(id=fields.pop("id", 1), kind=kind, author=author, text="Quando abre o CRAS?",  # type: ignore[arg-type]
                        status=status, created_at=100.0), **fields)


@pytest.mark.parametrize(
    ("verdict", "mode", "status"),
    [
        (Verdict.ALLOW, "post", "published"),
        (Verdict.ALLOW, "pre", "held"),
        (Verdict.REVIEW, "post", "held"),
        (Verdict.REVIEW, "pre", "held"),
        (Verdict.BLOCK, "post", "rejected"),
        (Verdict.BLOCK, "pre", "rejected"),
    ],
)
def test_route_maps_verdict_and_mode_to_first_status(verdict: Verdict, mode: qa.Mode, status: str) -> None:
    assert qa.route(verdict, mode) == status


def test_approve_publishes_a_held_item_once() -> None:
    approved = qa.approve(item("held"), "Ana", 200.0)
    assert (approved.status, approved.decided_by, approved.decided_at) == ("published", "Ana", 200.0)
    with pytest.raises(Conflict) as caught:
        qa.approve(approved, "Bruno", 201.0)
    assert caught.value.code == "already_decided" and caught.value.details["by"] == "Ana"
    with pytest.raises(Conflict):
        qa.reject(approved, "Bruno", 201.0)


def test_an_auto_blocked_item_can_be_approved_by_a_human_but_not_rejected_again() -> None:
    blocked = item("rejected")
    assert blocked.auto_blocked and blocked.undecided
    assert qa.approve(blocked, "Ana", 200.0).status == "published"
    with pytest.raises(Conflict) as caught:
        qa.reject(blocked, "Ana", 200.0)
    assert caught.value.details["by"] == "auto"
    rejected_by_human = qa.reject(item("held"), "Ana", 200.0)
    assert not rejected_by_human.auto_blocked
    with pytest.raises(Conflict):
        qa.approve(rejected_by_human, "Bruno", 201.0)


def test_edit_then_approve_keeps_the_original_text() -> None:
    edited = qa.approve(item("held"), "Ana", 200.0, text="  Quando abre o CRAS do bairro?  ")
    assert edited.text == "Quando abre o CRAS do bairro?"
    assert edited.original_text == "Quando abre o CRAS?"
    unchanged = qa.approve(item("held"), "Ana", 200.0, text="Quando abre o CRAS?")
    assert unchanged.original_text is None
    with pytest.raises(InvalidCommand) as caught:
        qa.approve(item("held"), "Ana", 200.0, text="x" * 301, limit=300)
    assert caught.value.code == "too_long"
    with pytest.raises(InvalidCommand):
        qa.approve(item("held"), "Ana", 200.0, text="   ")


def test_delete_only_published_content() -> None:
    assert qa.delete(item("published", kind="chat"), "Ana", 1.0).status == "deleted"
    assert qa.delete(item("answered", pinned=True), "Ana", 1.0).pinned is False
    with pytest.raises(InvalidCommand) as caught:
        qa.delete(item("held", kind="chat"), "Ana", 1.0)
    assert caught.value.code == "not_published"
    with pytest.raises(Conflict):
        qa.delete(item("deleted", kind="chat"), "Ana", 1.0)


def test_answer_and_archive() -> None:
    answered = qa.answer(item("published"), True, 50.0)
    assert (answered.status, answered.answered_at) == ("answered", 50.0)
    assert qa.answer(answered, True, 60.0) is answered
    assert qa.answer(answered, False, 60.0).status == "published"
    assert qa.archive(replace(answered, pinned=True)) == replace(answered, status="archived", pinned=False)
    with pytest.raises(InvalidCommand):
        qa.answer(item("held"), True, 1.0)
    with pytest.raises(InvalidCommand):
        qa.archive(item("held"))
    with pytest.raises(InvalidCommand) as caught:
        qa.answer(item("published", kind="chat"), True, 1.0)
    assert caught.value.code == "not_a_question"


def test_one_pinned_question_at_a_time() -> None:
    first = item("published", id=1, pinned=True)
    second = item("answered", id=2)
    changed = qa.pin(second, [first], True)
    assert [(q.id, q.pinned) for q in changed] == [(1, False), (2, True)]
    assert qa.pin(first, [first], True) == []
    assert qa.pin(first, [first], False) == [replace(first, pinned=False)]
    with pytest.raises(InvalidCommand):
        qa.pin(item("held"), [], True)


def test_merge_rules() -> None:
    kept, dup = item("published", id=1), item("published", id=2, author=BOB)
    merged = qa.merge(dup, kept, "Ana", 9.0)
    assert (merged.status, merged.merged_into, merged.decided_by) == ("merged", 1, "")
    held_dup = qa.merge(item("held", id=3, author=BOB), kept, "Ana", 9.0)
    assert (held_dup.decided_by, held_dup.undecided) == ("Ana", False)
    for source, target in ((kept, kept), (dup, item("held", id=4)), (item("rejected", id=5), kept)):
        with pytest.raises(InvalidCommand):
            qa.merge(source, target, "Ana", 9.0)


@given(
    st.sets(st.integers(1, 30)),
    st.sets(st.integers(1, 30)),
    st.integers(1, 30),
)
def test_merged_voters_are_the_union_without_the_kept_author(source: set[int], target: set[int], author: int) -> None:
    result = qa.merged_voters(source, target, author)
    assert result == (source | target) - {author}
    assert len(result) <= len(source) + len(target)


def test_upvote_rules() -> None:
    question = item("published")
    qa.check_upvote(question, BOB.participant_id)
    with pytest.raises(Forbidden) as own:
        qa.check_upvote(question, ALICE.participant_id)
    assert own.value.code == "own_question"
    with pytest.raises(InvalidCommand) as closed:
        qa.check_upvote(item("answered"), BOB.participant_id)
    assert closed.value.code == "question_closed"


def test_views_never_leak_identity_of_the_anonymous() -> None:
    anonymous = item("published", author=replace(ALICE, anonymous=True))
    assert anonymous.public()["author"] == {"name": None, "anonymous": True}
    assert "a1a1a1a1" not in str(anonymous.public()) and "reasons" not in anonymous.own()
    assert anonymous.staff()["author"] == {"id": "a1a1a1a1", "name": "Alice", "anonymous": True}
    assert item("published", author=BOB, kind="chat").public()["author"] == {"name": None, "anonymous": True}
    assert set(item("published", kind="chat").public()) == {"id", "text", "author", "at"}


def test_settings_validate_and_round_trip() -> None:
    settings = QASettings().updated(
        {"chat_mode": "pre", "slow_mode_seconds": 30, "rules": {"blocked_terms": ["boi"], "links": "block"}}
    )
    assert QASettings.from_dict(settings.to_dict()) == settings
    assert settings.policy_for("question").max_length == 300
    assert settings.policy_for("chat").min_interval_seconds == 0
    assert "rules" not in settings.public()
    for bad in (
        {"chat_mode": "later"},
        {"slow_mode_seconds": -1},
        {"slow_mode_seconds": True},
        {"chat_max_length": 501},
        {"rules": {"max_length": 10}},
        {"rules": {"links": "maybe"}},
        {"rules": []},
        {"surprise": 1},
    ):
        with pytest.raises(InvalidCommand) as caught:
            QASettings().updated(bad)
        assert caught.value.code == "invalid_policy"


def test_audit_csv_has_a_header_and_defuses_formulas() -> None:
    entries = [
        AuditEntry(1, 0.0, AUTO, "hold", "question", 7, "a1a1a1a1",
                   ({"rule": "personal_data", "detail": "cpf"},)),
        AuditEntry(2, 60.0, Actor("staff", 3, "Ana"), "approve", "question", 7, "a1a1a1a1",
                   text_before="=HYPERLINK(1)", text_after="ok"),
    ]
    text = to_csv(entries)
    assert text.startswith("\ufeff"), "a BOM so Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "actor_kind"]
    assert rows[1][1] == "1970-01-01T00:00:00+00:00" and rows[1][9] == "personal_data:cpf"
    assert rows[2][4] == "Ana" and rows[2][11] == "'=HYPERLINK(1)"


def test_reject_with_a_preset_and_a_note_tells_only_the_author() -> None:
    refused = qa.reject(item("held"), "Ana", 200.0, "personal_data", "  Tire o telefone.  ")
    assert refused.rejection() == {"preset": "personal_data", "note": "Tire o telefone."}
    assert refused.own()["why"] == refused.rejection()
    assert "why" not in qa.reject(item("held"), "Ana", 200.0).own()
    assert "reject_note" not in refused.public() and refused.staff()["reject_reason"] == "personal_data"
    with pytest.raises(InvalidCommand) as caught:
        qa.reject(item("held"), "Ana", 200.0, "rude")
    assert caught.value.details["field"] == "preset"


@pytest.mark.parametrize("status", ["held", "published", "answered"])
def test_a_hidden_item_looks_published_to_its_author_only(status: qa.Status) -> None:
    hidden = qa.hide(item(status, pinned=status != "held"), "Ana", 200.0)
    assert hidden.status == "hidden" and not hidden.pinned
    assert hidden.own()["status"] == "published" and hidden.as_author_sees().public()["status"] == "published"
    assert hidden.staff()["status"] == "hidden"
    assert qa.hide(hidden, "Bruno", 201.0) == hidden
    assert (hidden.decided_by == "Ana") is (status == "held")
    assert qa.unhide(hidden).status == "published"
    assert qa.delete(hidden, "Bruno", 202.0).status == "deleted"
    with pytest.raises(Conflict):
        qa.approve(hidden, "Bruno", 201.0)


def test_hide_refuses_what_is_already_out_of_view() -> None:
    for status in ("rejected", "deleted", "archived", "merged"):
        with pytest.raises((InvalidCommand, Conflict)):
            qa.hide(item(status, decided_by="x"), "Ana", 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand):
        qa.unhide(item("rejected"))


def test_reply_sets_takes_back_and_limits_a_public_answer() -> None:
    question = item("published")
    replied = qa.reply(question, "  Em março.  ", "Ana", 300.0)
    assert replied.public()["reply"] == {"text": "Em março.", "at": 300.0} and replied.reply_by == "Ana"
    assert qa.reply(replied, "Em março.", "Bruno", 301.0) == replied
    assert qa.reply(replied, "", "Ana", 302.0).public()["reply"] is None
    with pytest.raises(InvalidCommand) as caught:
        qa.reply(question, "x" * (qa.MAX_REPLY + 1), "Ana", 1.0)
    assert caught.value.code == "too_long"
    for status in ("held", "rejected", "deleted"):
        with pytest.raises(InvalidCommand):
            qa.reply(item(status), "oi", "Ana", 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand):
        qa.reply(item("published", kind="chat"), "oi", "Ana", 1.0)


def test_remove_takes_each_item_out_of_view_or_leaves_it() -> None:
    removed = {status: qa.remove(item(status), "Ana", 1.0)
               for status in ("held", "published", "answered", "archived", "hidden", "rejected", "deleted")}
    assert {s: (r.status if r else None) for s, r in removed.items()} == {
        "held": "rejected", "published": "deleted", "answered": "deleted", "archived": "deleted",
        "hidden": "deleted", "rejected": None, "deleted": None,
    }
