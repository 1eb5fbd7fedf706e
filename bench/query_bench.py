"""The seed query on one network: every contender built, cross-checked against the floor, then timed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from bench.contender import Contender, skipped
from bench.data import Network
from bench.datasette_peer import datasette_peer
from bench.floor import floors
from bench.peers import graphql_core_peers
from bench.qapress_engine import engine_contenders
from bench.seed import random_variables, seed_query
from bench.strawberry_peer import strawberry_peer
from bench.timing import Sample, time_side_by_side


@dataclass
class QueryResult:
    network: Network
    samples: list[Sample]
    mismatches: list[str] = field(default_factory=list)

    def by_role(self, role: str) -> list[Sample]:
        return [s for s in self.samples if s.contender.role == role and s.error is None and s.micros]

    @property
    def floor(self) -> Sample | None:
        """The faster of the floor shapes, by median."""
        candidates = self.by_role("floor")
        return min(candidates, key=lambda s: s.median) if candidates else None

    @property
    def engine(self) -> Sample | None:
        candidates = self.by_role("engine")
        return candidates[0] if candidates else None


def build_contenders(network: Network, role: str) -> list[Contender]:
    published_only = role != "admin"
    query = seed_query()
    contenders: list[Contender] = [*engine_contenders(network, query, role), *floors(network, published_only)]
    contenders += graphql_core_peers(network, published_only, query)
    contenders.append(
        _guarded("strawberry-graphql, per request", lambda: strawberry_peer(network, published_only, query))
    )
    if network.backend == "sqlite":
        contenders.append(
            _guarded("datasette-graphql, nearest query", lambda: datasette_peer(network, published_only))
        )
    return contenders


def _guarded(name: str, make: Callable[[], Contender]) -> Contender:
    try:
        return make()
    except ImportError as exc:
        return skipped(name, "peer", f"not installed: {exc}")


def cross_check(contenders: list[Contender], variables: list[dict[str, object]]) -> list[str]:
    """Every contender must answer what the three-statement floor answers; returns the disagreements."""
    reference_contender = next(c for c in contenders if c.role == "floor")
    problems: list[str] = []
    for v in variables:
        expected = orjson.loads(reference_contender.run(v))
        for contender in contenders:
            if not contender.available:
                continue
            try:
                got = contender.normalize(orjson.loads(contender.run(v)))
            except Exception as exc:
                problems.append(f"{contender.name}: {type(exc).__name__}: {exc}")
                continue
            if got != contender.reference(expected):
                problems.append(
                    f"{contender.name}: answer differs from the floor's for {v}: {str(got)[:300]}"
                )
    return problems


def bench_network(
    network: Network, *, role: str, seconds_each: float, variable_count: int = 200
) -> QueryResult:
    variables = random_variables(network, variable_count)
    contenders = build_contenders(network, role)
    try:
        mismatches = cross_check(contenders, variables[:5])
        broken = {p.split(":", 1)[0] for p in mismatches}
        for contender in contenders:
            if contender.name in broken:
                contender.note = "answer differs from the floor's (see below)"
        samples = time_side_by_side(
            [c for c in contenders if c.available], variables, seconds_each=seconds_each
        )
        samples += [Sample(c, error=c.note) for c in contenders if not c.available]
        order = {c.name: i for i, c in enumerate(contenders)}
        samples.sort(key=lambda s: order[s.contender.name])
    finally:
        for contender in contenders:
            contender.close()
    return QueryResult(network, samples, mismatches)
