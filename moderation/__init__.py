"""Plenária's text moderation: pure, stdlib-only, no I/O beyond its word lists.

Build a `Moderator` once per event `Policy` and call `check(text, context)`
for every chat message, question or comment; the returned `Decision` says
ALLOW, REVIEW or BLOCK and lists the `Reason`s with spans into the original
text for highlighting. The package keeps no state about authors: the caller
passes what it knows in a `Context`.
"""

from __future__ import annotations

from .context import Context
from .moderator import Moderator
from .normalise import Normalised, normalise
from .policy import Policy
from .verdict import Decision, Reason, Verdict

__all__ = ["Context", "Decision", "Moderator", "Normalised", "Policy", "Reason", "Verdict", "normalise"]
