"""The cryptography of the sealed ballot box of secret polls (no I/O).

While a secret poll runs, every ballot is stored sealed to the poll's public
key (X25519, HKDF-SHA256, ChaCha20-Poly1305), padded to one size per poll, so a
copy of the database shows neither what a ballot says nor how long it is. The
poll's private key lives in the memory of the process that opened the poll and,
for when that process dies, sealed in the database to the event's escrow key,
whose private half is derived from the organizer secret (which the server only
ever stores hashed). At the close the private key opens the ballots, they are
shuffled and written in clear, and the key and the sealed ballots are deleted.
See docs/privacy.md for the threat model.

Formats (all bytes):

- a sealed message: `sender public key (32) || nonce (12) || ciphertext+tag`;
- a ballot's plaintext: `length (4, big-endian) || canonical JSON || zeros`, of
  `padded_size(spec)` bytes for every ballot of the poll.

A process seals the ballots of one poll with one ephemeral sender key (a
`Sealer`) and a fresh random nonce per ballot: one X25519 exchange per process
and poll instead of one per ballot. Associated data binds each ciphertext to its
poll and its poll key, so a sealed ballot cannot be moved to another poll.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from server.domain.polls import OPTION_KINDS, Ballot, PollSpec

KEY_BYTES = 32
NONCE_BYTES = 12
LENGTH_BYTES = 4


class SealError(Exception):
    """A sealed message that does not open with this key (tampered with, or another key)."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _ballot_info(poll_id: int) -> bytes:
    return b"plenaria-ballot:%d" % poll_id


def _escrow_info(poll_id: int) -> bytes:
    return b"plenaria-escrow:%d" % poll_id


def _seal_once(recipient: bytes, info: bytes, plaintext: bytes, aad: bytes) -> bytes:
    sender = X25519PrivateKey.generate()
    key = _derive(sender.exchange(X25519PublicKey.from_public_bytes(recipient)), info)
    nonce = os.urandom(NONCE_BYTES)
    return _raw_public(sender.public_key()) + nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def _split(sealed: bytes) -> tuple[bytes, bytes, bytes]:
    if len(sealed) < KEY_BYTES + NONCE_BYTES + 16:
        raise SealError("sealed message too short")
    return sealed[:KEY_BYTES], sealed[KEY_BYTES:KEY_BYTES + NONCE_BYTES], sealed[KEY_BYTES + NONCE_BYTES:]


# -- the escrow key: derived from the organizer secret -------------------------------------


def _escrow_private(organizer_secret: str) -> X25519PrivateKey:
    seed = _derive(organizer_secret.encode(), b"plenaria-ballot-escrow")
    return X25519PrivateKey.from_private_bytes(seed)


def escrow_public(organizer_secret: str) -> bytes:
    """The event's escrow public key, stored; its private half is recomputed from the secret."""
    return _raw_public(_escrow_private(organizer_secret).public_key())


# -- a poll's key ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollKey:
    """The private key of one secret poll's ballot box (held in memory only)."""

    poll_id: int
    private: X25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, poll_id: int) -> PollKey:
        return cls(poll_id, X25519PrivateKey.generate())

    @property
    def public(self) -> bytes:
        return _raw_public(self.private.public_key())

    def escrow(self, escrow_key: bytes) -> bytes:
        """The private key sealed to the event's escrow public key (stored beside the ballots)."""
        raw = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return _seal_once(escrow_key, _escrow_info(self.poll_id), raw, self.public)

    @classmethod
    def from_escrow(cls, poll_id: int, public: bytes, sealed: bytes, organizer_secret: str) -> PollKey:
        """Recover the poll's key with the organizer secret; SealError if it does not open it."""
        raw = _open(_escrow_private(organizer_secret), _escrow_info(poll_id), sealed, public)
        key = cls(poll_id, X25519PrivateKey.from_private_bytes(raw))
        if key.public != public:
            raise SealError("the escrowed key does not match the poll's public key")
        return key

    def open_ballots(self, sealed: Iterable[bytes]) -> list[dict[str, Any]]:
        """The ballots in clear, in the order given; SealError if any does not open."""
        keys: dict[bytes, ChaCha20Poly1305] = {}
        aad = self.public
        ballots = []
        for message in sealed:
            sender, nonce, body = _split(message)
            cipher = keys.get(sender)
            if cipher is None:
                shared = self.private.exchange(X25519PublicKey.from_public_bytes(sender))
                cipher = keys[sender] = ChaCha20Poly1305(_derive(shared, _ballot_info(self.poll_id)))
            try:
                padded = cipher.decrypt(nonce, body, aad)
            except InvalidTag as exc:
                raise SealError("a sealed ballot does not open with this poll's key") from exc
            ballots.append(_unpad(padded))
        return ballots


def _open(private: X25519PrivateKey, info: bytes, sealed: bytes, aad: bytes) -> bytes:
    sender, nonce, body = _split(sealed)
    key = _derive(private.exchange(X25519PublicKey.from_public_bytes(sender)), info)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise SealError("this key does not open the sealed message") from exc


# -- sealing ballots ---------------------------------------------------------------------------


class Sealer:
    """Seals the ballots of one poll to its public key, all padded to the same size."""

    def __init__(self, poll_id: int, public: bytes, spec: PollSpec) -> None:
        self.public = public
        self.size = padded_size(spec)
        sender = X25519PrivateKey.generate()
        shared = sender.exchange(X25519PublicKey.from_public_bytes(public))
        self._sender = _raw_public(sender.public_key())
        self._cipher = ChaCha20Poly1305(_derive(shared, _ballot_info(poll_id)))

    def seal(self, ballot: Mapping[str, Any]) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return self._sender + nonce + self._cipher.encrypt(nonce, _pad(ballot, self.size), self.public)


def _encode(ballot: Mapping[str, Any]) -> bytes:
    return json.dumps(ballot, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def padded_size(spec: PollSpec) -> int:
    """Bytes of every padded ballot of a poll: room for the longest ballot the spec accepts.

    Option polls: every option id picked; rating: the top of the scale; open text:
    the longest answer of characters that JSON writes as six bytes (`\\u0000`), the
    most any one character takes in this encoding.
    """
    widest = Ballot(
        choices=spec.option_ids() if spec.kind in OPTION_KINDS else (),
        # A minus sign and the widest magnitude: at least as long as any value of the scale.
        rating=-max(abs(spec.scale_min), abs(spec.scale_max)) if spec.kind == "rating" else None,
        text="\u0000" * spec.max_text_length if spec.kind == "open_text" else None,
    )
    return LENGTH_BYTES + len(_encode(widest.to_dict()))


def _pad(ballot: Mapping[str, Any], size: int) -> bytes:
    body = _encode(ballot)
    if LENGTH_BYTES + len(body) > size:
        raise ValueError("the ballot is longer than its poll allows")
    return len(body).to_bytes(LENGTH_BYTES, "big") + body + bytes(size - LENGTH_BYTES - len(body))


def _unpad(padded: bytes) -> dict[str, Any]:
    length = int.from_bytes(padded[:LENGTH_BYTES], "big")
    ballot: dict[str, Any] = json.loads(padded[LENGTH_BYTES:LENGTH_BYTES + length])
    return ballot
