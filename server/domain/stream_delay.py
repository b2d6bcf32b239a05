"""Stream delay fairness: an online viewer sees the room 10-40 s late, so a vote announced in
the room accepts that viewer's ballot until its deadline plus the viewer's delay.

Pure. The delay a viewer gets is the organizer's `stream_delay` unless the organizer allows
measured delays (`max_stream_delay` > 0): then the viewer's own measure (from the HLS
playlist's program date-time, sent with `stream.delay`) counts, bounded by `max_stream_delay`,
so no client extends a vote beyond what the organizer allowed, whatever it claims.
"""

from __future__ import annotations

from server.domain.plenary_settings import PlenarySettings


def viewer_delay(settings: PlenarySettings, measured: float | None) -> float:
    """The seconds a viewer's ballots may arrive after a deadline."""
    if settings.max_stream_delay <= 0 or measured is None:
        return float(settings.stream_delay)
    return min(max(measured, 0.0), float(settings.max_stream_delay))


def longest_delay(settings: PlenarySettings) -> float:
    """The most any viewer may get: a timed poll closes this long after its deadline."""
    return float(max(settings.stream_delay, settings.max_stream_delay))
