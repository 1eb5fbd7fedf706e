"""The demo network holds the seed article where the seed's query expects it, and fills every related block."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.demo import (
    DOMAINS,
    SEED_ARTICLE_ID,
    SEED_DOMAIN_ID,
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
    assert 16 <= len(shipped) <= 24
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
    assert generate_demo_articles(engine) and load_demo(engine, demo_source_text) is False
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(grounding_report)).scalar() == len(
            rows
        )
