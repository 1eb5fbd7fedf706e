"""The demo network holds the seed article where the seed's query expects it, and fills every related block."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.demo import (
    DOMAINS,
    SEED_ARTICLE_ID,
    SEED_DATE,
    SEED_DOMAIN_ID,
    SOURCE_ARTICLE_ID,
    demo_sources,
    generate_demo_articles,
    load_demo,
)
from qapress.store.schema import domain, grounding_report, qa_ai, source


def test_demo_loads_once(engine: Engine, demo_source_text: str) -> None:
    assert load_demo(engine, demo_source_text) is True
    assert load_demo(engine, demo_source_text) is False
    with engine.connect() as connection:
        # The seed's source and every source shipped for the pipeline, each stored once.
        sources = connection.execute(sa.select(sa.func.count()).select_from(source)).scalar()
        assert sources == 1 + len(demo_sources())
        seed = connection.execute(sa.select(qa_ai).where(qa_ai.c.id == SEED_ARTICLE_ID)).one()
        domains = connection.execute(sa.select(sa.func.count()).select_from(domain)).scalar()
    assert seed.domain == SEED_DOMAIN_ID
    assert seed.title.startswith("Heat 2: Michael Mann’s long-awaited Heat follow-up")
    assert seed.image_credit == "gettyimages"
    assert [entry["question"] for entry in seed.faq] == [
        "Is there a Heat 2 release date?",
        "Is Leonardo DiCaprio joining the Heat 2 cast?",
        "What Heat 2 is about",
    ]
    assert domains is not None and domains >= 4


def test_every_published_page_has_full_related_blocks(engine: Engine, demo_source_text: str) -> None:
    """Full blocks on every page but the network's three oldest, which cannot have three older articles."""
    load_demo(engine, demo_source_text)
    with engine.connect() as connection:
        articles = connection.execute(
            sa.select(qa_ai.c.id, qa_ai.c.domain).where(qa_ai.c.status == "published").order_by(qa_ai.c.id)
        ).all()
    assert SEED_ARTICLE_ID in [a for a, _ in articles[3:]]
    for article_id, site in articles[3:]:
        same_site = [a for a, d in articles if d == site and a != article_id]
        older_elsewhere = [a for a, d in articles if d != site and a < article_id]
        assert len(same_site) >= 8, article_id
        assert len(older_elsewhere) >= 3, article_id


def test_the_newest_articles_of_every_site_come_from_the_pipeline(
    engine: Engine, demo_source_text: str
) -> None:
    """Each shipped source becomes one article of its site through the generation pipeline, checked and
    published; loading again adds nothing."""
    load_demo(engine, demo_source_text)
    shipped = demo_sources()
    site_of = {d.host: d.id for d in DOMAINS}
    assert {host for host, _ in shipped} == set(site_of)  # every site has some
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                qa_ai.c.domain,
                qa_ai.c.status,
                qa_ai.c.date,
                source.c.title,
                grounding_report.c.passed,
                grounding_report.c.backend,
            )
            .join(source, source.c.id == qa_ai.c.source_id)
            .join(grounding_report, grounding_report.c.article_id == qa_ai.c.id)
        ).all()
    made = {row.title: row for row in rows}
    for host, document in shipped:
        row = made[document.title]
        assert (row.domain, row.status, row.date) == (site_of[host], "published", document.date)
        assert row.passed and row.backend == "extractive"
    assert all(result.skipped for result in generate_demo_articles(engine))
    assert load_demo(engine, demo_source_text) is False
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(grounding_report)).scalar() == len(
            rows
        )


def test_no_article_is_filler_and_every_site_fills_its_pages(engine: Engine, demo_source_text: str) -> None:
    """Every article but the seed's two comes from a shipped source; each site has enough for its related
    block (8 others), and the seed's site for a second home page (20 a page)."""
    load_demo(engine, demo_source_text)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(qa_ai.c.id, qa_ai.c.domain, qa_ai.c.source_id, qa_ai.c.status, qa_ai.c.date)
        ).all()
        source_titles = set(connection.execute(sa.select(source.c.title)).scalars())
    assert {document.title for _, document in demo_sources()} <= source_titles
    without_source = {row.id for row in rows if row.source_id is None}
    assert without_source <= {SEED_ARTICLE_ID, SOURCE_ARTICLE_ID}
    assert all(row.status == "published" for row in rows)
    per_site = {d.id: sum(1 for row in rows if row.domain == d.id) for d in DOMAINS}
    assert min(per_site.values()) >= 9
    assert per_site[SEED_DOMAIN_ID] > 20
    # Ids follow dates: the older sources are numbered below the seed, the newer above it.
    dated = sorted((row.id, row.date) for row in rows if row.id not in (SEED_ARTICLE_ID, SOURCE_ARTICLE_ID))
    assert [day for _, day in dated] == sorted(day for _, day in dated)
    assert all((day < SEED_DATE) == (article < SEED_ARTICLE_ID) for article, day in dated)


