"""``python -m bench.related_scale``: the "Related" block's query time at 100k and 1M articles, SQLite and PostgreSQL.

The network is ``bench/scale_data.py``'s (Zipf vocabulary, 200 sites), loaded straight into a migrated store
(SQLite: ``executemany`` with the search index's trigger on and the cache-tag and IndexNow triggers dropped,
as no page cache or search engine listens to this bench; PostgreSQL: ``COPY`` with triggers off, the GIN
index kept). Kept between runs in a temporary folder and a ``qapress_bench_related_<n>`` database
(``--clean`` drops them). For a sample of articles it measures, in one run:

- the article page's ``similar`` field as the page runs it (``related_articles``, 4 of the site's), through
  the GraphQL engine as the anonymous role: before (the old full-text query over the network, kept here as
  ``LEGACY_SQL``) and after (the stored list);
- computing one article's stored list (``qapress.related.compute``): the bounded cost a publish pays.

Medians and ratios of the same run; the machine is shared, absolute times are this run's only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from bench import scale_data

DATA_DIR = Path(tempfile.gettempdir()) / "qapress-related-scale"
PG_ADMIN_URL = os.environ.get("QAPRESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
COLUMNS = ("id", "domain", "title", "slug", "text", "lead", "date", "status")
BATCH = 5_000


def rows(articles: int) -> Iterator[tuple[object, ...]]:
    for line in scale_data.lines(articles):
        record = json.loads(line)
        yield (
            record["id"],
            record["domain"],
            record["title"],
            scale_data.slugify(record["title"]),
            record["text"],
            record["lead"],
            record["date"],
            "published",
        )


def pg_url(articles: int) -> str:
    name = f"qapress_bench_related_{articles}"
    return sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def sqlite_path(articles: int) -> Path:
    return DATA_DIR / str(articles) / "network.db"


def _add_sites(connection: sa.Connection, sites: int) -> None:
    from qapress.store.schema import domain

    connection.execute(
        sa.insert(domain),
        [{"id": i, "host": scale_data.host(i), "name": f"Site {i}"} for i in range(1, sites + 1)],
    )


def build_sqlite(articles: int) -> None:
    from qapress.store import migrate, open_engine

    path = sqlite_path(articles)
    done = path.with_suffix(".done")
    if done.exists():
        return
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir(parents=True)
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as connection:
        _add_sites(connection, scale_data.SITES)
    engine.dispose()
    db = sqlite3.connect(path)
    for name in ("cache_tags_qa_ai_insert", "qa_ai_indexnow_insert"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    insert = f"INSERT INTO qa_ai ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    batch: list[tuple[object, ...]] = []
    for row in rows(articles):
        batch.append(row)
        if len(batch) >= BATCH:
            db.executemany(insert, batch)
            db.commit()
            batch.clear()
    db.executemany(insert, batch)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    done.touch()


def build_postgresql(articles: int) -> None:
    from qapress.store import migrate, open_engine

    url = pg_url(articles)
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %(n)s", {"n": name}
        ).first()
        if exists is not None and exists[0] == "loaded":
            admin.dispose()
            return
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine = open_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        _add_sites(connection, scale_data.SITES)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")  # no triggers: no tag log, no pings
        with cursor.copy(f"COPY qa_ai ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows(articles):
                copy.write_row(row)
        raw.commit()
        cursor.execute("ANALYZE qa_ai")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"COMMENT ON DATABASE {name} IS 'loaded'")
    admin.dispose()


def clean(articles: int) -> None:
    shutil.rmtree(DATA_DIR / str(articles), ignore_errors=True)
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS qapress_bench_related_{articles}")
    admin.dispose()


#: The block's query before migration 0013: a full-text "more like this" over the network at request time.
LEGACY_SQL = {
    "sqlite": (
        "SELECT a.id, a.domain, a.title, a.slug, a.status, bm25(qa_ai_fts, 10.0, 4.0, 1.0) AS rank "
        "FROM qa_ai_fts JOIN qa_ai AS a ON a.id = qa_ai_fts.rowid "
        "WHERE qa_ai_fts MATCH coalesce((SELECT fts5_more_like_this(s.title, s.lead || ' ' || s.text) "
        "FROM qa_ai AS s WHERE s.id = :id), '\"\"') AND a.id <> :id"
    ),
    "postgresql": (
        "SELECT a.id, a.domain, a.title, a.slug, a.status, "
        "-ts_rank(qapress_search_vector(a.title, a.lead, a.text), q.q)::float8 AS rank "
        "FROM qa_ai AS a, (SELECT qapress_more_like_this(s.title, s.lead || ' ' || s.text) AS q "
        "FROM qa_ai AS s WHERE s.id = :id OFFSET 0) AS q "
        "WHERE qapress_search_vector(a.title, a.lead, a.text) @@ q.q AND a.id <> :id"
    ),
}
#: The block's query now: the ``related_articles`` native query (engine/qapress_metadata.yaml).
STORED_SQL = (
    "SELECT a.id, a.domain, a.title, a.slug, a.status, CAST(r.rank AS FLOAT) AS rank "
    "FROM article_related AS r JOIN qa_ai AS a ON a.id = r.related_id WHERE r.article_id = :id"
)
#: What the page wraps around it: its site, published only (the anonymous role), best 4.
PAGE_SQL = (
    "SELECT id, title, slug, domain FROM ({inner}) AS r WHERE domain = :domain AND status = 'published' "
    "ORDER BY rank, id DESC LIMIT 4"
)
SAMPLE = 30
#: The page's ``similar`` field alone (site/templates/article.graphql), through the GraphQL engine.
SIMILAR = (
    "query($id: Int!, $domain: Int!) { similar: related_articles(args: {id: $id}, where: {domain: {_eq: $domain}},"
    " order_by: [{rank: asc}, {id: desc}], limit: 4) { id title slug domain } }"
)


def url_of(backend: str, articles: int) -> str:
    return f"sqlite:///{sqlite_path(articles)}" if backend == "sqlite" else pg_url(articles)


def measure(backend: str, articles: int, sample: int = SAMPLE) -> dict[str, float]:
    """Medians (ms) over ``sample`` articles of the block's query before and after, and of computing a list."""
    from qapress.related.compute import RelatedComputer
    from qapress.related.lists import refresh
    from qapress.store import migrate, open_engine

    engine = open_engine(url_of(backend, articles))
    migrate(engine)
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE qa_ai")  # autovacuum's work on a served store
    ids = random.Random(15).sample(range(1, articles + 1), sample)
    computer = RelatedComputer()
    before, after, compute = [], [], []
    legacy = sa.text(PAGE_SQL.format(inner=LEGACY_SQL[backend]))
    stored = sa.text(PAGE_SQL.format(inner=STORED_SQL))
    from qapress.engine import GraphQLEngine, qapress_metadata

    gql = GraphQLEngine(engine, qapress_metadata())
    through_engine = []
    overlap = 0
    for article_id in ids:
        site = scale_data.site_of(article_id)
        with engine.begin() as connection:
            start = time.perf_counter()
            refresh(connection, computer, article_id)
            compute.append(time.perf_counter() - start)
        with engine.connect() as connection:
            start = time.perf_counter()
            old = connection.execute(legacy, {"id": article_id, "domain": site}).all()
            before.append(time.perf_counter() - start)
            start = time.perf_counter()
            new = connection.execute(stored, {"id": article_id, "domain": site}).all()
            after.append(time.perf_counter() - start)
        overlap += len({r.id for r in old} & {r.id for r in new})
        start = time.perf_counter()
        answer = gql.execute(SIMILAR, {"id": article_id, "domain": site}, role="anonymous")
        through_engine.append(time.perf_counter() - start)
        assert [row["id"] for row in answer["data"]["similar"]] == [r.id for r in new], answer
    gql.close()
    engine.dispose()
    return {
        "before_ms": median_ms(before),
        "after_ms": median_ms(after),
        "after_graphql_ms": median_ms(through_engine),
        "compute_ms": median_ms(compute),
        "compute_max_ms": max(compute) * 1000,
        "shared_with_before": overlap / (4 * sample),
    }


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def render(results: list[tuple[str, int, dict[str, float]]]) -> str:
    lines = [
        "| network | backend | block query before (median) | after (median) | before ÷ after |"
        " after, the page's field through the engine | computing one list (median / max) |"
        " top 4 shared with before |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for backend, n, r in results:
        lines.append(
            f"| {n:,} articles | {backend} | {r['before_ms']:.1f} ms | {r['after_ms']:.2f} ms |"
            f" {r['before_ms'] / r['after_ms']:.0f}x | {r['after_graphql_ms']:.2f} ms |"
            f" {r['compute_ms']:.0f} / {r['compute_max_ms']:.0f} ms |"
            f" {r['shared_with_before']:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.related_scale", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="articles measured per network")
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args(argv)
    results = []
    for n in args.articles:
        if args.clean:
            clean(n)
            continue
        for backend in args.backends:
            start = time.monotonic()
            (build_sqlite if backend == "sqlite" else build_postgresql)(n)
            print(f"[related-scale] {backend} {n:,} built in {time.monotonic() - start:.0f} s", flush=True)
            if not args.build_only:
                results.append((backend, n, measure(backend, n, args.sample)))
                print(f"[related-scale] {results[-1]}", flush=True)
    if results:
        print(render(results))


if __name__ == "__main__":
    main()
