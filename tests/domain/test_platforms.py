"""Pure rules of imported live comments: back-off, author keys, promotion to a question, and the
sealing of tokens at rest."""

from __future__ import annotations

import pytest

from server.domain import platforms as rules
from server.domain.platforms import Comment, Source
from server.domain.qa import Author, Item, promote
from server.errors import InvalidCommand
from server.service.token_box import TokenBox


def test_success_waits_the_platform_interval_but_never_less_than_the_minimum() -> None:
    assert rules.next_delay("ok", 0, 5.0) == 5.0
    assert rules.next_delay("ok", 0, 0.05) == rules.MIN_INTERVAL


def test_rate_limits_and_outages_back_off_exponentially_up_to_the_cap() -> None:
    delays = [rules.next_delay("rate_limited", n, 5.0) for n in range(1, 10)]
    assert delays[:3] == [10.0, 20.0, 40.0]
    assert max(d for d in delays if d is not None) == rules.MAX_BACKOFF
    assert rules.next_delay("unreachable", 1, 5.0, retry_after=120.0) == 120.0, "Retry-After when longer"
    assert rules.next_delay("unreachable", 3, 5.0, retry_after=1.0) == 40.0


def test_quota_waits_long_and_ended_or_revoked_stop() -> None:
    assert rules.next_delay("quota", 1, 5.0) == rules.QUOTA_RETRY
    assert rules.next_delay("ended", 1, 5.0) is None
    assert rules.next_delay("revoked", 1, 5.0) is None


def test_author_keys_are_per_platform_account_and_fit_the_device_column() -> None:
    a = Comment("m1", "UCabc", "Maria", "oi")
    assert rules.author_key("youtube", a) == rules.author_key("youtube", Comment("m2", "UCabc", "Maria S.", "x"))
    assert rules.author_key("youtube", a) != rules.author_key("facebook", a)
    long_name = Comment("m3", "", "M" * 500, "oi")
    assert len(rules.author_key("facebook", long_name)) <= 64
    assert rules.display_name(Comment("m4", "", "  Dona \n Cida  ", "oi")) == "Dona Cida"


def test_staff_never_see_a_token() -> None:
    shown = Source(1, 1, "facebook", "123", token_env="PLENARIA_FB").staff()
    assert shown["token_from_env"] is True and not any(k == "token" for k in shown)


def chat(status: str, decided_by: str = "") -> Item:
    return Item(7, "chat", Author(1, "abc"), "Quando abre?", status, 0.0, decided_by=decided_by,  # type: ignore[arg-type]
                origin="youtube")


@pytest.mark.parametrize("status", ["held", "published", "rejected"])
def test_a_chat_message_becomes_a_published_question_with_its_origin(status: str) -> None:
    question = promote(chat(status), "Moderadora", 10.0)
    assert (question.kind, question.status, question.origin) == ("question", "published", "youtube")
    assert question.decided_by == "Moderadora" and question.decided_at == 10.0
    assert question.public()["origin"] == "youtube"


def test_a_decided_message_keeps_its_decision_and_a_refused_one_stays_refused() -> None:
    approved = promote(chat("published", decided_by="Ana"), "Bia", 10.0)
    assert approved.decided_by == "Ana"
    for status, by in (("rejected", "Ana"), ("hidden", "Ana"), ("deleted", "Ana")):
        with pytest.raises(InvalidCommand) as refused:
            promote(chat(status, by), "Bia", 10.0)
        assert refused.value.code == "not_promotable"
    question = promote(chat("held"), "Bia", 10.0)
    with pytest.raises(InvalidCommand) as again:
        promote(question, "Bia", 11.0)
    assert again.value.code == "not_chat"


def test_a_sealed_token_opens_only_with_its_key_and_on_its_own_source() -> None:
    box = TokenBox("the server's token key")
    sealed = box.seal(1, "youtube", "video1", "AIzaSy-secret")
    assert b"AIzaSy-secret" not in sealed
    assert box.open(1, "youtube", "video1", sealed) == "AIzaSy-secret"
    assert box.open(2, "youtube", "video1", sealed) is None, "moved to another event's row"
    assert box.open(1, "youtube", "video2", sealed) is None
    assert TokenBox("another key").open(1, "youtube", "video1", sealed) is None
    assert not TokenBox("").available
    with pytest.raises(RuntimeError):
        TokenBox("").seal(1, "youtube", "video1", "x")


def test_a_failed_reply_is_retried_with_the_back_off_and_given_up_when_refused_or_after_eight_tries() -> None:
    assert rules.reply_delay("unreachable", 1) == 10.0
    assert rules.reply_delay("rate_limited", 2, retry_after=60.0) == 60.0
    assert rules.reply_delay("quota", 1) == rules.QUOTA_RETRY
    assert rules.reply_delay("revoked", 1) is None, "a 403 or an API key: posting again changes nothing"
    assert rules.reply_delay("ended", 1) is None
    assert rules.reply_delay("unreachable", rules.MAX_REPLY_ATTEMPTS) is None


def test_staff_see_the_switch_and_how_posting_goes_never_the_token() -> None:
    view = Source(id=1, event_id=1, platform="youtube", target="v", post_replies=True, reply_health="revoked",
                  reply_detail="an API key cannot post", token_env="PLENARIA_YT").staff()
    assert view["post_replies"] is True and view["reply_health"] == "revoked" and view["replies_posted"] == 0
    assert "PLENARIA_YT" not in str(view)
