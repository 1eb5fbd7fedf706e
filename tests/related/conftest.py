"""A small network for the related lists: two sites, articles written as drafts that may be published (a
passing grounding report of their own, no news source to check again), and what the page's query shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests import invalidation_log

from qapress.articles.publishing import publish_article
from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.site.queries import PageQueries
from qapress.store import begin_write
from qapress.store.schema import domain, grounding_report, qa_ai, related_queue

SITE = 1
OTHER_SITE = 2
PASSED = {"passed": True, "answers": [], "problems": [], "checked_at": "2026-12-01T09:00:00+00:00"}

#: Three stories: glaciers (three articles), bakeries (two), trams (one); words shared on purpose.
STORIES = {
    "glacier": ("Glacier observatory records a calving event", "The glacier observatory filmed ice calving at the front."),
    "calving": ("Calving glacier front retreats", "Observatory cameras show the glacier front calving again this week."),
    "melt": ("Glacier melt speeds up in the valley", "The valley glacier lost ice; the observatory measured the melt."),
    "bakery": ("Bakery wins a prize for sourdough", "A bakery won a prize for its sourdough bread this week."),
    "bread": ("Sourdough bread sells out at the bakery", "The prize-winning bakery sold out of sourdough bread."),
    "tram": ("New tram line opens downtown", "The tram line links the station and the harbour district."),
}  # fmt: skip


@dataclass
class Network:
    """Articles by story name, written and published through the product's own functions."""

    engine: Engine
    ids: dict[str, int]

    def add(self, name: str, *, site: int = SITE, publish: bool = True) -> int:
        title, text = STORIES[name]
        with begin_write(self.engine) as connection:
            row = {"domain": site, "title": title, "slug": name, "text": text, "lead": "", "status": "draft"}
            article_id = int(
                connection.execute(qa_ai.insert().values(**row).returning(qa_ai.c.id)).scalar_one()
            )
            connection.execute(
                grounding_report.insert().values(
                    article_id=article_id, passed=True, report=PASSED, backend="test"
                )
            )
            if publish:
                publish_article(connection, article_id, None)
        self.ids[name] = article_id
        return article_id

    def stored(self, name: str) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"SELECT related_id FROM article_related WHERE article_id = {self.ids[name]} ORDER BY rank"
            )
            return [int(i) for i in rows.scalars()]

    def names(self, ids: list[int]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id.get(i, str(i)) for i in ids]

    def shown(self, name: str, site: int = SITE) -> list[str]:
        """The page's ``similar`` block, from the article page's own query as the site runs it."""
        gql = GraphQLEngine(self.engine, qapress_metadata())
        try:
            data: dict[str, Any] = PageQueries(gql).article(self.ids[name], site).data
        finally:
            gql.close()
        return self.names([row["id"] for row in data["similar"]])

    def queued(self) -> list[str]:
        with self.engine.connect() as connection:
            return self.names(
                [int(i) for i in connection.execute(sa.select(related_queue.c.article_id)).scalars()]
            )

    def log_position(self) -> int:
        return invalidation_log.log_position(self.engine)

    def tags_since(self, seq: int) -> set[str]:
        return set(invalidation_log.tags_since(self.engine, seq))


@pytest.fixture
def network(engine: Engine) -> Network:
    with engine.begin() as connection:
        connection.execute(
            domain.insert(),
            [
                {"id": SITE, "host": "ice.localhost", "name": "Ice"},
                {"id": OTHER_SITE, "host": "other.localhost", "name": "Other"},
            ],
        )
    return Network(engine, {})
