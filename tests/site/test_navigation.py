"""Navigation over a real server: the newest by date, the site's icon, the search box, the related block,
breadcrumbs and the strip of the network's other sites."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qapress.related.queue import RelatedWorker
from qapress.site.favicon import favicon_svg
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import domain, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite


def test_the_home_page_lists_the_newest_by_date(live: LiveSite) -> None:
    tree = HTMLParser(live.get("/").text)
    dates = [t.attributes["datetime"] or "" for t in tree.css(".lead-story time, .story time")]
    assert len(dates) > 1 and dates == sorted(dates, reverse=True)


def test_every_site_has_its_own_icon_with_caching(live: LiveSite) -> None:
    screen, news = live.get("/favicon.ico"), live.get("/favicon.ico", host="news.localhost")
    assert screen.status_code == 200 and screen.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in screen.headers["cache-control"]
    assert ET.fromstring(screen.content).findtext("{http://www.w3.org/2000/svg}text") == "S"
    assert ET.fromstring(news.content).findtext("{http://www.w3.org/2000/svg}text") == "N"
    page = HTMLParser(live.get("/").text)
    assert page.css_first('link[rel="icon"]').attributes["href"] == live.url("/favicon.svg")


def test_the_header_has_a_search_box(live: LiveSite) -> None:
    form = HTMLParser(live.get("/").text).css_first('header form[role="search"]')
    assert form.attributes["action"] == live.url("/search")
    assert form.css_first('input[name="q"]') is not None


def test_the_icon_escapes_the_initial() -> None:
    assert b"&lt;" in favicon_svg("<script>", "x.example") or b"S" in favicon_svg("<script>", "x.example")
    assert b"<script" not in favicon_svg("<script>", "x.example")


def article_path(live: LiveSite, article_id: int) -> str:
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == article_id)).scalar_one()
    return f"/a/{article_id}/{slug}"


def test_the_related_block_lists_articles_like_this_one(live: LiveSite) -> None:
    with live.engine.begin() as connection:
        screen = connection.execute(
            sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
        ).scalar_one()

        def add(title: str, text: str) -> int:
            row = {"domain": screen, "title": title, "slug": "x", "text": text, "lead": ""}
            return int(connection.execute(sa.insert(qa_ai).values(**row).returning(qa_ai.c.id)).scalar_one())

        seed = add(
            "Glacier observatory records a calving event", "The glacier observatory filmed ice calving."
        )
        like = add(
            "Calving glacier front retreats", "Observatory cameras show the glacier front calving again."
        )
        unlike = add("Bakery wins a prize", "A bakery won a prize for sourdough bread.")
    # Rows written straight to the table are queued for their lists; the worker computes them.
    RelatedWorker(live.engine).run_once(limit=None)
    try:
        tree = HTMLParser(live.get(article_path(live, seed)).text)
        similar = [a.text() for a in tree.css(".similar li a")]
        assert similar[:1] == ["Calving glacier front retreats"]
        assert (
            "Bakery wins a prize" not in similar
            and "Glacier observatory records a calving event" not in similar
        )
        assert len(tree.css(".related li")) == 8  # the seed's block keeps its meaning beside it
    finally:
        with live.engine.begin() as connection:
            connection.execute(sa.delete(qa_ai).where(qa_ai.c.id.in_([seed, like, unlike])))


def test_breadcrumbs_and_the_network_strip(live: LiveSite) -> None:
    path = article_path(live, SEED_ARTICLE_ID)
    tree = HTMLParser(live.get(path).text)
    scripts = [json.loads(s.text()) for s in tree.css('script[type="application/ld+json"]')]
    trail = next(s for s in scripts if s["@type"] == "BreadcrumbList")["itemListElement"]
    assert [(i["position"], i["item"]) for i in trail] == [(1, live.url("/")), (2, live.url(path))]
    strip = [a.attributes["href"] for a in tree.css(".network-strip a")]
    assert live.url("/", host="news.localhost") in strip and live.url("/") not in strip
