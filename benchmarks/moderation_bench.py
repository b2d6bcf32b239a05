"""Throughput and latency of `moderation.Moderator.check` on one core.

Builds a deterministic corpus of ~200-character chat messages in Portuguese,
Polish, English and Spanish - clean questions, sharp criticism, profanity,
obfuscated profanity, links and personal data - then measures:

* messages/second: whole passes over the corpus timed as a batch;
* median and p99 microseconds per message: each call timed on its own with
  ``time.perf_counter_ns``.

Usage: ``python benchmarks/moderation_bench.py [--seconds N] [--json out.json] [--against DIR]``

``--against DIR`` compares with another copy of the package (say the one of an
earlier commit: ``git archive REV moderation | tar -x -C /tmp/before``, then
``--against /tmp/before/moderation``): whole passes over the corpus alternate
between the two in one process, timed in CPU seconds, so both see the same
load on a shared machine, where wall-clock figures of separate runs can differ
threefold.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation import Moderator  # noqa: E402

# Sentence pools per kind and language; messages are made of 2-4 sentences
# padded to about 200 characters, the way people write in a conference chat.
POOLS: dict[str, dict[str, list[str]]] = {
    "clean": {
        "pt": [
            "Bom dia a todas e todos da conferência municipal de assistência social.",
            "Quando será discutido o eixo de financiamento do SUAS?",
            "Gostaria de saber como o CRAS do bairro vai atender as famílias do CadÚnico.",
            "Foram 10 propostas aprovadas em 2023 e queremos saber quantas saíram do papel.",
            "Parabéns à equipe técnica pela organização da plenária de hoje.",
        ],
        "pl": [
            "Dzień dobry, kiedy zacznie się panel o pomocy społecznej dla seniorów?",
            "Ile pieniędzy trafi do ośrodków pomocy społecznej w przyszłym roku?",
            "Czy będzie można zadać pytanie pani dyrektor po przerwie?",
            "Dziękuję za bardzo ciekawą prezentację o asystentach rodziny.",
        ],
        "en": [
            "Good morning everyone, when does the panel on housing assistance start?",
            "Could the speaker explain how the new budget protects families in need?",
            "Thanks for the clear presentation about the food bank network.",
        ],
        "es": [
            "Buenos días, ¿cuándo empieza la mesa sobre servicios sociales municipales?",
            "¿Se van a publicar las cuentas del programa de ayudas a domicilio?",
            "Gracias por la presentación, fue muy útil para nuestra asociación.",
        ],
    },
    "criticism": {
        "pt": [
            "O prefeito mentiu sobre o orçamento da assistência social, isso é uma vergonha!",
            "A secretaria é incompetente e o CRAS está abandonado há meses.",
            "Esse governo é um fracasso e a corrupção está acabando com os serviços.",
        ],
        "pl": [
            "Rząd okradł pomoc społeczną, to skandal i hańba.",
            "Minister kłamie w sprawie budżetu, a gminy zostają bez pieniędzy.",
        ],
        "en": [
            "This policy is a disgrace and the council failed the poor.",
            "The mayor lied about the budget and should resign.",
        ],
        "es": [
            "El alcalde es un corrupto y debe renunciar.",
            "La gestión de los servicios sociales es una vergüenza y un fracaso.",
        ],
    },
    "profanity": {
        "pt": ["vai tomar no cu seu arrombado", "isso é uma merda, pqp", "filho da puta mentiroso"],
        "pl": ["kurwa, znowu to samo", "spierdalaj z tym budżetem", "ty chuju"],
        "en": ["fuck this council", "you are an asshole", "this is bullshit"],
        "es": ["hijo de puta", "eres un pendejo", "qué mierda de gestión"],
    },
    "obfuscated": {
        "pt": ["vai se f*der", "m e r d a de prefeitura", "p0rr4 de reunião", "filho da p*ta", "merdaaaaa"],
        "pl": ["k.u.r.w.a mać", "sp1erd4laj", "kurwaaaa"],
        "en": ["f**k you", "a$$hole", "s h i t"],
        "es": ["g i l i p o l l a s", "p*ta madre", "pendejoooo"],
    },
    "personal_data": {
        "pt": ["Meu CPF é 529.982.247-25, me liguem no (11) 91234-5678.", "Mandem para maria.souza@exemplo.com.br"],
        "pl": ["Mój PESEL to 44051401359, telefon +48 601 234 567."],
        "en": ["Call me on +1 415 555 0134 or mail jane@example.org."],
        "es": ["Mi correo es juan.perez@correo.es y mi móvil +34 612 345 678."],
    },
    "links": {
        "pt": ["Ganhe dinheiro fácil em bit.ly/renda-extra", "Vejam a pauta em https://www.exemplo.com.br/pauta"],
        "pl": ["Wszystkie dokumenty są na pomoc.gov.pl/wnioski"],
        "en": ["Click here for free money: www.free-money.xyz"],
        "es": ["Más información en https://ayuntamiento.es/servicios-sociales"],
    },
}
# Share of each kind in the corpus: mostly ordinary chat.
MIX = {"clean": 0.50, "criticism": 0.20, "profanity": 0.10, "obfuscated": 0.08, "personal_data": 0.06, "links": 0.06}
LANGUAGES = ("pt", "pl", "en", "es")
TARGET_LENGTH = 200


def build_corpus(size: int = 2000, seed: int = 2024) -> list[str]:
    """`size` messages of about TARGET_LENGTH characters, reproducibly."""
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[kind] for kind in kinds]
    corpus: list[str] = []
    for _ in range(size):
        kind = rng.choices(kinds, weights)[0]
        language = rng.choice(LANGUAGES)
        parts = [rng.choice(POOLS[kind][language])]
        # Pad with clean sentences of the same language, like real messages.
        while sum(len(p) + 1 for p in parts) < TARGET_LENGTH - 40:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(POOLS["clean"][language]))
        corpus.append(" ".join(parts)[: TARGET_LENGTH + 40])
    return corpus


def run(seconds: float) -> dict[str, float]:
    """Benchmark for about `seconds` seconds (half throughput, half latency).

    Returns messages_per_second, median_us, p99_us, mean_us, mean_chars and
    messages (the number of per-message timings taken).
    """
    moderator = Moderator()
    corpus = build_corpus()
    for text in corpus[:200]:  # warm caches (fold table, regex compilation)
        moderator.check(text)
    check = moderator.check

    budget = max(seconds, 0.01) / 2
    checked = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < budget:
        for text in corpus:
            check(text)
        checked += len(corpus)
        elapsed = time.perf_counter() - started
    throughput = checked / elapsed

    timings: list[int] = []
    clock = time.perf_counter_ns
    deadline = clock() + int(budget * 1e9)
    while clock() < deadline:
        for text in corpus:
            before = clock()
            check(text)
            timings.append(clock() - before)
    timings.sort()
    return {
        "messages_per_second": throughput,
        "median_us": statistics.median(timings) / 1000,
        "p99_us": timings[min(len(timings) - 1, int(len(timings) * 0.99))] / 1000,
        "mean_us": statistics.fmean(timings) / 1000,
        "mean_chars": statistics.fmean(len(text) for text in corpus),
        "messages": float(len(timings)),
    }


def _load_package(folder: str, name: str = "moderation_against") -> ModuleType:
    """Import the package in `folder` under another name (its imports are relative)."""
    spec = importlib.util.spec_from_file_location(
        name, Path(folder) / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"no package in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compare(folder: str, seconds: float) -> dict[str, float]:
    """Alternate whole corpus passes of this package and of the one in `folder` for about `seconds`.

    Returns the best and median messages/s of each (CPU time) and their ratios (this / other).
    """
    corpus = build_corpus()
    checks: dict[str, Callable[[str], object]] = {
        "this": Moderator().check,
        "other": _load_package(folder).Moderator().check,
    }
    for check in checks.values():
        for text in corpus:  # warm: fold tables, lazily compiled patterns, memos
            check(text)
    rates: dict[str, list[float]] = {name: [] for name in checks}
    deadline = time.perf_counter() + max(seconds, 0.01)
    while time.perf_counter() < deadline or not rates["other"]:
        for name, check in checks.items():
            started = time.process_time()
            for text in corpus:
                check(text)
            rates[name].append(len(corpus) / max(time.process_time() - started, 1e-9))
    out: dict[str, float] = {}
    for name, values in rates.items():
        out[f"{name}_best"] = max(values)
        out[f"{name}_median"] = statistics.median(values)
    out["ratio_best"] = out["this_best"] / out["other_best"]
    out["ratio_median"] = out["this_median"] / out["other_median"]
    out["passes"] = float(len(rates["this"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="total measuring time (default 10)")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON to OUT")
    parser.add_argument("--against", metavar="DIR", help="compare with the moderation package in DIR instead")
    args = parser.parse_args(argv)
    if args.against:
        found = compare(args.against, args.seconds)
        print(f"moderation benchmark - this package against {args.against}, alternating passes, CPU time")
        print(f"{'':>8} {'best msg/s':>12} {'median msg/s':>13}")
        for name in ("this", "other"):
            print(f"{name:>8} {found[name + '_best']:>12,.0f} {found[name + '_median']:>13,.0f}")
        print(f"{'ratio':>8} {found['ratio_best']:>12.3f} {found['ratio_median']:>13.3f}"
              f"   ({found['passes']:.0f} passes of {len(build_corpus())} messages each)")
        if args.json:
            Path(args.json).write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        return 0
    result = run(args.seconds)
    print(f"moderation benchmark - Python {platform.python_version()} on {platform.machine()}, one core")
    print(f"{'messages/s':>14} {'median µs':>10} {'p99 µs':>10} {'mean µs':>10} {'avg chars':>10}")
    print(
        f"{result['messages_per_second']:>14,.0f} {result['median_us']:>10.1f} {result['p99_us']:>10.1f} "
        f"{result['mean_us']:>10.1f} {result['mean_chars']:>10.0f}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
