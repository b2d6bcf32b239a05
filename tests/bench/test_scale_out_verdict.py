"""The benchmark's verdict on two processes against one, from the figures of one report."""

from __future__ import annotations

from typing import Any

from benchmarks.runner import scale_out_verdict


def run(config: str, fresh: float, resume: float, votes: float, machine: float) -> dict[str, Any]:
    def wave(rate: float) -> dict[str, Any]:
        return {"joins_per_second": rate, "cores": {"machine": machine}}

    return {"config": config, "n": 10_000, "joins": {"fresh": wave(fresh), "resume": wave(resume)},
            "votes": {"acks_per_second": votes, "burst_cores": {"machine": machine}}}


def test_two_processes_at_twice_the_rate_meet_the_target() -> None:
    verdict = scale_out_verdict([run("embedded", 1000, 1200, 900, 1.2), run("redis", 1800, 2000, 1700, 2.0)])
    assert verdict is not None and verdict["met"] is True
    assert "fresh joins 1.8x" in verdict["measured"] and "votes/s 1.89x" in verdict["measured"]


def test_the_slowest_ratio_decides_and_the_machine_cores_are_reported() -> None:
    verdict = scale_out_verdict([run("embedded", 1100, 1400, 990, 1.98), run("redis", 900, 2400, 1700, 2.0)])
    assert verdict is not None and verdict["met"] is False
    assert "fresh joins 0.82x (one process: machine 1.98 of" in verdict["measured"]


def test_no_verdict_without_both_configurations_at_the_same_size() -> None:
    assert scale_out_verdict([run("embedded", 1000, 1000, 1000, 1.0)]) is None
    small = run("redis", 1000, 1000, 1000, 1.0) | {"n": 100}
    assert scale_out_verdict([run("embedded", 1000, 1000, 1000, 1.0), small]) is None
