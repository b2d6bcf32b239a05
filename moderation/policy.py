"""Per-event moderation settings.

A `Policy` is plain, immutable data an organiser can store as JSON
(`to_dict`/`from_dict`). Construction validates values, so an invalid policy
can't exist; `from_dict` additionally checks JSON types and rejects unknown
fields, raising ValueError with a message that names the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal, cast, get_args

from .wordlist import available_languages

LinkMode = Literal["allow", "review", "block"]
_LINK_MODES: tuple[str, ...] = get_args(LinkMode)
_TERM_FIELDS = ("blocked_terms", "review_terms", "allowed_terms")
_TUPLE_FIELDS = (*_TERM_FIELDS, "allowed_domains", "languages")
_INT_FIELDS = ("max_length", "flood_messages", "caps_min_letters")
_FLOAT_FIELDS = ("min_interval_seconds", "flood_window_seconds", "repeat_window_seconds", "caps_ratio")


@dataclass(frozen=True)
class Policy:
    """What an event considers acceptable. All fields have safe defaults.

    * ``blocked_terms`` / ``review_terms``: the organiser's own terms, matched
      like the bundled lists (normalised, whole words, trailing ``*`` for a
      prefix family); reported with rule "custom_term".
    * ``allowed_terms``: never fire; they suppress any bundled or custom match
      that lies within an occurrence of an allowed term.
    * ``links``: what a link asks for; ``allowed_domains`` (and subdomains)
      always pass.
    * ``max_length``: longer messages are blocked ("length").
    * ``min_interval_seconds``: slow mode, 0 disables it.
    * ``flood_messages`` within ``flood_window_seconds``: more are blocked.
    * ``repeat_window_seconds``: same/near-duplicate text by the same author.
    * ``caps_min_letters``/``caps_ratio``: shouting check.
    * ``languages``: which bundled word lists to use.
    """

    blocked_terms: tuple[str, ...] = ()
    review_terms: tuple[str, ...] = ()
    allowed_terms: tuple[str, ...] = ()
    links: LinkMode = "review"
    allowed_domains: tuple[str, ...] = ()
    max_length: int = 500
    min_interval_seconds: float = 0.0
    flood_messages: int = 5
    flood_window_seconds: float = 10.0
    repeat_window_seconds: float = 120.0
    caps_min_letters: int = 12
    caps_ratio: float = 0.8
    languages: tuple[str, ...] = ("pt", "pl", "en", "es")

    def __post_init__(self) -> None:
        for name in _TERM_FIELDS:
            for term in getattr(self, name):
                if not isinstance(term, str) or not any(ch.isalnum() for ch in term):
                    raise ValueError(f"policy.{name}: every term needs at least one letter or digit, got {term!r}")
        if self.links not in _LINK_MODES:
            raise ValueError(f"policy.links must be one of {', '.join(_LINK_MODES)}, got {self.links!r}")
        for domain in self.allowed_domains:
            if not isinstance(domain, str) or not domain.strip(". ") or any(ch.isspace() for ch in domain.strip()):
                raise ValueError(f"policy.allowed_domains: not a domain name: {domain!r}")
        if self.max_length < 1:
            raise ValueError(f"policy.max_length must be at least 1, got {self.max_length}")
        if self.flood_messages < 1:
            raise ValueError(f"policy.flood_messages must be at least 1, got {self.flood_messages}")
        if self.caps_min_letters < 1:
            raise ValueError(f"policy.caps_min_letters must be at least 1, got {self.caps_min_letters}")
        for name in ("min_interval_seconds", "flood_window_seconds", "repeat_window_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"policy.{name} must be a finite number >= 0, got {value!r}")
        if not 0.0 <= self.caps_ratio <= 1.0:
            raise ValueError(f"policy.caps_ratio must be between 0 and 1, got {self.caps_ratio!r}")
        known = available_languages()
        for language in self.languages:
            if language not in known:
                raise ValueError(f"policy.languages: no word list for {language!r} (known: {', '.join(known)})")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Policy:
        """Build a policy from JSON-like data; missing fields take defaults.

        Lists are accepted for the tuple fields, ints for the float fields.
        Raises ValueError for unknown fields, wrong types or bad values.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"policy must be a JSON object, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in data if key not in names)
        if unknown:
            raise ValueError(f"unknown policy field(s): {', '.join(unknown)}")
        values: dict[str, object] = {}
        for name, value in data.items():
            if name in _TUPLE_FIELDS:
                if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                    raise ValueError(f"policy.{name} must be a list of strings")
                values[name] = tuple(cast("list[str] | tuple[str, ...]", value))
            elif name in _INT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"policy.{name} must be an integer, got {value!r}")
                values[name] = value
            elif name in _FLOAT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"policy.{name} must be a number, got {value!r}")
                values[name] = float(value)
            elif name == "links":
                if not isinstance(value, str):
                    raise ValueError(f"policy.links must be a string, got {value!r}")
                values[name] = value
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping (tuples become lists); `from_dict` inverts it."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out
