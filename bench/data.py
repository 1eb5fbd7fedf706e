"""Synthetic networks of N articles over 50 domains, on SQLite and PostgreSQL, built in bulk and cached.

The schema is qapress's own (migrated through ``qapress.store``), so the engine runs on it unchanged.
Rows are made from slices of one pseudo-text blob: deterministic, cheap, and never one row at a time
(SQLite: ``executemany`` in big transactions with journal and sync off; PostgreSQL: ``COPY``).

A finished set is published atomically (SQLite: rename of the file; PostgreSQL: rename of the database
plus a comment naming the data version), so an interrupted build is never mistaken for a complete one.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from qapress.store import migrate, open_engine, revision_is_known
from qapress.store.schema import domain

DATA_DIR = Path(__file__).with_name(".data")
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DOMAINS = 50
#: Networks this large use short bodies (200-400 characters) so that they fit on disk and build in minutes.
SHORT_BODIES_FROM = 5_000_000
DATA_VERSION = 1
BATCH = 20_000
FIRST_DAY = dt.date(2019, 1, 1)


class BenchDataError(Exception):
    """A synthetic network cannot be built or opened."""


@dataclass(frozen=True)
class Network:
    """One cached synthetic network on one database."""

    articles: int
    backend: str  # "sqlite" or "postgresql"
    url: str  # SQLAlchemy URL
    short_bodies: bool

    @property
    def sqlite_path(self) -> Path:
        return Path(sa.engine.make_url(self.url).database or "")

    @property
    def pg_dsn(self) -> str:
        """A plain libpq DSN for psycopg (the SQLAlchemy URL names the driver)."""
        return self.url.replace("postgresql+psycopg://", "postgresql://")


def is_short(articles: int, short: bool | None = None) -> bool:
    """Short bodies: always from ``SHORT_BODIES_FROM`` on, or when asked (the growth baseline at 100k)."""
    return articles >= SHORT_BODIES_FROM if short is None else short or articles >= SHORT_BODIES_FROM


def _suffix(articles: int, short: bool | None) -> str:
    """Names of networks whose bodies are short only because they were asked to be."""
    return "_short" if is_short(articles, short) and articles < SHORT_BODIES_FROM else ""


def body_range(articles: int, short: bool | None = None) -> tuple[int, int]:
    return (200, 400) if is_short(articles, short) else (3_000, 6_000)


def make_blob(seed: int = 7, size: int = 1 << 21) -> str:
    """A long run of sentences of pseudo-words: no tabs, newlines or backslashes (safe in COPY text)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(3_000)]
    parts: list[str] = []
    length = 0
    while length < size:
        words = rng.choices(vocabulary, k=rng.randint(6, 18))
        sentence = " ".join(words).capitalize() + ". "
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


@dataclass(frozen=True)
class ArticleRow:
    id: int
    domain: int
    title: str
    slug: str
    text: str
    date: str


