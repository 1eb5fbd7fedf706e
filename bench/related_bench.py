"""Precision of the "Related" block on a labelled set: ``python -m bench.related_bench [--no-write]``.

``bench/related/articles.jsonl`` holds 60 short articles written for this bench (12 stories told from
several sides, with words shared across stories on purpose); ``related.txt`` marks by hand which ones are
related. Each article's related block (the ``related_articles`` native query, as the article page runs it)
is compared with its marked set: precision at 1 and at 3, on SQLite and PostgreSQL. The lists are computed
after the load, as ``qapress worker`` computes an import's (``qapress.related``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.store import migrate, open_engine
from qapress.store.schema import domain, qa_ai

HERE = Path(__file__).resolve().parent / "related"
ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("QAPRESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
QUERY = "query($id: Int!) { related_articles(args: {id: $id}, order_by: [{rank: asc}, {id: asc}], limit: 3) { id } }"
BLOCK = 3


def load_labels(path: Path = HERE / "related.txt") -> dict[int, set[int]]:
    related: dict[int, set[int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ids = [int(x) for x in line.split()]
        for a in ids:
            related.setdefault(a, set()).update(b for b in ids if b != a)
    return related


def load_articles(engine: sa.Engine, path: Path = HERE / "articles.jsonl") -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with engine.begin() as connection:
        connection.execute(sa.insert(domain).values(id=1, host="bench.localhost", name="Bench"))
        connection.execute(
            sa.insert(qa_ai),
            [
                {"id": r["id"], "domain": 1, "title": r["title"], "slug": "a", "text": r["text"], "lead": ""}
                for r in rows
            ],
        )


@dataclass(frozen=True)
class Precision:
    backend: str
    articles: int
    at_1: float
    at_3: float


def compute_lists(engine: sa.Engine) -> None:
    """The stored lists, as ``qapress worker`` computes them after an import (the insert queued them)."""
    from qapress.related.queue import RelatedWorker

    RelatedWorker(engine).run_once(limit=None)


def measure(engine: sa.Engine, labels: dict[int, set[int]]) -> Precision:
    compute_lists(engine)
    gql = GraphQLEngine(engine, qapress_metadata())
    try:
        first_hits = block_hits = 0
        for article_id, marked in sorted(labels.items()):
            result = gql.execute(QUERY, {"id": article_id}, role="anonymous")
            assert "errors" not in result, result
            shown = [row["id"] for row in result["data"]["related_articles"]]
            first_hits += bool(shown) and shown[0] in marked
            block_hits += sum(1 for i in shown if i in marked)
    finally:
        gql.close()
    n = len(labels)
    return Precision(engine.dialect.name, n, first_hits / n, block_hits / (BLOCK * n))


def newest_baseline(labels: dict[int, set[int]]) -> Precision:
    """The seed's rule for its "Related links" (the site's newest other articles), for comparison."""
    ids = sorted(labels, reverse=True)
    first_hits = block_hits = 0
    for article_id, marked in labels.items():
        shown = [i for i in ids if i != article_id][:BLOCK]
        first_hits += shown[0] in marked
        block_hits += sum(1 for i in shown if i in marked)
    n = len(labels)
    return Precision("newest 3 (the seed's rule)", n, first_hits / n, block_hits / (BLOCK * n))


def run_sqlite(labels: dict[int, set[int]]) -> Precision:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_engine(f"sqlite:///{folder}/related.db")
        migrate(engine)
        load_articles(engine)
        try:
            return measure(engine, labels)
        finally:
            engine.dispose()


def run_postgresql(labels: dict[int, set[int]]) -> Precision:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = "qapress_bench_related"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine = open_engine(sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False))
    try:
        migrate(engine)
        load_articles(engine)
        return measure(engine, labels)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


def report(results: list[Precision]) -> str:
    lines = [
        "| related block | labelled articles | precision@1 | precision@3 |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {r.backend} | {r.articles} | {r.at_1:.2f} | {r.at_3:.2f} |" for r in results]
    return "\n".join(lines)


SECTION = "## Related articles"


def section(table: str) -> str:
    intro = (
        'The article page\'s "Related articles" block (the `related_articles` native query, 3 shown) on 60 short\n'
        "articles written for this bench, 12 stories told from several sides with words shared across stories;\n"
        "`bench/related/related.txt` marks by hand which are related (`python -m bench.related_bench`)."
    )
    return f"{SECTION}\n\n{intro}\n\n{table}\n"


def write(text: str, benchmarks: Path = ROOT / "BENCHMARKS.md") -> None:
    """Keep the section for ``python -m bench``'s report, and put it into BENCHMARKS.md now."""
    (HERE / "results.md").write_text(text, encoding="utf-8")
    current = benchmarks.read_text(encoding="utf-8")
    if SECTION in current:
        start = current.index(SECTION)
        end = current.find("\n## ", start + len(SECTION))
        current = current[:start] + text + (current[end:] if end >= 0 else "")
    else:
        at = current.index("## Notes")
        current = current[:at] + text + "\n" + current[at:]
    benchmarks.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.related_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    labels = load_labels()
    runners = {"sqlite": run_sqlite, "postgresql": run_postgresql}
    table = report([runners[b](labels) for b in args.backends] + [newest_baseline(labels)])
    print(table)
    if not args.no_write:
        write(section(table))


if __name__ == "__main__":
    main()
