"""Erasure in the procedure's documents: stand-ins that keep what an erased person did, not who.

Pure. A speakers' list, a ballot's destaque marks and the moções count people by id; an
erased person's id is replaced by a stand-in that names nobody (negative, so no participant
or credential ever has it; fresh in its document, so two erased people are still counted as
two), and their name is blanked. Counts, seconds spoken and segments stay.
"""

from __future__ import annotations

from collections.abc import Iterable


def stand_in(taken: Iterable[int]) -> int:
    """An id below every id in `taken` and below zero."""
    return min((0, *taken)) - 1


def swapped(ids: frozenset[int], erased: int, replacement: int) -> frozenset[int]:
    return frozenset(replacement if i == erased else i for i in ids)
