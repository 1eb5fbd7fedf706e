"""Timing side by side: every contender in turn, in interleaved rounds, so a busy moment hits all alike."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

from bench.contender import Contender, Variables


@dataclass
class Sample:
    """The per-call times of one contender, in microseconds, or why it did not run."""

    contender: Contender
    micros: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return percentile(self.micros, 50)

    @property
    def p99(self) -> float:
        return percentile(self.micros, 99)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(min(rank, len(ordered))) - 1]


def time_side_by_side(
    contenders: list[Contender],
    variables: list[Variables],
    *,
    seconds_each: float,
    rounds: int = 5,
    min_calls: int = 15,
    max_calls: int = 100_000,
) -> list[Sample]:
    """About ``seconds_each`` of calls per contender, split over ``rounds`` interleaved rounds.

    A contender that raises is recorded with its error and left out of later rounds.
    """
    samples = [Sample(c) for c in contenders]
    budget = seconds_each / rounds
    clock = time.perf_counter_ns
    for sample in samples:  # warm-up: caches, prepared statements, plan caches
        try:
            for v in variables[:10]:
                sample.contender.run(v)
        except Exception as exc:
            sample.error = f"{type(exc).__name__}: {exc}"
    gc.collect()
    for _ in range(rounds):
        for sample in samples:
            if sample.error is not None:
                continue
            run = sample.contender.run
            out = sample.micros
            started = clock()
            calls = 0
            index = len(out)
            try:
                while calls < max_calls // rounds and (
                    calls < min_calls // rounds + 1 or clock() - started < budget * 1e9
                ):
                    v = variables[index % len(variables)]
                    t0 = clock()
                    run(v)
                    out.append((clock() - t0) / 1000)
                    calls += 1
                    index += 1
            except Exception as exc:
                sample.error = f"{type(exc).__name__}: {exc}"
    return samples
