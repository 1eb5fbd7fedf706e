"""What naming the cache tags of an anonymous GET answer costs, beside running the query, in process.

For the seed page query over the bench network (200 random articles' variables), interleaved per call: the
plan run by the engine (``gql.run``: binding, the database, the answer's bytes) and the tags hook
(``qapress.site.graphql_tags.graphql_answer_tags``: its reads resolved, the shown ids read from the answer).
Prints the medians and their ratio; the HTTP side (GET against POST and the floor) is ``python -m bench
endpoint``'s.
"""

from __future__ import annotations

import argparse
import time

from bench import data
from bench.seed import random_variables, seed_query
from bench.timing import percentile
from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.site.graphql_tags import graphql_answer_tags
from qapress.store import open_engine

ANONYMOUS = {"x-hasura-role": "anonymous"}


def measure(network: data.Network, rounds: int) -> tuple[float, float, list[str]]:
    """Median µs of the run and of the tags hook, and the tags of the first answer."""
    engine = open_engine(network.url)
    gql = GraphQLEngine(engine, qapress_metadata())
    try:
        query = seed_query()
        prepared = [
            gql.prepare(query, v, None, "anonymous", dict(ANONYMOUS)) for v in random_variables(network, 200)
        ]
        runs: list[float] = []
        hooks: list[float] = []
        example: list[str] = []
        for _ in range(rounds):
            for item in prepared:
                assert item.plan is not None
                started = time.perf_counter()
                body = gql.run(item)
                ran = time.perf_counter()
                tags = graphql_answer_tags(item.plan, item.variables, body)
                done = time.perf_counter()
                runs.append((ran - started) * 1e6)
                hooks.append((done - ran) * 1e6)
                if not example and tags is not None:
                    example = tags
        return percentile(runs, 50), percentile(hooks, 50), example
    finally:
        gql.close()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench graphql-tags")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    for backend in args.backends:
        network = data.ensure(args.articles, backend, data.DATA_DIR)
        run, hook, tags = measure(network, args.rounds)
        print(
            f"{backend}: run {run:.1f} µs, tags {hook:.1f} µs (median): tags / run {hook / run:.3f}; e.g. {' '.join(tags)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
