"""The run's figures as Markdown: printed to the terminal and written to BENCHMARKS.md.

Times appear as medians and p99 over many calls, next to ratios (engine/floor, peer/engine); never as
single absolute timings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from bench.machine import Machine
from bench.pages import LoadResult
from bench.query_bench import QueryResult

#: A fixed-bytes floor this slow at its median is waiting on the network stack, not working (see Notes).
STALL_MS = 38.0

TARGETS = {
    "engine_floor_sqlite": 1.5,
    "engine_floor_pg": 2.0,
    "peer_engine": 10.0,
    "page_floor_share": 0.5,
    "growth": 1.3,
}


@dataclass
class Run:
    machine: Machine
    quick: bool
    role: str
    queries: list[QueryResult] = field(default_factory=list)
    pages: list[LoadResult] = field(default_factory=list)
    pages_network: str = ""
    links: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _n(value: float, digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def _ratio(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}x"


def label(result: QueryResult) -> str:
    bodies = ", short bodies" if result.network.short_bodies else ""
    backend = "SQLite" if result.network.backend == "sqlite" else "PostgreSQL"
    return f"{result.network.articles:,} articles on {backend}{bodies}"


def query_table(result: QueryResult) -> list[str]:
    floor = result.floor
    engine = result.engine
    lines = [
        f"### {label(result)}",
        "",
        "| contender | median µs | p99 µs | calls | ÷ floor median | ÷ engine median |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for sample in result.samples:
        name = sample.contender.name + (" **(the floor)**" if sample is floor else "")
        if sample.error is not None or not sample.micros:
            lines.append(f"| {name} | {sample.error or 'no calls'} | | | | |")
            continue
        vs_floor = sample.median / floor.median if floor else float("nan")
        vs_engine = sample.median / engine.median if engine and sample is not engine else float("nan")
        lines.append(
            f"| {name} | {_n(sample.median, 1)} | {_n(sample.p99, 1)} | {len(sample.micros):,} | "
            f"{_ratio(vs_floor)} | {_ratio(vs_engine)} |"
        )
    for problem in result.mismatches:
        lines.append(f"\n**Mismatch:** {problem}")
    return [*lines, ""]


def _find(results: list[QueryResult], backend: str, articles: int | None = None) -> QueryResult | None:
    matching = [r for r in results if r.network.backend == backend]
    if articles is not None:
        matching = [r for r in matching if r.network.articles == articles]
    return max(matching, key=lambda r: r.network.articles) if matching else None


def _verdict(ok: bool | None) -> str:
    return "not yet measured" if ok is None else ("met" if ok else "**missed**")


def targets(run: Run) -> list[str]:
    lines = ["| target | measured | verdict |", "| --- | --- | --- |"]
    for backend, key, name in (
        ("sqlite", "engine_floor_sqlite", "SQLite"),
        ("postgresql", "engine_floor_pg", "PostgreSQL"),
    ):
        limit = TARGETS[key]
        result = _find(run.queries, backend, 1_000_000) or _find(run.queries, backend)
        measured, ok = "–", None
        if result and result.engine and result.floor:
            value = result.engine.median / result.floor.median
            measured, ok = f"{value:.2f}x at {result.network.articles:,}", value <= limit
        lines.append(f"| engine ÷ floor (median) on {name} ≤ {limit}x at 1M | {measured} | {_verdict(ok)} |")
    # The peers as a server runs them (parse and validate each request); the pre-parsed graphql-core row
    # is a best case no server gets for arbitrary queries, shown for information.
    peers = (
        ("graphql-core, parse+validate per request", "graphql-core (per request)", True),
        ("strawberry-graphql", "strawberry (per request)", True),
        ("datasette-graphql", "datasette-graphql (nearest query)", True),
        ("graphql-core, pre-parsed", "graphql-core with a pre-parsed document (for information)", False),
    )
    for prefix, title, is_target in peers:
        for backend in ("sqlite", "postgresql"):
            result = _find(run.queries, backend, 1_000_000) or _find(run.queries, backend)
            found = (
                [s for s in result.by_role("peer") if s.contender.name.startswith(prefix)] if result else []
            )
            if not found and backend == "postgresql":
                continue
            measured, ok = "–", None
            if result and result.engine and found:
                value = found[0].median / result.engine.median
                measured = f"{value:.1f}x on {backend} at {result.network.articles:,}"
                ok = value >= TARGETS["peer_engine"] if is_target else None
            goal = f" ≥ {TARGETS['peer_engine']:.0f}x" if is_target else ""
            verdict = _verdict(ok) if is_target else "no target"
            lines.append(f"| {title} ÷ engine{goal} | {measured} | {verdict} |")
    for workers in sorted({p.workers for p in run.pages if p.workers}):
        page = next(
            (p for p in run.pages if p.target == "article page" and p.workers == workers and p.ok), None
        )
        floor = next(
            (p for p in run.pages if p.target.startswith("server floor") and p.workers == workers and p.ok),
            None,
        )
        measured, ok = "–", None
        verdict = _verdict(None)
        if page and floor:
            share = page.rps / floor.rps
            measured, ok = f"{share:.0%}", share >= TARGETS["page_floor_share"]
            verdict = _verdict(ok)
            if floor.p50_ms >= STALL_MS:
                verdict = "inconclusive: the floor itself stalls (~44 ms p50, see Notes)"
        lines.append(
            f"| article page rps ≥ 50% of the fixed-bytes floor, {workers} worker(s) | {measured} | {verdict} |"
        )
    for backend in ("sqlite", "postgresql"):
        measured, ok = "–", None
        sizes = sorted(
            (r for r in run.queries if r.network.backend == backend and r.engine),
            key=lambda r: r.network.articles,
        )
        # Like with like: the largest network against the smallest with the same body length.
        if sizes:
            sizes = [r for r in sizes if r.network.short_bodies == sizes[-1].network.short_bodies]
        if len(sizes) >= 2 and sizes[-1].network.articles >= 10 * sizes[0].network.articles:
            first, last = sizes[0], sizes[-1]
            assert first.engine and last.engine
            value = last.engine.median / first.engine.median
            bodies = ", short bodies" if last.network.short_bodies else ""
            measured = f"{value:.2f}x ({first.network.articles:,} → {last.network.articles:,}{bodies})"
            ok = value <= TARGETS["growth"]
        lines.append(
            f"| growth of the engine's median 100k → 10M ≤ 1.3x on {backend} | {measured} | {_verdict(ok)} |"
        )
    return [*lines, ""]


def growth(run: Run) -> list[str]:
    lines = [
        "| network | engine median µs | floor median µs | engine ÷ floor |",
        "| --- | ---: | ---: | ---: |",
    ]
    for result in sorted(
        run.queries, key=lambda r: (r.network.backend, r.network.short_bodies, r.network.articles)
    ):
        engine, floor = result.engine, result.floor
        lines.append(
            f"| {label(result)} | {_n(engine.median, 1) if engine else 'not yet'} | "
            f"{_n(floor.median, 1) if floor else '–'} | "
            f"{_ratio(engine.median / floor.median) if engine and floor else '–'} |"
        )
    return [*lines, ""]


def pages_table(run: Run) -> list[str]:
    lines = [
        f"Network: {run.pages_network}. wrk, 2 threads, 32 connections.",
        "",
        "| target | workers | requests/s | p50 ms | p99 ms | peak RSS MB (all processes) | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in run.pages:
        lines.append(
            f"| {p.target} | {p.workers} | {_n(p.rps)} | {_n(p.p50_ms, 2)} | {_n(p.p99_ms, 2)} | "
            f"{_n(p.peak_rss_mb)} | {p.note} |"
        )
    return [*lines, ""]


def render(run: Run) -> str:
    sample_lines: list[str] = []
    for result in run.queries:
        sample_lines += query_table(result)
    mode = "quick (small data, short runs: figures are indicative only)" if run.quick else "full"
    parts = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (see `bench/`); re-run it to refresh this file.",
        "",
        *run.machine.lines(),
        f"- Mode: {mode}; the engine runs as role `{run.role}`",
        "- **Taken on a shared, busy machine** (2 cores shared with other jobs while this ran): read the"
        " ratios, which are measured side by side in one process, rather than the absolute figures.",
        "",
        "## Targets",
        "",
        *targets(run),
        "## The seed query, side by side",
        "",
        "The seed's `page-query.graphql` with variables of random existing articles (the seed's shape:",
        "`hasSelf` on, `hasSrc` off). All contenders run in one process, in interleaved rounds; every answer",
        "is first checked against the floor's. The floor is the faster of its two shapes.",
        "",
        *sample_lines,
        "## Growth",
        "",
        *growth(run),
        "## Pages",
        "",
        *pages_table(run),
        "## Links",
        "",
        "One `LinkWorker.run_once` checking pending links against local pages on 127.0.0.1 (reached through"
        " the fetcher's allow-list); one page in ten has no backlink.",
        "",
        *(run.links or ["not measured in this run."]),
        "",
        *_related_precision(),
        "## Notes",
        "",
        *[f"- {note}" for note in run.notes],
        "",
        *_missed_targets(),
    ]
    return "\n".join(parts)


def _related_precision() -> list[str]:
    """The "Related articles" precision section, as ``python -m bench.related_bench`` last wrote it."""
    path = Path(__file__).parent / "related" / "results.md"
    return [path.read_text(encoding="utf-8"), ""] if path.exists() else []


def _missed_targets() -> list[str]:
    """The hand-written analysis of missed targets (``bench/missed.md``), which a run cannot produce itself."""
    path = Path(__file__).with_name("missed.md")
    return [path.read_text(encoding="utf-8")] if path.exists() else []