def test_the_seed_page_query_answers_full_blocks(engine: Engine, demo_source_text: str) -> None:
    """The seed's own rule on the demo: 8 newest of the seed's site, 3 older from other sites."""
    load_demo(engine, demo_source_text)
    with engine.connect() as connection:
        same_site = (
            connection.execute(
                sa.select(qa_ai.c.id)
                .where(qa_ai.c.domain == SEED_DOMAIN_ID, qa_ai.c.id != SEED_ARTICLE_ID)
                .order_by(qa_ai.c.id.desc())
                .limit(8)
            )
            .scalars()
            .all()
        )
        older = connection.execute(
            sa.select(qa_ai.c.id, qa_ai.c.source_id)
            .where(qa_ai.c.domain != SEED_DOMAIN_ID, qa_ai.c.id < SEED_ARTICLE_ID)
            .order_by(qa_ai.c.id.desc())
            .limit(3)
        ).all()
    assert len(same_site) == 8 and len(older) == 3
    assert (
        sum(1 for row in older if row.source_id is not None) >= 2
    )  # pipeline articles, beside the seed's source


def demo_content(store: Engine) -> list[tuple[object, ...]]:
    """What a reader and an editor see of the demo: every article's fields and its check's verdict."""
    with store.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(
                    qa_ai.c.id,
                    qa_ai.c.domain,
                    qa_ai.c.title,
                    qa_ai.c.slug,
                    qa_ai.c.lead,
                    qa_ai.c.text,
                    qa_ai.c.faq,
                    qa_ai.c.outro,
                    qa_ai.c.date,
                    qa_ai.c.status,
                    source.c.title,
                    grounding_report.c.passed,
                    grounding_report.c.backend,
                )
                .outerjoin(source, source.c.id == qa_ai.c.source_id)
                .outerjoin(grounding_report, grounding_report.c.article_id == qa_ai.c.id)
                .order_by(qa_ai.c.id)
            )
        ]


def test_the_shipped_build_is_what_todays_pipeline_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline, run now on the shipped sources, writes the network the shipped build holds; when this
    fails after a change to the sources or to ``qapress.generate``, run ``python -m qapress.store.demo``.
    Built without the shipped build, the network is kept in the cache folder, and a store made later is
    filled from that file."""
    from qapress.store import demo, demo_cache, migrate, open_engine

    def store(name: str) -> Engine:
        engine = open_engine(f"sqlite:///{tmp_path / name}")
        migrate(engine)
        return engine

    shipped, built, again = store("shipped.db"), store("built.db"), store("again.db")
    try:
        assert load_demo(shipped) is True
        with monkeypatch.context() as patched:
            patched.setattr(demo, "shipped_build", lambda key: None)  # as if a source changed since
            patched.setattr(demo_cache, "_BUILT", {})
            assert load_demo(built, cache_dir=tmp_path / "cache") is True
            assert len(list((tmp_path / "cache").glob("demo-*.jsonl"))) == 1
            patched.setattr(demo_cache, "_BUILT", {})  # the file, not this process's memory
            assert load_demo(again, cache_dir=tmp_path / "cache") is True
        fresh = demo_content(built)
        assert len(fresh) == len(demo_sources()) + 2
        assert fresh == demo_content(shipped), "the shipped demo build is stale: python -m qapress.store.demo"
        assert demo_content(again) == fresh
    finally:
        for engine in (shipped, built, again):
            engine.dispose()


def test_the_cache_key_changes_with_the_sources(demo_source_text: str) -> None:
    from qapress.store.demo_cache import demo_key, sources_key

    assert demo_key("a", demo_source_text) == demo_key("a", demo_source_text)
    assert demo_key("a", demo_source_text) != demo_key("b", demo_source_text)
    assert sources_key("a", demo_source_text) != sources_key("b", demo_source_text)
    assert demo_key("a", demo_source_text) != sources_key("a", demo_source_text)
