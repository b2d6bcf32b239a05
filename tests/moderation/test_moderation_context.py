"""Rules that depend on the author: ban, mute, slow mode, flood, repeat;
and the message-shape rules: empty and length."""

from __future__ import annotations

from moderation import Context, Moderator, Policy, Verdict


def rules(moderator: Moderator, text: str, context: Context) -> list[tuple[str, str]]:
    return [(r.rule, r.detail) for r in moderator.check(text, context).reasons]


def test_banned_and_muted() -> None:
    moderator = Moderator()
    assert rules(moderator, "olá", Context(banned=True)) == [("banned", "banned")]
    assert rules(moderator, "olá", Context(now=10, muted_until=20)) == [("muted", "muted")]
    assert rules(moderator, "olá", Context(now=20, muted_until=20)) == []
    decision = moderator.check("olá", Context(banned=True, now=1, muted_until=5))
    assert decision.verdict is Verdict.BLOCK
    assert [r.rule for r in decision.reasons] == ["banned", "muted"]


def test_slow_mode() -> None:
    moderator = Moderator(Policy(min_interval_seconds=5))
    recent = [(100.0, "primeira")]
    assert rules(moderator, "segunda", Context(now=103, recent=recent)) == [("slow_mode", "wait:2.0s")]
    assert rules(moderator, "segunda", Context(now=105, recent=recent)) == []
    # disabled by default
    assert rules(Moderator(), "segunda", Context(now=100.5, recent=recent)) == []


def test_flood_counts_this_message_too() -> None:
    moderator = Moderator(Policy(flood_messages=3, flood_window_seconds=10))
    recent = [(1.0, "a1"), (2.0, "b2"), (3.0, "c3")]  # any order is fine
    assert rules(moderator, "d4", Context(now=5, recent=recent[::-1])) == [("flood", "messages:4")]
    assert rules(moderator, "d4", Context(now=5, recent=recent[:2])) == []
    # messages that left the window no longer count
    assert rules(moderator, "d4", Context(now=12, recent=recent)) == []


def test_future_messages_are_ignored() -> None:
    moderator = Moderator(Policy(flood_messages=1, min_interval_seconds=5))
    assert rules(moderator, "oi", Context(now=10, recent=[(11.0, "oi")])) == []


def test_repeat_same_and_near_duplicates() -> None:
    moderator = Moderator()
    recent = [(0.0, "Quando sai o resultado da votação?")]
    now = Context(now=30, recent=recent)
    assert rules(moderator, "Quando sai o resultado da votação?", now) == [("repeat", "same")]
    # punctuation, spacing, case and accents do not make a message new
    assert rules(moderator, "quando sai o RESULTADO da votacao!!", now) == [("repeat", "same")]
    # a letter added or changed: similar
    assert rules(moderator, "Quando sai o resultado da votaçãoo??", now) == [("repeat", "similar")]
    assert rules(moderator, "Quando sai o resultado das votação?", now) == [("repeat", "similar")]
    # a different question is fine
    assert rules(moderator, "Onde fica o CRAS do centro?", now) == []
    # outside the window
    assert rules(moderator, "Quando sai o resultado da votação?", Context(now=500, recent=recent)) == []


def test_repeat_of_symbol_only_messages_needs_exact_text() -> None:
    moderator = Moderator()
    context = Context(now=5, recent=[(1.0, "👏👏")])
    assert rules(moderator, "👏👏", context) == [("repeat", "same")]
    assert rules(moderator, "👍", context) == []


def test_repeat_only_looks_at_recent_messages() -> None:
    moderator = Moderator(Policy(flood_messages=100))
    recent = [(float(i), f"mensagem número {i} sobre outro assunto qualquer") for i in range(20)]
    recent.append((0.5, "pergunta antiga"))
    # the old one is outside the last ten messages, so it is not compared
    assert rules(moderator, "pergunta antiga", Context(now=21, recent=recent)) == []


def test_empty_and_whitespace_only() -> None:
    moderator = Moderator()
    for text in ("", "   ", "\n\t", "\u200b\u200b"):
        decision = moderator.check(text)
        assert decision.verdict is Verdict.BLOCK
        assert [(r.rule, r.detail) for r in decision.reasons] == [("empty", "empty")]


def test_length() -> None:
    moderator = Moderator(Policy(max_length=20))
    text = "a" * 10 + " " + "b" * 15
    decision = moderator.check(text)
    assert decision.verdict is Verdict.BLOCK
    (reason,) = decision.reasons
    assert (reason.rule, reason.detail, reason.start, reason.end) == ("length", "chars:26", 20, 26)
    assert Moderator(Policy(max_length=26)).check(text).verdict is Verdict.ALLOW


def test_caps_thresholds_follow_policy() -> None:
    text = "QUERO FALAR"  # 10 letters
    assert Moderator().check(text).verdict is Verdict.ALLOW
    assert Moderator(Policy(caps_min_letters=10)).check(text).verdict is Verdict.REVIEW
    assert Moderator(Policy(caps_min_letters=5, caps_ratio=1.0)).check(text).verdict is Verdict.ALLOW
