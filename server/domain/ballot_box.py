"""What the store keeps of a secret poll's ballot box while its ballots are sealed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BoxKey:
    """The poll's public key (seals ballots, any process) and its private key sealed to the
    event's escrow key (for when the process that holds the private key is gone)."""

    public_key: bytes
    escrow: bytes
