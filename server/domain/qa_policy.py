"""An event's chat and Q&A settings: moderation modes, slow mode, limits and the rule policy.

Plain immutable data, stored as JSON. `chat_mode` and `questions_mode` are
separate: "post" publishes unless a rule holds the item, "pre" holds everything
for a moderator. `rules` is the `moderation.Policy` (terms, links, domains,
flood...); its `max_length` and `min_interval_seconds` are not set there but
derived from the per-kind limits here and from slow mode, which the service
enforces as a refusal with `retry_after` (the author can simply wait) rather
than as a moderation decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from moderation import Policy
from server.domain.qa import Kind, Mode
from server.errors import InvalidCommand

CHAT_MAX_LENGTH = 500
QUESTION_MAX_LENGTH = 300
SHORT_TEXT_MAX_LENGTH = 500  # the longest open-text answer a poll may allow
MAX_SLOW_MODE_SECONDS = 3600
_DERIVED_RULES = ("max_length", "min_interval_seconds")
_BOOLS = ("chat_enabled", "questions_enabled", "anonymous_questions")
_MODES = ("chat_mode", "questions_mode")
_LIMITS = {"chat_max_length": CHAT_MAX_LENGTH, "question_max_length": QUESTION_MAX_LENGTH}


@dataclass(frozen=True)
class QASettings:
    chat_enabled: bool = True
    questions_enabled: bool = True
    chat_mode: Mode = "post"
    questions_mode: Mode = "post"
    slow_mode_seconds: int = 0  # chat only; 0 = off
    anonymous_questions: bool = True
    chat_max_length: int = CHAT_MAX_LENGTH
    question_max_length: int = QUESTION_MAX_LENGTH
    rules: Policy = field(default_factory=Policy)

    def mode(self, kind: Kind) -> Mode:
        return self.chat_mode if kind == "chat" else self.questions_mode

    def enabled(self, kind: Kind) -> bool:
        return self.chat_enabled if kind == "chat" else self.questions_enabled

    def max_length(self, kind: Kind) -> int:
        return self.chat_max_length if kind == "chat" else self.question_max_length

    def policy_for(self, kind: Kind) -> Policy:
        """The moderation policy for one kind (its length limit; slow mode is enforced before it)."""
        return replace(self.rules, max_length=self.max_length(kind), min_interval_seconds=0.0)

    def policy_for_short_text(self) -> Policy:
        """The policy for word-cloud answers and display names: the event's terms and rules, without
        slow mode or the shouting rule (the cloud lowercases every word, and names are often typed
        in capitals). Their lengths are checked where they are validated."""
        return replace(self.rules, max_length=SHORT_TEXT_MAX_LENGTH, min_interval_seconds=0.0, caps_ratio=1.0)

    def public(self) -> dict[str, Any]:
        """What participants' pages need to know (never the organizer's term lists)."""
        return {
            "chat_enabled": self.chat_enabled,
            "questions_enabled": self.questions_enabled,
            "chat_mode": self.chat_mode,
            "questions_mode": self.questions_mode,
            "slow_mode_seconds": self.slow_mode_seconds,
            "anonymous_questions": self.anonymous_questions,
            "chat_max_length": self.chat_max_length,
            "question_max_length": self.question_max_length,
        }

    def to_dict(self) -> dict[str, Any]:
        rules = {k: v for k, v in self.rules.to_dict().items() if k not in _DERIVED_RULES}
        return self.public() | {"rules": rules}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QASettings:
        """Build from stored JSON (missing fields take defaults). Raises InvalidCommand."""
        return cls().updated(data)

    def updated(self, changes: Mapping[str, Any]) -> QASettings:
        """A copy with `changes` applied; `rules` replaces the rule policy as a whole.

        Raises InvalidCommand (code `invalid_policy`, `field` names the culprit).
        """
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key in _BOOLS:
                if not isinstance(value, bool):
                    raise _invalid(key, "must be true or false")
                values[key] = value
            elif key in _MODES:
                if value not in ("post", "pre"):
                    raise _invalid(key, 'must be "post" or "pre"')
                values[key] = value
            elif key == "slow_mode_seconds":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SLOW_MODE_SECONDS:
                    raise _invalid(key, f"must be an integer from 0 to {MAX_SLOW_MODE_SECONDS}")
                values[key] = value
            elif key in _LIMITS:
                cap = _LIMITS[key]
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
                    raise _invalid(key, f"must be an integer from 1 to {cap}")
                values[key] = value
            elif key == "rules":
                values[key] = _rules(value)
            else:
                raise _invalid(key, "is not a setting")
        return replace(self, **values)


def _rules(value: Any) -> Policy:
    if not isinstance(value, Mapping):
        raise _invalid("rules", "must be an object")
    derived = sorted(set(value) & set(_DERIVED_RULES))
    if derived:
        raise _invalid(f"rules.{derived[0]}", "is set by chat_max_length/question_max_length/slow_mode_seconds")
    try:
        return Policy.from_dict(value)
    except (ValueError, TypeError) as exc:
        raise InvalidCommand(str(exc), code="invalid_policy", field="rules") from exc


def _invalid(key: str, why: str) -> InvalidCommand:
    return InvalidCommand(f"{key} {why}", code="invalid_policy", field=key)
