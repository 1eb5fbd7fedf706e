"""The search page's query at scale: ``python -m bench.search_bench [--articles N] [--no-write]``.

For words of the bench network's text by how many articles share them (the commonest, about 1% and about
0.1% of the network), the site's search page query is timed in process, as the site runs it: the page cut
in the database (``site_search_articles``, what the page asks now) against the whole match set ranked and
snippeted before the outer limit (``search_articles`` with the site as a filter, what it asked before), and
against the same SQL as ``site_search_articles`` run straight on the driver (the floor). Medians of
interleaved runs; ratios are what to compare, the machine being shared.
"""

from __future__ import annotations

import argparse
import collections
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench import data
from bench.machine import describe_machine
from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.sqlite_functions import register_sqlite_functions
from qapress.store import migrate, open_engine

ROOT = Path(__file__).resolve().parents[1]
SITE = 7
PAGE = 11  # ten hits and one more, to know whether a next page exists

BEFORE = """query($q: String!, $site: Int!, $limit: Int!, $offset: Int!) {
  hits: search_articles(args: {query: $q}, where: {domain: {_eq: $site}},
    order_by: [{rank: asc}, {id: desc}], limit: $limit, offset: $offset) { id domain title slug lead date snippet }
}"""
NOW = """query($q: String!, $site: Int!, $limit: Int!, $offset: Int!) {
  hits: site_search_articles(args: {query: $q, domain: $site, limit: $limit, offset: $offset},
    order_by: [{rank: asc}, {id: desc}], limit: $limit) { id domain title slug lead date snippet }
}"""


@dataclass(frozen=True)
class Word:
    text: str
    matches: int


def words_by_share(engine: sa.Engine, articles: int, sample: int = 300) -> list[Word]:
    """The commonest word of a sample of texts, and words near 1% and 0.1% of the network, with counts."""
    rng = random.Random(11)
    ids = rng.sample(range(1, articles + 1), min(sample, articles))
    with engine.connect() as connection:
        texts = connection.execute(
            sa.text("SELECT text FROM qa_ai WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        ).scalars()
        seen = collections.Counter(w for t in texts for w in set(str(t).lower().replace(".", " ").split()))
    chosen: list[Word] = []
    for share in (1.0, 0.01, 0.001):
        target = share * len(ids)
        for text in sorted(seen, key=lambda w: (abs(seen[w] - target), w)):
            matches = count_matches(engine, text)  # 0 for a stop word
            if matches:
                chosen.append(Word(text, matches))
                break
    return chosen


def count_matches(engine: sa.Engine, word: str) -> int:
    sql = (
        "SELECT count(*) FROM qa_ai_fts WHERE qa_ai_fts MATCH websearch_to_fts5(:q)"
        if engine.dialect.name == "sqlite"
        else "SELECT count(*) FROM qa_ai_search WHERE vector @@ qapress_search_query(:q)"
    )
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            register_sqlite_functions(connection.connection.driver_connection)
        return int(connection.execute(sa.text(sql), {"q": word}).scalar_one())


def floor_sql(dialect: str) -> str:
    """``site_search_articles``'s own code, its placeholders as bound parameters."""
    for native in qapress_metadata().native_queries:
        if native.root_field_name == "site_search_articles":
            code = native.code[dialect] if isinstance(native.code, dict) else native.code
            for name in ("query", "domain", "limit", "offset"):
                code = code.replace("{{" + name + "}}", f":{name}")
            return code
    raise LookupError("site_search_articles")


def median_ms(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def time_word(
    gql: GraphQLEngine,
    connection: sa.Connection,
    floor: sa.TextClause,
    variables: dict[str, object],
    floor_args: dict[str, object],
    repeats: int,
) -> tuple[float, float, float]:
    """Median ms of the query before, now and of the floor, over three interleaved rounds."""
    runs: dict[str, Callable[[], object]] = {
        "before": lambda: gql.execute_bytes(BEFORE, variables, None, role="anonymous"),
        "now": lambda: gql.execute_bytes(NOW, variables, None, role="anonymous"),
        "floor": lambda: connection.execute(floor, floor_args).all(),
    }
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(3):
        for name, run in runs.items():
            timings[name].append(median_ms(run, repeats))
    before, now, low = (statistics.median(timings[name]) for name in runs)
    return before, now, low


def bench_backend(network: data.Network, repeats: int) -> list[str]:
    engine = open_engine(network.url)
    migrate(engine)
    gql = GraphQLEngine(engine, qapress_metadata())
    floor = sa.text(floor_sql(engine.dialect.name))
    rows = [f"**{network.backend}**, {network.articles:,} articles, site {SITE}, page 1:", ""]
    rows += ["| word | matches | before (ms) | now (ms) | floor (ms) | before ÷ now | now ÷ floor |"]
    rows += ["|---|---:|---:|---:|---:|---:|---:|"]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            register_sqlite_functions(connection.connection.driver_connection)
        for word in words_by_share(engine, network.articles):
            variables = {"q": word.text, "site": SITE, "limit": PAGE, "offset": 0}
            floor_args = {"query": word.text, "domain": SITE, "limit": PAGE, "offset": 0}
            before_ids = [
                h["id"] for h in gql.execute(BEFORE, variables, None, role="anonymous")["data"]["hits"]
            ]
            now_ids = [h["id"] for h in gql.execute(NOW, variables, None, role="anonymous")["data"]["hits"]]
            assert before_ids == now_ids, (word, before_ids, now_ids)
            before, now, low = time_word(gql, connection, floor, variables, floor_args, repeats)
            rows.append(
                f"| `{word.text}` | {word.matches:,} | {before:.1f} | {now:.1f} | {low:.1f} "
                f"| {before / now:.1f}x | {now / low:.2f}x |"
            )
    gql.close()
    engine.dispose()
    return [*rows, ""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    machine = describe_machine()
    lines = [
        f"## The search page at scale (`python -m bench.search_bench`, {machine.date})",
        "",
        f"Machine: {machine.cores} cores, {machine.cpu_model}, load {machine.load}; SQLite {machine.sqlite}, "
        f"PostgreSQL {machine.postgresql}. Medians of {args.repeats} runs in each of 3 interleaved rounds.",
        "",
    ]
    for backend in args.backends:
        lines += bench_backend(data.ensure(args.articles, backend), args.repeats)
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
