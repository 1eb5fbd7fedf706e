"""The page cache never serves a page older than a change it shows, in any worker.

Two app instances over one store stand for two worker processes: each has its own page cache, and both must
see every change, whoever made it (here: plain SQL, as the generator or the link worker would).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import domain, link, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite


@pytest.fixture(scope="module")
def workers(demo_url: str) -> Iterator[tuple[LiveSite, LiveSite]]:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine) as first, serve_site(engine) as second:
        yield first, second
    engine.dispose()


def seed_tree(site: LiveSite) -> HTMLParser:
    response = site.get(f"/a/{SEED_ARTICLE_ID}/any", host="screen.localhost")
    location = response.headers["location"].split(str(site.port), 1)[1]
    page = site.get(location)
    assert page.status_code == 200
    return HTMLParser(page.text)


def texts(tree: HTMLParser, selector: str) -> list[str]:
    return [node.text() for node in tree.css(selector)]


def warm(workers: tuple[LiveSite, LiveSite]) -> None:
    for site in workers:
        seed_tree(site)
        seed_tree(site)  # now from the cache
        assert site.site.cache.hits > 0


def execute(site: LiveSite, statement: sa.Executable) -> None:
    with site.engine.begin() as connection:
        connection.execute(statement)


def test_a_new_article_on_the_site_changes_related_links(workers: tuple[LiveSite, LiveSite]) -> None:
    warm(workers)
    execute(
        workers[0], qa_ai.insert().values(id=6646200, domain=7, title="A brand new screen story", slug="new")
    )
    for site in workers:
        assert texts(seed_tree(site), ".related li a")[0] == "A brand new screen story"


def test_a_renamed_article_in_the_bottom_links_changes_the_page(workers: tuple[LiveSite, LiveSite]) -> None:
    warm(workers)
    bottom = seed_tree(workers[0]).css_first(".network li a").attributes["href"] or ""
    bottom_id = int(bottom.split("/a/")[1].split("/")[0])
    execute(workers[0], qa_ai.update().where(qa_ai.c.id == bottom_id).values(title="Renamed on another site"))
    for site in workers:
        assert texts(seed_tree(site), ".network li a")[0] == "Renamed on another site"


def test_readers_links_appear_when_live_and_go_when_hidden(workers: tuple[LiveSite, LiveSite]) -> None:
    warm(workers)
    execute(
        workers[0],
        link.insert().values(
            id=900,
            article_id=SEED_ARTICLE_ID,
            url="https://fan.example/heat",
            url_key="fan.example/heat",
            title="Fan page",
            consent=True,
            status="live",
        ),
    )
    for site in workers:
        assert texts(seed_tree(site), ".reader-links a") == ["Fan page"]
    execute(workers[0], link.update().where(link.c.id == 900).values(status="hidden"))
    for site in workers:
        assert texts(seed_tree(site), ".reader-links a") == []


def test_an_edit_of_the_article_itself_shows_at_once(workers: tuple[LiveSite, LiveSite]) -> None:
    warm(workers)
    execute(workers[1], qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(outro="A new outro."))
    for site in workers:
        assert texts(seed_tree(site), ".outro") == ["A new outro."]


def test_a_renamed_site_shows_its_new_name(workers: tuple[LiveSite, LiveSite]) -> None:
    warm(workers)
    execute(workers[0], domain.update().where(domain.c.id == 7).values(name="Screen Answers"))
    for site in workers:
        assert texts(seed_tree(site), ".brand") == ["Screen Answers"]


def test_cache_hits_are_answered_on_the_event_loop_only_on_sqlite(workers: tuple[LiveSite, LiveSite]) -> None:
    """A SQLite revision check is sub-millisecond; a PostgreSQL round trip stays off the loop."""
    for site in workers:
        assert site.site.hits_on_loop == (site.engine.dialect.name == "sqlite")


@pytest.mark.parametrize("on_loop", [True, False])
def test_both_ways_of_answering_a_hit_see_every_change(
    workers: tuple[LiveSite, LiveSite], on_loop: bool
) -> None:
    defaults = [site.site.hits_on_loop for site in workers]
    try:
        for site in workers:
            site.site.hits_on_loop = on_loop
        warm(workers)
        title = f"Heat 2, answered {'on the loop' if on_loop else 'in the threadpool'}"
        execute(workers[0], qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title))
        for site in workers:
            assert texts(seed_tree(site), "h1") == [title]
    finally:
        for site, default in zip(workers, defaults, strict=True):
            site.site.hits_on_loop = default


@pytest.mark.parametrize("mode", ["auto", "query", "poll"])
def test_every_change_watch_drops_the_edited_page(demo_url: str, mode: str) -> None:
    """Each setting of ``QAPRESS_CACHE_CHANGES`` that applies to both databases: ``auto`` (data_version on
    SQLite, LISTEN on PostgreSQL) and ``query`` show an edit on the very next request; ``poll``, the bounded
    staleness fallback, within a few of its intervals, and its hits ask the database nothing."""
    from tests.site.live import demo_store, serve_site

    from qapress.site.invalidation import DataVersionWatch, NotifyWatch, PollWatch, QueryWatch

    engine = demo_store(demo_url)
    expected = {
        "auto": DataVersionWatch if engine.dialect.name == "sqlite" else NotifyWatch,
        "query": QueryWatch,
        "poll": PollWatch,
    }[mode]
    try:
        settings = {"cache_changes": mode, "cache_changes_poll_seconds": 0.1}
        with serve_site(engine, **settings) as first, serve_site(engine, **settings) as second:
            workers = (first, second)
            assert all(isinstance(site.site.changes, expected) for site in workers)
            warm(workers)
            for n in range(3):
                title = f"Heat 2, watched by {mode} ({n})"
                execute(first, qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title))
                for site in workers:
                    if mode == "poll":
                        deadline = time.monotonic() + 10
                        while texts(seed_tree(site), "h1") != [title]:
                            assert time.monotonic() < deadline, "the poll never dropped the page"
                            time.sleep(0.05)
                    else:
                        assert texts(seed_tree(site), "h1") == [title]
            if mode == "poll":
                redirect = first.get(f"/a/{SEED_ARTICLE_ID}/any", host="screen.localhost")
                path = redirect.headers["location"].split(str(first.port), 1)[1]
                assert first.get(path).status_code == 200  # cached now
                hits = first.site.cache.hits
                first.statements.clear()
                assert first.get(path).status_code == 200
                assert first.site.cache.hits == hits + 1
                # Only the poll thread's reads of the log ran meanwhile: nothing for the hit itself.
                asked = [s for s in first.statements if s not in {"BEGIN", "COMMIT", "ROLLBACK"}]
                assert all("cache_invalidation" in s for s in asked), asked
    finally:
        engine.dispose()
