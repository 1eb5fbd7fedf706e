"""The demo network: the seed's two articles as real rows, and every other article written by qapress's own
pipeline (extractive draft, grounding check, publish) from the news sources shipped with the demo, which are
fiction written for it.

The Q&A page of the seed is article 6646098 on domain 7, so that ``page-query.graphql`` with
``page-variables.json`` answers as it is. The sources are generated in date order: those older than the seed
take the ids just below it (from ``FIRST_ARTICLE_ID``), so the seed's "3 older from other sites" block is full,
and the newer ones come after it. Loading is idempotent: a store that has the seed article is reused, so the
pipeline runs once, when the demo is first loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.articles import _fix_sequence, slugify
from qapress.store.backend import advance_sequences, is_postgresql
from qapress.store.demo_cache import (
    SHIPPED_BUILD,
    cached_dump,
    demo_key,
    keep_dump,
    shipped_build,
    sources_key,
    write_shipped_build,
)
from qapress.store.dump import dump_network, first_table_with_rows, restore_network
from qapress.store.schema import domain, qa_ai, source

if TYPE_CHECKING:
    from qapress.generate.draft import SourceDocument
    from qapress.generate.pipeline import GenerateResult

SEED_ARTICLE_ID = 6646098
SEED_DOMAIN_ID = 7
SOURCE_ARTICLE_ID = 6646097
#: The id of the demo's oldest article; the sources older than the seed are numbered from here.
FIRST_ARTICLE_ID = 6646000
#: The demo's news sources (fictional, written for it): one JSON object a line, with the ``site`` it is for.
SOURCES_FILE = "demo_data/sources.jsonl"
SEED_SOURCE_FILE = "demo_data/heat-2-source.txt"


@dataclass(frozen=True)
class DemoDomain:
    id: int
    host: str
    name: str
    description: str


DOMAINS = (
    DemoDomain(
        1,
        "news.localhost",
        "Newsroom",
        "The news stories our explainers start from.",
    ),
    DemoDomain(
        2,
        "sport.localhost",
        "Sport Q&A",
        "Questions and answers about the games people follow.",
    ),
    DemoDomain(
        3,
        "science.localhost",
        "Science Q&A",
        "Discoveries explained, one question at a time.",
    ),
    DemoDomain(
        4,
        "money.localhost",
        "Money Q&A",
        "Business and personal finance, answered.",
    ),
    DemoDomain(
        5,
        "tech.localhost",
        "Tech Q&A",
        "What new technology means for you.",
    ),
    DemoDomain(
        6,
        "travel.localhost",
        "Travel Q&A",
        "Trips, routes and rules, explained.",
    ),
    DemoDomain(
        7,
        "screen.localhost",
        "Screen Q&A",
        "Films and series: what is coming and why it matters.",
    ),
    DemoDomain(
        8,
        "music.localhost",
        "Music Q&A",
        "Albums, tours and the people behind them.",
    ),
)

SEED_DATE = dt.date(2026, 2, 25)
SEED_TITLE = (
    "Heat 2: Michael Mann’s long-awaited Heat follow-up eyes a big-screen return, "
    "with DiCaprio potentially on board"
)
SEED_TEXT = (
    "Heat 2, a project that would pick up after the iconic film Heat while also venturing into the characters’ "
    "earlier years, has been inching toward reality for years. Director Michael Mann has been Perkins on the idea "
    "for ages, especially after he co-authored a tie-in novel with Meg Gardiner in 2022 that threads the original "
    "story with new explorations of its players’ pasts.\n\n"
    "The director has repeatedly floated the notion of returning to the Heat universe, with momentum growing after "
    "the book’s publication. In 2023 he said Heat 2 would be his next movie, and in 2024 he indicated a 2025 "
    "release, though that timeline never came to fruition. Nevertheless, sources still say the project isn’t dead, "
    "and recent reporting suggests it could still move forward."
)
SEED_FAQ = [
    {
        "question": "Is there a Heat 2 release date?",
        "answer": "Not yet. At the Busan International Film Festival Michael Mann said: “I look forward to "
        "possibly shooting it in 2026,” with budgeting, scheduling and casting in progress.",
    },
    {
        "question": "Is Leonardo DiCaprio joining the Heat 2 cast?",
        "answer": "He is rumored to be in discussions for a key role. Adam Driver has been eyed to play a younger "
        "McCauley, with Austin Butler and Ana de Armas named as potential co-stars.",
    },
    {
        "question": "What Heat 2 is about",
        "answer": "It adapts Mann’s novel that expands the story of Neil McCauley and Vincent Hanna, reaching "
        "into the characters’ earlier years as well as after the events of Heat. The budget was reported scaled "
        "back from $200 million to $170 million.",
    },
]
SEED_OUTRO = (
    "If you’re following Heat 2 updates, keep an eye on official announcements regarding cast, financing, and a "
    "concrete production timeline. In the meantime, you can revisit classic action cinema lists and upcoming-year "
    "calendars for more to look forward to."
)
SOURCE_TITLE = "‘Heat 2’ Inches Closer to Reality with 2026 Target Date"


def load_demo(engine: Engine, source_text: str | None = None, cache_dir: Path | None = None) -> bool:
    """Fill a store with the demo network; return False when it was already there.

    ``source_text`` is the seed's news source (the packaged one by default). An empty store gets the
    shipped build when it was built from today's sources, else the one this process or ``cache_dir`` kept
    for today's sources and pipeline (see :mod:`qapress.store.demo_cache`); otherwise the pipeline builds
    it, and the result is kept for next time."""
    with engine.connect() as connection:
        if connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.id == SEED_ARTICLE_ID)).first():
            return False
    _fill(engine, source_text, cache_dir)
    # The pages' "Related articles" lists, as ``qapress worker`` computes them after an import.
    from qapress.related.queue import RelatedWorker

    RelatedWorker(engine).run_once(limit=None)
    return True


def _fill(engine: Engine, source_text: str | None, cache_dir: Path | None) -> None:
    source_text = seed_source_text() if source_text is None else source_text
    key = None
    if first_table_with_rows(engine) is None:
        built = shipped_build(sources_key(_sources_text(), source_text))
        if built is not None:
            restore_network(engine, built.splitlines())
            return
        key = demo_key(_sources_text(), source_text)
        built = cached_dump(key, cache_dir)
        if built is not None:
            restore_network(engine, built.splitlines())
            keep_dump(key, built, cache_dir)
            return
    build_demo(engine, source_text)
    if key is not None:
        keep_dump(key, "\n".join(dump_network(engine)), cache_dir)


def seed_source_text() -> str:
    """The seed's news source, as the package ships it."""
    return resources.files("qapress.store").joinpath(SEED_SOURCE_FILE).read_text("utf-8")


