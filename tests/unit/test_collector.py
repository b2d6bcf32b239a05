"""The collector freezes survivors so full collections stay short, and a thaw frees the cycles
that died while frozen."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterator

import pytest

from server.collector import SLOW_SECONDS, Collector, CollectorWatch, watch


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


async def test_survivors_are_frozen_and_a_thaw_collects_cycles_that_died_meanwhile() -> None:
    heap = Collector(thaw_every=3600)
    alive, ref = cycle()
    await heap.tick()
    assert gc.get_freeze_count() > 0, "the survivors went to the permanent generation"

    del alive
    gc.collect()
    assert ref() is not None, "a frozen cycle is not examined by collections"

    heap.thaw_every = 0  # the next tick is a thaw
    await heap.tick()
    assert ref() is None, "the thaw collected it"
    assert heap.thaws == 1 and gc.get_freeze_count() > 0, "and froze the survivors again"


def test_the_watch_is_installed_once_and_logs_slow_collections(caplog: pytest.LogCaptureFixture) -> None:
    first = watch()
    try:
        assert watch() is first and sum(isinstance(c, CollectorWatch) for c in gc.callbacks) == 1
    finally:
        gc.callbacks.remove(first)

    clock = iter([0.0, SLOW_SECONDS * 2])
    seen = CollectorWatch(clock=lambda: next(clock))
    with caplog.at_level(logging.WARNING, logger="plenaria.gc"):
        seen("start", {"generation": 2})
        seen("stop", {"generation": 2, "collected": 5})
    assert seen.stats["gen2"] == 1 and seen.stats["slow"] == 1
    assert "generation 2 paused the process 200 ms" in caplog.text
