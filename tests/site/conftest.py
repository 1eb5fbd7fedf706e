"""Fixtures of the site tests: the seed article's page data, shaped like the article query's answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from tests.site.browser import browser  # noqa: F401  (the shared Chromium fixture)

from qapress.site.assets import StaticAssets
from qapress.site.domains import Domain, DomainDirectory
from qapress.site.render import Renderer
from qapress.site.urls import SiteURLs
from qapress.store import demo

if TYPE_CHECKING:
    from tests.site.live import LiveSite

SCREEN = Domain(7, "screen.localhost", "Screen Q&A", "Films and series.", "en")
NEWS = Domain(1, "news.localhost", "Newsroom", "News.", "en")
DIRECTORY = DomainDirectory([NEWS, SCREEN])


def seed_data(**self_overrides: Any) -> dict[str, Any]:
    """The seed article's answer, from the demo network's own constants, as the engine returns it."""
    article = {
        "id": demo.SEED_ARTICLE_ID,
        "title": demo.SEED_TITLE,
        "text": demo.SEED_TEXT,
        "date": "2026-02-25",
        "slug": "heat-2-michael-mann-s-long-awaited-heat-follow-up",
        "lead": demo.SEED_TEXT.split("\n\n")[0],
        "faq": demo.SEED_FAQ,
        "outro": demo.SEED_OUTRO,
        "image_url": None,
        "image_credit": "gettyimages",
        "src_id": None,
        "domain": 7,
        "updated_at": "2026-02-25T10:00:00+00:00",
    }
    article.update(self_overrides)
    return {
        "self": [article],
        "linksarticle": [
            {"id": 6646090 - n, "title": f"Screen story {n}", "slug": f"screen-story-{n}"} for n in range(8)
        ],
        "linksbottom": [
            {"id": 6646080 - n, "title": f"News story {n}", "slug": f"news-story-{n}", "domain": 1}
            for n in range(3)
        ],
        "readerlinks": [{"url": "https://example.com/heat", "title": "A fan page about Heat"}],
    }


@pytest.fixture
def urls() -> SiteURLs:
    return SiteURLs(SCREEN, DIRECTORY, "https")


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(StaticAssets())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the demo network, on SQLite and on PostgreSQL, shared by one test module."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'qapress.db'}"
    server = request.getfixturevalue("postgres_server")
    url: str = server.create_database("qapress_site")
    return url


@pytest.fixture(scope="module")
def live(demo_url: str) -> Iterator[LiveSite]:
    """The site over the demo network on a real uvicorn server."""
    from tests.site.live import demo_store, serve_site  # imports the app, hence the engine

    engine = demo_store(demo_url)
    with serve_site(engine) as site:
        yield site
    engine.dispose()
