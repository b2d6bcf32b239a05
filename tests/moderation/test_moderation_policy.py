"""Policy construction, validation and JSON round trips."""

from __future__ import annotations

from typing import Any

import pytest

from moderation import Policy


def test_defaults() -> None:
    policy = Policy()
    assert policy.links == "review"
    assert policy.max_length == 500
    assert policy.languages == ("pt", "pl", "en", "es")


def test_round_trip() -> None:
    policy = Policy(
        blocked_terms=("golpista",),
        review_terms=("bolsa*",),
        allowed_terms=("viado",),
        links="block",
        allowed_domains=("gov.br",),
        max_length=300,
        min_interval_seconds=3,
        languages=("pt",),
    )
    data = policy.to_dict()
    assert data["blocked_terms"] == ["golpista"]
    assert data["links"] == "block"
    assert Policy.from_dict(data) == policy


def test_from_dict_accepts_ints_for_floats_and_lists_for_tuples() -> None:
    policy = Policy.from_dict({"flood_window_seconds": 30, "allowed_domains": ["x.org"]})
    assert policy.flood_window_seconds == 30.0
    assert isinstance(policy.flood_window_seconds, float)
    assert policy.allowed_domains == ("x.org",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"link": "allow"}, "unknown policy field(s): link"),
        ({"links": "maybe"}, "policy.links must be one of allow, review, block"),
        ({"links": 1}, "policy.links must be a string"),
        ({"blocked_terms": "merda"}, "policy.blocked_terms must be a list of strings"),
        ({"blocked_terms": ["ok", 3]}, "policy.blocked_terms must be a list of strings"),
        ({"blocked_terms": ["***"]}, "at least one letter or digit"),
        ({"max_length": "500"}, "policy.max_length must be an integer"),
        ({"max_length": True}, "policy.max_length must be an integer"),
        ({"max_length": 0}, "policy.max_length must be at least 1"),
        ({"flood_messages": 0}, "policy.flood_messages must be at least 1"),
        ({"caps_min_letters": 2.5}, "policy.caps_min_letters must be an integer"),
        ({"caps_ratio": 1.5}, "policy.caps_ratio must be between 0 and 1"),
        ({"flood_window_seconds": -1}, "policy.flood_window_seconds must be a finite number >= 0"),
        ({"repeat_window_seconds": float("inf")}, "policy.repeat_window_seconds must be a finite number"),
        ({"min_interval_seconds": False}, "policy.min_interval_seconds must be a number"),
        ({"languages": ["pt", "de"]}, "no word list for 'de'"),
        ({"allowed_domains": ["exa mple.com"]}, "not a domain name"),
    ],
)
def test_from_dict_rejects_bad_input(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        Policy.from_dict(data)
    assert message in str(info.value)


def test_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        Policy.from_dict(["links"])  # type: ignore[arg-type]


def test_policy_is_immutable_and_hashable() -> None:
    policy = Policy()
    with pytest.raises(AttributeError):
        policy.links = "allow"  # type: ignore[misc]
    assert hash(policy) == hash(Policy())
