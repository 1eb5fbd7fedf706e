"""Search in the newsroom, on both databases: an owner finds any article of the network in any status, an
editor only their sites', and the sites' own /search still shows published articles only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.newsroom.world import EDITOR, EDITOR_B, OWNER, Staff, World

if TYPE_CHECKING:
    from tests.site.live import LiveSite


@pytest.fixture
def staff(newsroom: LiveSite) -> Iterator[Staff]:
    client = Staff(newsroom.port)
    yield client
    client.close()


def results(staff: Staff, query: str) -> list[tuple[str, str, str]]:
    response = staff.client.get("/newsroom/search", params={"q": query})
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")
    rows = HTMLParser(response.text).css(".search-results tbody tr")
    return [(row.css_first("th a").text(), row.css("td")[0].text(), row.css("td")[1].text()) for row in rows]


def test_an_owner_searches_every_site_in_every_status(staff: Staff, world: World) -> None:
    assert staff.sign_in(OWNER).status_code == 303
    assert results(staff, "secret") == [("Beta's secret draft", "Beta News", "draft")]
    heat = results(staff, "heat")
    assert ("Alpha News", "draft") in {(site, status) for _, site, status in heat}
    page = HTMLParser(staff.client.get("/newsroom/search", params={"q": "heat"}).text)
    assert page.css_first("h1").text() == "Search the network"
    # Snippets come from the body; a draft whose body never names its subject shows none marked (the title
    # matched), so only what is marked is checked.
    assert {mark.text().lower() for mark in page.css(".snippet mark")} <= {"heat"}
    assert page.css(".search-results th a")
    link = page.css_first(".search-results th a").attributes["href"] or ""
    assert staff.client.get(link).status_code == 200  # the article's newsroom page


def test_editors_find_only_their_sites_articles(staff: Staff, newsroom: LiveSite, world: World) -> None:
    assert staff.sign_in(EDITOR).status_code == 303
    assert results(staff, "secret") == []
    assert {site for _, site, _ in results(staff, "heat")} == {"Alpha News"}
    other = Staff(newsroom.port)
    try:
        assert other.sign_in(EDITOR_B).status_code == 303
        assert results(other, "secret") == [("Beta's secret draft", "Beta News", "draft")]
        assert (
            HTMLParser(other.client.get("/newsroom/search").text).css_first("h1").text()
            == "Search your sites"
        )
    finally:
        other.close()


def test_readers_never_find_a_draft(newsroom: LiveSite, world: World) -> None:
    page = HTMLParser(newsroom.get("/search?q=secret", host="b.localhost").text)
    assert not page.css(".search-results li")


def test_signed_out_and_hostile_queries(staff: Staff, newsroom: LiveSite, world: World) -> None:
    assert staff.client.get("/newsroom/search", params={"q": "x"}).status_code in (302, 303)
    assert staff.sign_in(OWNER).status_code == 303
    assert results(staff, '"unclosed OR -* NEAR(') == []
    too_long = staff.client.get("/newsroom/search", params={"q": "word " * 100})
    assert too_long.status_code == 400 and "too long" in too_long.text
    assert staff.client.get("/newsroom/search", params={"q": "heat", "page": "999"}).status_code == 404
