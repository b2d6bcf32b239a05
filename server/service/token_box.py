"""Platform tokens encrypted at rest (ChaCha20-Poly1305 under a key derived with HKDF-SHA256 from
the server's `token_key` setting, PLENARIA_TOKEN_KEY). The source's identity is the associated
data, so a sealed token copied onto another source's row does not open. A database copy without
the key reveals no token; see docs/privacy.md."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.domain.platforms import Platform

NONCE = 12


class TokenBox:
    def __init__(self, token_key: str) -> None:
        self._aead = ChaCha20Poly1305(
            HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"plenaria-platform-token")
            .derive(token_key.encode())
        ) if token_key else None

    @property
    def available(self) -> bool:
        return self._aead is not None

    def seal(self, event_id: int, platform: Platform, target: str, token: str) -> bytes:
        if self._aead is None:
            raise RuntimeError("no token key configured")
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, token.encode(), _aad(event_id, platform, target))

    def open(self, event_id: int, platform: Platform, target: str, sealed: bytes) -> str | None:
        """The token, or None when this key does not open it (the key changed, the row was moved)."""
        if self._aead is None or len(sealed) <= NONCE:
            return None
        try:
            return self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], _aad(event_id, platform, target)).decode()
        except (InvalidTag, UnicodeDecodeError):
            return None


def _aad(event_id: int, platform: Platform, target: str) -> bytes:
    return f"{event_id}\x00{platform}\x00{target}".encode()
