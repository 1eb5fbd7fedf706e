"""Find a demo article by what it is (its site, words of its title or slug, its status), not by a magic id:
the demo's ids come from the order its pipeline ran in, which changes when its sources do."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.demo import DOMAINS
from qapress.store.schema import qa_ai, source


def demo_article_id(
    engine: Engine,
    *,
    title: str | None = None,
    slug: str | None = None,
    site: str | None = None,
    status: str = "published",
    made_from_a_source: bool | None = None,
) -> int:
    """The id of the one article matching every filter given; fails unless exactly one matches.

    ``title`` is part of the article's title or of the title of the source it was written from (the
    headline stays when the drafts change), ``slug`` part of its slug, both case insensitive; ``site`` is a
    demo host such as ``screen.localhost``."""
    query = (
        sa.select(qa_ai.c.id)
        .select_from(qa_ai.outerjoin(source, source.c.id == qa_ai.c.source_id))
        .where(qa_ai.c.status == status)
    )
    if title is not None:
        words = title.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(qa_ai.c.title).contains(words, autoescape=True),
                sa.func.lower(source.c.title).contains(words, autoescape=True),
            )
        )
    if slug is not None:
        query = query.where(qa_ai.c.slug.contains(slug.lower(), autoescape=True))
    if site is not None:
        query = query.where(qa_ai.c.domain == next(d.id for d in DOMAINS if d.host == site))
    if made_from_a_source is not None:
        query = query.where(
            qa_ai.c.source_id.is_not(None) if made_from_a_source else qa_ai.c.source_id.is_(None)
        )
    with engine.connect() as connection:
        ids = list(connection.execute(query.order_by(qa_ai.c.id)).scalars())
    assert len(ids) == 1, f"{len(ids)} demo articles match {title=} {slug=} {site=} {status=}: {ids}"
    return int(ids[0])
