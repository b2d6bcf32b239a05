"""Since when each participant has been connected to this process, kept in memory.

The hub calls `opened` when a participant's first connection here attaches to its event's
public channel and `closed` when their last one leaves, so two tabs make one stretch. What
it costs is one float per connected participant (nothing per connection) and one small tuple
per ended stretch until the next flush takes it (server/service/presence.py writes them in
batches: nothing touches the database on the join path).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from server.domain.presence import Stretch


class Stretches:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._since: defaultdict[int, dict[int, float]] = defaultdict(dict)
        self._ended: list[Stretch] = []

    def opened(self, event_id: int, participant_id: int) -> None:
        self._since[event_id].setdefault(participant_id, self.clock())

    def closed(self, event_id: int, participant_id: int) -> None:
        since = self._since.get(event_id, {}).pop(participant_id, None)
        if since is None:
            return
        if not self._since[event_id]:
            del self._since[event_id]
        self._ended.append(Stretch(event_id, participant_id, since, self.clock()))

    def take(self, now: float) -> tuple[list[Stretch], list[Stretch]]:
        """(the stretches ended since the last take, now handed over; the open ones up to `now`,
        which stay open). A caller that fails to store them gives the ended ones `back`; the open
        ones are reported again, with the same start, at the next take."""
        ended, self._ended = self._ended, []
        current = [Stretch(event_id, who, since, now)
                   for event_id, people in self._since.items() for who, since in people.items()]
        return ended, current

    def back(self, ended: Iterable[Stretch]) -> None:
        self._ended[:0] = list(ended)

    def close_all(self) -> None:
        """End every open stretch now (the process is stopping)."""
        for event_id in list(self._since):
            for who in list(self._since.get(event_id, {})):
                self.closed(event_id, who)
