"""The keys a person's ballots and commands are stored under.

A ballot is stored under its voter's key: the delegate credential's in delegates-only polls
(a reissued code cannot vote twice), the participant's otherwise; the participant's key is
also the actor their commands are logged under. Casting, "my ballots" and erasure must all
agree on these keys, so they are built here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


def voter_key(*, participant: int | None = None, delegate: int | None = None) -> str:
    """The key of a participant (`p:<id>`) or of a delegate credential (`d:<id>`): exactly one."""
    if (participant is None) == (delegate is None):
        raise ValueError("a voter key names a participant or a credential, not both")
    return f"p:{participant}" if participant is not None else f"d:{delegate}"


def keys_of(participant: int, delegate: int | None) -> list[str]:
    """Every key a participant's ballots may be stored under (their own, their credential's)."""
    return [voter_key(participant=participant)] + ([voter_key(delegate=delegate)] if delegate is not None else [])


@dataclass(frozen=True, slots=True)
class Credential:
    """A delegate credential as voting sees it: whose it is, its segment, whether it is in use."""

    id: int
    event_id: int
    name: str
    segment: str
    status: str
