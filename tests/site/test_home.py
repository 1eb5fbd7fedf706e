"""The home page as a front page, over a real server on both databases: a lead story with its image, the
newest by date, sections from the titles (in every page's header too), and the most linked by live links."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.demo_articles import demo_article_id

from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import domain, link, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

FIRST_ID = 6647000


def _add(live: LiveSite, rows: list[dict[str, object]]) -> None:
    with live.engine.begin() as connection:
        connection.execute(qa_ai.insert(), rows)


def test_the_lead_story_is_the_newest_with_an_image(live: LiveSite) -> None:
    page = HTMLParser(live.get("/").text)
    lead = page.css_first(".lead-story")
    # No demo article has an image of its own: the newest leads, with its generated card.
    first_story = page.css_first(".story h3 a").attributes["href"]
    assert lead.css_first("img").attributes["src"].startswith(live.url("/card/"))
    assert lead.css_first("img").attributes["alt"] == ""
    assert first_story != lead.css_first("h2 a").attributes["href"]
    _add(
        live,
        [
            {
                "id": FIRST_ID,
                "domain": 7,
                "title": "Pictured premiere",
                "slug": "pictured",
                "lead": "With a photo.",
                "date": dt.date(2027, 1, 30),
                "image_url": "https://images.example/premiere.jpg",
            },
            {
                "id": FIRST_ID + 1,
                "domain": 7,
                "title": "Unpictured premiere",
                "slug": "unpictured",
                "lead": "No photo.",
                "date": dt.date(2027, 1, 31),
                "image_url": None,
            },
        ],
    )
    page = HTMLParser(live.get("/").text)
    lead = page.css_first(".lead-story")
    assert lead.css_first("h2 a").text() == "Pictured premiere"
    assert lead.css_first("img").attributes["src"] == "https://images.example/premiere.jpg"
    assert page.css_first(".story h3 a").text() == "Unpictured premiere"  # newer, but without an image


def test_sections_come_from_the_titles_and_head_every_page(live: LiveSite) -> None:
    # A site of its own, so that only these titles make its sections.
    titles = [
        "Documentary prize goes to river film",
        "A documentary about lighthouses",
        "Documentary week opens at the harbour",
        "Harbour cinema reopens",
        "Animation studio hires forty",
    ]
    with live.engine.begin() as connection:
        connection.execute(
            domain.insert().values(id=40, host="docs.localhost", name="Docs", description="Films")
        )
        connection.execute(
            qa_ai.insert(),
            [
                {
                    "id": FIRST_ID + 10 + n,
                    "domain": 40,
                    "title": title,
                    "slug": f"s{n}",
                    "lead": "x",
                    "date": dt.date(2026, 3, 1 + n),
                }
                for n, title in enumerate(titles)
            ],
        )
    home = HTMLParser(live.get("/", host="docs.localhost").text)
    nav = home.css("header nav[aria-label=Sections] a")
    assert [(a.text(), a.attributes["href"]) for a in nav] == [
        ("Documentary", live.url("/search?q=Documentary", "docs.localhost")),
        ("Harbour", live.url("/search?q=Harbour", "docs.localhost")),
    ]
    # The lead story (the newest) is not repeated in its section.
    assert home.css_first(".lead-story h2 a").text() == "Animation studio hires forty"
    blocks = {s.css_first("h2").text(): [a.text() for a in s.css("li a")] for s in home.css(".home-section")}
    assert blocks == {
        "Documentary": [
            "Documentary week opens at the harbour",
            "A documentary about lighthouses",
            "Documentary prize goes to river film",
        ],
        "Harbour": ["Harbour cinema reopens", "Documentary week opens at the harbour"],
    }
    found = HTMLParser(live.get("/search?q=Documentary", host="docs.localhost").text)
    assert len(found.css(".search-results li")) == 3
    assert [a.text() for a in found.css("header nav[aria-label=Sections] a")] == ["Documentary", "Harbour"]
    article = HTMLParser(live.get(f"/a/{FIRST_ID + 10}/s0", host="docs.localhost").text)
    assert [a.text() for a in article.css("header nav[aria-label=Sections] a")] == ["Documentary", "Harbour"]


def test_the_most_linked_counts_live_reader_links_only(live: LiveSite) -> None:
    assert HTMLParser(live.get("/").text).css_first(".most-linked") is None  # no live links in the demo
    once = demo_article_id(live.engine, title="Harbour Lights cinema in Port Alder reopens")
    pending = demo_article_id(live.engine, title="Carrow film festival names Hanne Lyst")
    rows = []
    for article, count, status in ((SEED_ARTICLE_ID, 3, "live"), (once, 1, "live"), (pending, 5, "pending")):
        rows += [
            {
                "article_id": article,
                "url": f"https://fan{n}.example/{article}",
                "url_key": f"fan{n}.example/{article}",
                "consent": True,
                "status": status,
            }
            for n in range(count)
        ]
    with live.engine.begin() as connection:
        connection.execute(link.insert(), rows)
    block = HTMLParser(live.get("/").text).css_first(".most-linked")
    items = [(li.css_first("a").attributes["href"], li.css_first(".meta").text()) for li in block.css("li")]
    assert [(href.split("/a/")[1].split("/")[0], meta) for href, meta in items] == [
        (str(SEED_ARTICLE_ID), "3 reader links"),
        (str(once), "1 reader link"),
    ]
    # Another site's page counts its own articles only.
    assert HTMLParser(live.get("/", host="news.localhost").text).css_first(".most-linked") is None