def article_rows(
    articles: int, *, seed: int = 11, start: int = 1, short: bool | None = None
) -> Iterator[ArticleRow]:
    """Articles 1..N: titles of 60-90 characters, bodies per ``body_range``, domains spread at random."""
    rng = random.Random(seed + start)
    blob = make_blob()
    last = len(blob) - 7_000
    low, high = body_range(articles, short)
    days = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(2_500)]
    for article_id in range(start, articles + 1):
        offset = rng.randrange(last)
        title = blob[offset : offset + rng.randint(60, 90)].strip().capitalize()
        while len(title) < 60:
            title += "x"
        body_at = rng.randrange(last)
        yield ArticleRow(
            id=article_id,
            domain=rng.randrange(DOMAINS) + 1,
            title=title,
            slug=title.lower().replace(" ", "-").replace(".", "")[:80],
            text=blob[body_at : body_at + rng.randint(low, high)],
            date=days[article_id * len(days) // (articles + 1)],
        )


def domain_rows() -> list[dict[str, object]]:
    return [
        {"id": n, "host": f"bench-{n:02d}.localhost", "name": f"Bench site {n}", "description": "Synthetic."}
        for n in range(1, DOMAINS + 1)
    ]


# --- SQLite ---------------------------------------------------------------------------------------------


def sqlite_network(articles: int, data_dir: Path = DATA_DIR, short: bool | None = None) -> Network:
    path = data_dir / f"qapress_bench_{articles}{_suffix(articles, short)}_v{DATA_VERSION}.sqlite"
    return Network(articles, "sqlite", f"sqlite:///{path}", is_short(articles, short))


def ensure_sqlite(
    articles: int, data_dir: Path = DATA_DIR, log: bool = True, short: bool | None = None
) -> Network:
    """The cached SQLite network of ``articles`` articles, built first if missing."""
    network = sqlite_network(articles, data_dir, short)
    final = network.sqlite_path
    if final.exists() and _revision_is_known(f"sqlite:///{final}"):
        return network
    final.parent.mkdir(parents=True, exist_ok=True)
    building = final.with_suffix(".building")
    stale = (final, Path(f"{final}-wal"), Path(f"{final}-shm"))
    for leftover in (*stale, building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.monotonic()
    engine = open_engine(f"sqlite:///{building}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(domain.insert(), domain_rows())
    engine.dispose()
    connection_ = sqlite3.connect(building, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-200000"):
            connection_.execute(f"PRAGMA {pragma}")
        insert = (
            "INSERT INTO qa_ai (id, domain, title, slug, text, date, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'published')"
        )
        rows = article_rows(articles, short=short)
        while True:
            batch = [(r.id, r.domain, r.title, r.slug, r.text, r.date) for r in _take(rows, BATCH)]
            if not batch:
                break
            connection_.execute("BEGIN")
            connection_.executemany(insert, batch)
            connection_.execute("COMMIT")
            if log and batch[-1][0] % 500_000 < BATCH:
                _say(f"sqlite {articles}: {batch[-1][0]:,} rows, {time.monotonic() - started:.0f} s")
        connection_.execute("ANALYZE")
        connection_.execute("PRAGMA journal_mode=WAL")
    finally:
        connection_.close()
    building.rename(final)
    if log:
        _say(f"sqlite {articles}: built in {time.monotonic() - started:.0f} s -> {final}")
    return network


def _take(rows: Iterator[ArticleRow], n: int) -> Iterator[ArticleRow]:
    for _, row in zip(range(n), rows, strict=False):
        yield row


# --- PostgreSQL -----------------------------------------------------------------------------------------


def pg_name(articles: int, prefix: str = "qapress_bench") -> str:
    return f"{prefix}_{articles}"


def pg_comment(articles: int) -> str:
    # ``search=1``: networks built before the search vectors were stored (an empty qa_ai_search) rebuild.
    return f"qapress-bench complete: articles={articles} version={DATA_VERSION} search=1"


def pg_network(
    articles: int, admin_dsn: str = PG_ADMIN_DSN, prefix: str = "qapress_bench", short: bool | None = None
) -> Network:
    parts = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    sa_url = sa.engine.URL.create(
        "postgresql+psycopg",
        username=str(parts.get("user") or "postgres"),
        host=str(parts.get("host") or "127.0.0.1"),
        port=int(parts.get("port") or 5432),
        database=pg_name(articles, prefix),
    ).render_as_string(hide_password=False)
    return Network(articles, "postgresql", sa_url, is_short(articles, short))


def pg_complete(articles: int, admin_dsn: str = PG_ADMIN_DSN, prefix: str = "qapress_bench") -> bool:
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (pg_name(articles, prefix),),
        ).fetchone()
    if row is None or row[0] != pg_comment(articles):
        return False
    return _revision_is_known(pg_network(articles, admin_dsn, prefix).url)


def _revision_is_known(url: str) -> bool:
    """False for a cached network stamped by a migration since renamed: it cannot be upgraded."""
    engine = open_engine(url)
    try:
        return revision_is_known(engine)
    finally:
        engine.dispose()


def ensure_pg(
    articles: int,
    admin_dsn: str = PG_ADMIN_DSN,
    log: bool = True,
    prefix: str = "qapress_bench",
    short: bool | None = None,
) -> Network:
    """The PostgreSQL network ``<prefix>_<n>``, reused when present and complete, else rebuilt."""
    prefix = prefix + _suffix(articles, short)
    final = pg_name(articles, prefix)
    network = pg_network(articles, admin_dsn, prefix, short)
    if pg_complete(articles, admin_dsn, prefix):
        return network
    building = f"{final}_building"
    started = time.monotonic()
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{final}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}"')
    building_dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=building)
    engine = open_engine(network.url.replace(final, building))
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(domain.insert(), domain_rows())
    engine.dispose()
    with psycopg.connect(building_dsn) as connection:
        # Bulk load without per-row foreign-key triggers; the rows are consistent by construction.
        connection.execute("SET session_replication_role = replica")
        connection.execute("SET synchronous_commit = off")
        copied = 0
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY qa_ai (id, domain, title, slug, text, date, status) FROM STDIN") as copy,
        ):
            chunk: list[str] = []
            for row in article_rows(articles, short=short):
                chunk.append(
                    f"{row.id}\t{row.domain}\t{row.title}\t{row.slug}\t{row.text}\t{row.date}\tpublished\n"
                )
                if len(chunk) >= BATCH:
                    copy.write("".join(chunk))
                    copied += len(chunk)
                    chunk.clear()
                    if log and copied % 500_000 == 0:
                        _say(f"postgresql {articles}: {copied:,} rows, {time.monotonic() - started:.0f} s")
            if chunk:
                copy.write("".join(chunk))
        connection.execute("SELECT setval(pg_get_serial_sequence('qa_ai', 'id'), %s)", (articles,))
        # The triggers were off: the search vectors are stored set-wise, as a bulk import stores them.
        connection.execute(
            "INSERT INTO qa_ai_search (id, domain, vector) "
            "SELECT id, domain, qapress_search_vector(title, lead, text) FROM qa_ai"
        )
        connection.commit()
    with psycopg.connect(building_dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE qa_ai")
        connection.execute("VACUUM ANALYZE qa_ai_search")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{final}"')
        admin.execute(f"COMMENT ON DATABASE \"{final}\" IS '{pg_comment(articles)}'")
    if log:
        _say(f"postgresql {articles}: built in {time.monotonic() - started:.0f} s -> {final}")
    return network


def drop_pg(articles: int, prefix: str, admin_dsn: str = PG_ADMIN_DSN) -> None:
    """Remove a throwaway network (the links benchmark's, the tests')."""
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{pg_name(articles, prefix)}" WITH (FORCE)')


def ensure(
    articles: int,
    backend: str,
    data_dir: Path = DATA_DIR,
    log: bool = True,
    pg_prefix: str = "qapress_bench",
    short: bool | None = None,
) -> Network:
    """The network, built if missing, and migrated to the newest schema (later migrations land over time)."""
    if backend == "sqlite":
        network = ensure_sqlite(articles, data_dir, log, short)
    elif backend == "postgresql":
        network = ensure_pg(articles, log=log, prefix=pg_prefix, short=short)
    else:
        raise BenchDataError(f"unknown backend {backend!r}: sqlite or postgresql")
    engine = open_engine(network.url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return network


def _say(message: str) -> None:
    print(f"[data] {message}", flush=True)


if __name__ == "__main__":  # python -m bench.data N backend...: build in the background ahead of a run
    import sys

    count = int(sys.argv[1])
    for name in sys.argv[2:] or ["sqlite", "postgresql"]:
        ensure(count, name)