def write_build(path: Path | None = None) -> Path:
    """Build the demo network with the pipeline (in a fresh store) and write it as the shipped
    build; run ``python -m qapress.store.demo`` after changing a source."""
    from qapress.store import migrate, open_engine

    target = path or Path(str(resources.files("qapress.store").joinpath(SHIPPED_BUILD)))
    source_text = seed_source_text()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_engine(f"sqlite:///{Path(folder) / 'demo.db'}")
        try:
            migrate(engine)
            build_demo(engine, source_text)
            dump = "\n".join(dump_network(engine))
        finally:
            engine.dispose()
    write_shipped_build(target, sources_key(_sources_text(), source_text), dump)
    return target


def build_demo(engine: Engine, source_text: str | None = None) -> None:
    """The demo network written into ``engine`` by the pipeline, whatever is cached."""
    with engine.begin() as connection:
        existing = set(connection.execute(sa.select(domain.c.id)).scalars())
        missing_domains = [
            {"id": d.id, "host": d.host, "name": d.name, "description": d.description, "language": "en"}
            for d in DOMAINS
            if d.id not in existing
        ]
        if missing_domains:
            connection.execute(domain.insert(), missing_domains)
        source_id = None
        if source_text:
            source_id = connection.execute(
                source.insert().returning(source.c.id),
                {
                    "title": SOURCE_TITLE,
                    "publisher": None,
                    "text": source_text,
                    "image_credit": "Source: IMDb",
                    "content_hash": hashlib.sha256(source_text.encode()).hexdigest(),
                },
            ).scalar_one()
    with engine.begin() as connection:
        advance_sequences(connection, [domain])
    shipped = demo_sources()
    with _ids_from(engine, FIRST_ARTICLE_ID):
        generate_demo_articles(
            engine, [(h, d) for h, d in shipped if d.date is not None and d.date < SEED_DATE]
        )
    with engine.begin() as connection:
        connection.execute(qa_ai.insert(), seed_articles(source_text, source_id))
    _fix_sequence(engine)
    generate_demo_articles(engine, [(h, d) for h, d in shipped if d.date is None or d.date >= SEED_DATE])


