"""``python -m bench.related_backlog``: how fast ``qapress worker`` works through queued related lists.

An import queues a list for every article it adds (``qapress.related``); until the worker has computed an
article's list its page shows no "Related" block. This times one worker's pass over a run of the bench
network's published articles (``bench/data.py``, ids drawn at random), each list computed and stored in its
own transaction as the worker does (``lists.refresh``), with one computer kept for the whole pass as the
worker keeps one: the first lists pay for the computer's caches (word counts; on SQLite the words' stems),
the rest show the rate a long backlog is worked through. Nothing is written to BENCHMARKS.md by this
module; medians of one run on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench import data
from bench.machine import describe_machine

#: Lists counted as the pass's start (its caches filling); the rest are its steady rate.
WARMING = 100


def one_pass(backend: str, articles: int, lists: int) -> tuple[list[float], int]:
    """Seconds per list over one pass of ``lists`` articles, and how many came out non-empty."""
    from qapress.related.compute import RelatedComputer
    from qapress.related.lists import refresh
    from qapress.store import open_engine

    network = data.ensure(articles, backend)
    engine = open_engine(network.url)
    try:
        with engine.connect() as connection:
            published = [
                int(i)
                for i in connection.exec_driver_sql(
                    "SELECT id FROM qa_ai WHERE status = 'published' ORDER BY id"
                ).scalars()
            ]
        chosen = random.Random(15).sample(published, min(lists, len(published)))
        computer = RelatedComputer()
        times: list[float] = []
        filled = 0
        for article_id in chosen:
            with engine.begin() as connection:
                start = time.perf_counter()
                done = refresh(connection, computer, article_id)
                times.append(time.perf_counter() - start)
            filled += bool(done.related)
        return times, filled
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.related_backlog", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--lists", type=int, default=400, help="lists computed in the pass")
    args = parser.parse_args(argv)
    print("\n".join(describe_machine().lines()))
    print(
        "| network | backend | first lists (median ms) | then (median ms) | lists/s then, one worker |"
        " non-empty |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for backend in args.backends:
        times, filled = one_pass(backend, args.articles, args.lists)
        first, rest = times[:WARMING], times[WARMING:] or times
        steady = statistics.median(rest)
        print(
            f"| {args.articles:,} articles | {backend} | {statistics.median(first) * 1000:.1f} |"
            f" {steady * 1000:.1f} | {1 / steady:.0f} | {filled} of {len(times)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
