"""Rules about the author rather than the words: bans, mutes, slow mode,
flood and repetition. They read only the `Context` the caller passes in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from .context import Context
from .normalise import fast_normalise
from .policy import Policy
from .verdict import Reason, Verdict

# How many of the author's most recent messages are compared for repeats;
# bots repeat quickly, and comparing more would cost time on every message.
REPEAT_LOOKBACK = 10
REPEAT_SIMILARITY = 0.9
# SequenceMatcher is quadratic; beyond this only exact repeats are checked.
_SIMILARITY_MAX_CHARS = 2000
_NOT_ALNUM = re.compile(r"[\W_]+")


def repeat_key(normalised: str) -> str:
    """The form compared for repeats: normalised text with only letters and digits."""
    return _NOT_ALNUM.sub("", normalised)


def author_reasons(policy: Policy, context: Context) -> Iterator[Reason]:
    """banned, muted, slow_mode and flood, which need no message text."""
    if context.banned:
        yield Reason("banned", Verdict.BLOCK, "banned")
    if context.muted_until is not None and context.now < context.muted_until:
        yield Reason("muted", Verdict.BLOCK, "muted")
    if not context.recent:
        return
    now = context.now
    earlier = [time for time, _ in context.recent if time <= now]
    if not earlier:
        return
    if policy.min_interval_seconds > 0:
        since_last = now - max(earlier)
        if since_last < policy.min_interval_seconds:
            yield Reason("slow_mode", Verdict.BLOCK, f"wait:{policy.min_interval_seconds - since_last:.1f}s")
    window_start = now - policy.flood_window_seconds
    in_window = sum(1 for time in earlier if time > window_start)
    # "more than flood_messages in the window", counting this message too.
    if in_window + 1 > policy.flood_messages:
        yield Reason("flood", Verdict.BLOCK, f"messages:{in_window + 1}")


def repeat_reason(
    policy: Policy,
    context: Context,
    text: str,
    normalised: str,
) -> Reason | None:
    """A "repeat" reason when `text` (whose normalised form is `normalised`)
    duplicates a recent message of the author within the repeat window.

    Near-duplicate means equal keys or a similarity ratio of at least 0.9,
    checked against at most `REPEAT_LOOKBACK` recent messages and only when
    the lengths allow it (the cheap upper bounds are tried first).
    """
    if not context.recent or policy.repeat_window_seconds <= 0:
        return None
    now = context.now
    window_start = now - policy.repeat_window_seconds
    candidates = sorted(
        ((time, old) for time, old in context.recent if window_start <= time <= now),
        key=lambda item: item[0],
        reverse=True,
    )[:REPEAT_LOOKBACK]
    if not candidates:
        return None
    key = repeat_key(normalised)
    stripped = text.strip()
    for _, old in candidates:
        old_key = repeat_key_of(old)
        if not key or not old_key:
            # Nothing alphanumeric (emoji, punctuation): only exact repeats count.
            if stripped and stripped == old.strip():
                return Reason("repeat", Verdict.BLOCK, "same")
            continue
        if old_key == key:
            return Reason("repeat", Verdict.BLOCK, "same")
        if _similar(key, old_key):
            return Reason("repeat", Verdict.BLOCK, "similar")
    return None


def _similar(a: str, b: str) -> bool:
    shorter, longer = sorted((len(a), len(b)))
    # ratio() <= 2*min/(len_a+len_b); skip pairs that can't reach the bar.
    if 2 * shorter < REPEAT_SIMILARITY * (shorter + longer) or longer > _SIMILARITY_MAX_CHARS:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= REPEAT_SIMILARITY
        and matcher.quick_ratio() >= REPEAT_SIMILARITY
        and matcher.ratio() >= REPEAT_SIMILARITY
    )


@functools.lru_cache(maxsize=4096)
def repeat_key_of(text: str) -> str:
    """`repeat_key` of the normalised `text`, memoised.

    An author's recent messages are compared again on each of their new
    messages; a bounded memo of this pure function avoids re-normalising them
    without the package keeping any per-author state.
    """
    return repeat_key(fast_normalise(text))
