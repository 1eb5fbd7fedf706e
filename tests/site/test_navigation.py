"""Navigation over a real server: the newest by date, the site's icon, and the search box on every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qapress.site.favicon import favicon_svg

if TYPE_CHECKING:
    from tests.site.live import LiveSite


def test_the_home_page_lists_the_newest_by_date(live: LiveSite) -> None:
    tree = HTMLParser(live.get("/").text)
    dates = [t.attributes["datetime"] or "" for t in tree.css(".article-list time")]
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
