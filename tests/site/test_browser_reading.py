"""A reader in a real browser (Debian's Chromium through Playwright), on both databases: searching from the
header (highlighted results, pages), the header's sections, the network strip to another site, the breadcrumb
trail, and the related block of an article; axe-core on the search results and the front page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.site.browser import open_page

from qapress.related.queue import RelatedWorker
from qapress.store.schema import link, qa_ai

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from tests.site.live import LiveSite

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("data") / "axe.min.js"
FIRST_ID = 6648000
COUNT = 12
PLACES = (
    "harbour",
    "valley",
    "airfield",
    "museum",
    "lake",
    "coast",
    "plain",
    "ridge",
    "city",
    "island",
    "bay",
    "moor",
)


@pytest.fixture(scope="module")
def site(live: LiveSite) -> LiveSite:
    """The demo plus twelve articles about airships (the newest of the site) and a live reader link."""
    rows = [
        {
            "id": FIRST_ID + n,
            "domain": 7,
            "title": f"Zeppelin airship voyage over the {place}",
            "slug": f"zeppelin-{place}",
            "lead": f"A crew filmed an airship over the {place}.",
            "text": f"The zeppelin crossed the {place} at dawn while the documentary crew filmed the airship "
            f"from the ground. Airship pilots said the zeppelin flight over the {place} took four hours.",
            "date": dt.date(2026, 4, 1) + dt.timedelta(days=n),
        }
        for n, place in enumerate(PLACES[:COUNT])
    ]
    with live.engine.begin() as connection:
        connection.execute(qa_ai.insert(), rows)
        connection.execute(
            link.insert().values(
                article_id=FIRST_ID,
                url="https://fans.example/zeppelin",
                url_key="fans.example/zeppelin",
                consent=True,
                status="live",
                title="A fan page",
            )
        )
    RelatedWorker(live.engine).run_once(limit=None)  # the lists of rows written straight to the table
    return live


def test_a_search_from_the_header_highlights_and_pages(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url("/"))
    page.get_by_role("searchbox", name="Search Screen Q&A").fill("zeppelin")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["zeppelin"]
    results = page.locator(".search-results > li")
    assert results.count() == 10
    marks = page.locator(".search-results .snippet mark").all_inner_texts()
    assert marks and {mark.lower() for mark in marks} == {"zeppelin"}
    first_page = set(page.locator(".search-results h2 a").all_inner_texts())
    with page.expect_navigation():
        page.get_by_role("link", name="More results").click()
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    assert page.locator(".search-results > li").count() == COUNT - 10
    assert page.locator(".search-results").get_attribute("start") == "11"
    assert not first_page & set(page.locator(".search-results h2 a").all_inner_texts())
    with page.expect_navigation():
        page.get_by_role("link", name="Better matches").click()
    assert set(page.locator(".search-results h2 a").all_inner_texts()) == first_page
    page.context.close()


def test_the_headers_sections_lead_to_their_articles(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url("/"))
    sections = page.get_by_role("navigation", name="Sections")
    assert "Zeppelin" in sections.get_by_role("link").all_inner_texts()
    with page.expect_navigation():
        sections.get_by_role("link", name="Zeppelin").click()
    assert page.locator(".search-results > li").count() == 10
    assert all("Zeppelin" in title for title in page.locator(".search-results h2 a").all_inner_texts())
    page.context.close()


def test_the_network_strip_leads_to_another_site(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url("/"))
    strip = page.get_by_role("navigation", name="Our network")
    assert "Screen Q&A" not in strip.get_by_role("link").all_inner_texts()
    with page.expect_navigation():
        strip.get_by_role("link", name="Newsroom").click()
    assert urlsplit(page.url).hostname == "news.localhost"
    assert page.locator(".brand").inner_text() == "Newsroom"
    assert page.locator(".lead-story h2").count() == 1
    page.context.close()


def test_the_breadcrumb_trail_leads_home(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url(f"/a/{FIRST_ID}"))
    scripts = page.locator("script[type='application/ld+json']").all_inner_texts()
    trail = next(data for data in map(json.loads, scripts) if data["@type"] == "BreadcrumbList")
    items = trail["itemListElement"]
    assert [item["position"] for item in items] == [1, 2]
    assert items[0]["name"] == "Screen Q&A" and items[1]["item"] == page.url
    assert items[1]["name"] == page.locator("h1").inner_text()
    page.goto(items[0]["item"])
    assert page.locator(".brand").inner_text() == "Screen Q&A" and page.locator(".lead-story").count() == 1
    page.context.close()


def test_the_related_block_leads_to_a_similar_article(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url(f"/a/{FIRST_ID}"))
    related = page.get_by_role("navigation", name="Related articles")
    titles = related.get_by_role("link").all_inner_texts()
    assert titles and all(title.startswith("Zeppelin airship") for title in titles)
    assert page.locator("h1").inner_text() not in titles
    with page.expect_navigation():
        related.get_by_role("link").first.click()
    assert page.locator("h1").inner_text() == titles[0]
    page.context.close()


def test_axe_finds_no_violations_on_search_and_the_front_page(browser: Browser, site: LiveSite) -> None:
    page, _ = open_page(browser, site.url("/"), bypass_csp=True)  # only to inject axe
    assert page.locator(".most-linked li").count() == 1
    for url in (site.url("/"), site.url("/search?q=zeppelin"), site.url("/search?q=zeppelin&page=2")):
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}))"
                ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
            )
            assert violations == [], f"{url} ({scheme}): {violations}"
    page.context.close()
