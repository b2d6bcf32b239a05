"""The benchmark runs and reports sane figures (a smoke test, not a gate)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from moderation import Moderator, Verdict

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "moderation_bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("moderation_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_briefly() -> None:
    result = load_bench().run(seconds=0.2)
    assert result["messages_per_second"] > 0
    assert 0 < result["median_us"] <= result["p99_us"]
    assert result["messages"] > 0
    assert 150 <= result["mean_chars"] <= 260


def test_corpus_is_mixed() -> None:
    corpus = load_bench().build_corpus(400)
    moderator = Moderator()
    verdicts = {moderator.check(text).verdict for text in corpus}
    assert verdicts == {Verdict.ALLOW, Verdict.REVIEW, Verdict.BLOCK}


def test_compare_against_another_copy_of_the_package() -> None:
    folder = Path(__file__).resolve().parents[2] / "moderation"
    found = load_bench().compare(str(folder), seconds=0.1)
    assert found["this_best"] > 0 and found["other_best"] > 0 and found["passes"] >= 1
