"""What readers see of an article's lifecycle, over a real server: a scheduled article is nowhere (pages,
feed, sitemap, anonymous GraphQL) until the scheduled pass publishes it; a withdrawn one answers 410; every
change reaches the cached pages at once."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING

import sqlalchemy as sa

from qapress.articles.publishing import schedule_article, unpublish_article, withdraw_article
from qapress.articles.scheduler import publish_due
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.pipeline import generate_article
from qapress.generate.repository import store_source
from qapress.generate.sources import parse_plain_text
from qapress.store import begin_write
from qapress.store.schema import qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

SCREEN_ID = 7
T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DUE = T0 + dt.timedelta(hours=2)


def new_draft(live: LiveSite) -> tuple[int, str]:
    text = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    source_id = store_source(live.engine, parse_plain_text(text)).id
    result = generate_article(live.engine, source_id, SCREEN_ID, ExtractiveBackend())
    assert result.article_id is not None
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == result.article_id)).scalar_one()
    return result.article_id, f"/a/{result.article_id}/{slug}"


def anonymous_sees(live: LiveSite, article_id: int) -> bool:
    answer = live.request(
        "POST", "/v1/graphql", json={"query": f"{{ qa_ai(where: {{id: {{_eq: {article_id}}}}}) {{ id }} }}"}
    ).json()
    return bool(answer["data"]["qa_ai"])


def everywhere(live: LiveSite, article_id: int, path: str) -> dict[str, bool]:
    """Where readers can find the article: its page, the home page, the feed, the sitemap, GraphQL."""
    return {
        "page": live.get(path).status_code == 200,
        "home": path in live.get("/").text,
        "feed": path in live.get("/feed.xml").text,
        "sitemap": path in live.get("/sitemap-1.xml").text,
        "graphql": anonymous_sees(live, article_id),
    }


def test_a_scheduled_article_appears_when_the_pass_publishes_it(live: LiveSite) -> None:
    article_id, path = new_draft(live)
    hidden = dict.fromkeys(("page", "home", "feed", "sitemap", "graphql"), False)
    assert everywhere(live, article_id, path) == hidden
    with begin_write(live.engine) as connection:
        schedule_article(connection, article_id, DUE, None, now=T0)
    assert everywhere(live, article_id, path) == hidden
    assert live.get(path).status_code == 404
    assert publish_due(live.engine, DUE - dt.timedelta(seconds=1)) == []
    assert everywhere(live, article_id, path) == hidden
    assert [change.article_id for change in publish_due(live.engine, DUE)] == [article_id]
    assert everywhere(live, article_id, path) == dict.fromkeys(hidden, True)


def test_withdrawn_is_410_and_unpublished_is_404_even_after_a_cached_200(live: LiveSite) -> None:
    article_id, path = new_draft(live)
    with begin_write(live.engine) as connection:
        schedule_article(connection, article_id, DUE, None, now=T0)
    publish_due(live.engine, DUE)
    assert live.get(path).status_code == 200
    assert live.get(path).status_code == 200  # now served from the page cache
    with begin_write(live.engine) as connection:
        withdraw_article(connection, article_id, None)
    gone = live.get(path)
    assert gone.status_code == 410 and "Article withdrawn" in gone.text
    assert not anonymous_sees(live, article_id) and path not in live.get("/").text
    with begin_write(live.engine) as connection:
        unpublish_article(connection, article_id, None)
    assert live.get(path).status_code == 404
