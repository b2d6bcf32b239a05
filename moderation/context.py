"""What the caller knows about a message's author.

The package keeps no per-author state: the caller (the server, the CLI)
remembers recent messages and mutes/bans, and passes them in with each check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Context:
    """What the caller knows about the author; the package keeps no state itself.

    * ``now``: the message's time in seconds (monotonic or epoch, the caller's
      choice, but consistent with ``recent``).
    * ``recent``: the author's earlier messages as ``(time, original text)``,
      in any order. Entries later than ``now`` are ignored. Whether blocked
      attempts are included is the caller's choice; including them makes
      flood and repeat protection stricter against bots.
    * ``muted_until``: while ``now < muted_until`` every message is blocked.
    * ``banned``: every message is blocked.
    """

    now: float = 0.0
    recent: Sequence[tuple[float, str]] = ()
    muted_until: float | None = None
    banned: bool = False