@contextlib.contextmanager
def _ids_from(engine: Engine, first_id: int) -> Iterator[None]:
    """Inside the block, the next article the pipeline stores gets ``first_id`` (in an empty store).

    PostgreSQL's sequence is moved; SQLite gives a new row the largest id plus one, so a placeholder row
    just below ``first_id`` stands there while the block runs and is removed after it.
    """
    with engine.begin() as connection:
        highest = connection.execute(sa.select(sa.func.max(qa_ai.c.id))).scalar()
        if highest is not None and highest >= first_id - 1:
            placeholder = None
        elif is_postgresql(engine):
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('qa_ai', 'id'), %(id)s)", {"id": first_id - 1}
            )
            placeholder = None
        else:
            placeholder = first_id - 1
            connection.execute(
                qa_ai.insert(),
                {"id": placeholder, "domain": DOMAINS[0].id, "title": "placeholder", "status": "draft"},
            )
    try:
        yield
    finally:
        if placeholder is not None:
            with engine.begin() as connection:
                connection.execute(qa_ai.delete().where(qa_ai.c.id == placeholder))


def demo_sources() -> list[tuple[str, SourceDocument]]:
    """The shipped sources as (site host, document), oldest first (the order the demo generates them in)."""
    from qapress.generate.sources import parse_json_lines

    text = _sources_text()
    hosts = [str(json.loads(line)["site"]) for line in text.splitlines() if line.strip()]
    pairs = list(zip(hosts, parse_json_lines(text, what=SOURCES_FILE), strict=True))
    return sorted(pairs, key=lambda pair: pair[1].date or dt.date.max)


def _sources_text() -> str:
    return resources.files("qapress.store").joinpath(SOURCES_FILE).read_text("utf-8")


def generate_demo_articles(
    engine: Engine, sources: list[tuple[str, SourceDocument]] | None = None
) -> list[GenerateResult]:
    """Shipped sources (all by default) through the generation pipeline (extractive backend, grounding check),
    published when the check passes; a source that already has an article is skipped, so a rerun adds nothing.
    A draft that fails the check stays a draft, unpublished, with its report saying why."""
    from qapress.articles.errors import TransitionRefused
    from qapress.generate.extractive import ExtractiveBackend
    from qapress.generate.pipeline import generate_article, publish_article
    from qapress.generate.repository import store_source

    site_ids = {d.host: d.id for d in DOMAINS}
    backend = ExtractiveBackend()
    results = []
    for host, document in demo_sources() if sources is None else sources:
        stored = store_source(engine, document)
        result = generate_article(
            engine, stored.id, site_ids[host], backend, day=document.date, only_if_unused=True
        )
        if result.article_id is not None and result.report is not None and result.report.passed:
            # A refusal keeps it a draft for the newsroom, with its report saying why.
            with contextlib.suppress(TransitionRefused):
                publish_article(engine, result.article_id)
        results.append(result)
    return results


def seed_articles(source_text: str | None, source_id: int | None) -> list[dict[str, Any]]:
    rows = [
        {
            "id": SEED_ARTICLE_ID,
            "domain": SEED_DOMAIN_ID,
            "title": SEED_TITLE,
            "slug": slugify(SEED_TITLE),
            "text": SEED_TEXT,
            "lead": SEED_TEXT.split("\n\n")[0],
            "faq": SEED_FAQ,
            "outro": SEED_OUTRO,
            "date": SEED_DATE,
            "image_url": None,
            "image_credit": "gettyimages",
            "src_id": None,
            "source_id": source_id,
            "status": "published",
        }
    ]
    if source_text:
        rows.append(
            {
                "id": SOURCE_ARTICLE_ID,
                "domain": 1,
                "title": SOURCE_TITLE,
                "slug": slugify(SOURCE_TITLE),
                "text": source_text,
                "lead": source_text.split("\n")[0],
                "faq": None,
                "outro": "",
                "date": None,
                "image_url": None,
                "image_credit": "Source: IMDb",
                "src_id": None,
                "source_id": source_id,
                "status": "published",
            }
        )
    return rows


if __name__ == "__main__":
    print(f"wrote {write_build()}")
