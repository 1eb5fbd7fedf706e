"""The home page's view model: a lead story with its image, the newest articles, sections, the most linked.

Pure, like ``views``: built from the home query's ``data`` (``templates/home.graphql``). The lead story is the
newest article with an image of its own, else the newest (its generated card stands in for the image).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qapress.site.sections import find_sections
from qapress.site.urls import SiteURLs
from qapress.site.views import LinkItem, ListedArticle, listed_articles

#: Articles listed under each section on the home page.
SECTION_ITEMS = 4
#: How far down the newest the lead story may be found for having an image of its own.
LEAD_WINDOW = 5


@dataclass(frozen=True)
class SectionView:
    """A section as a page shows it: its label, its search URL, and (on the home page) some of its articles."""

    label: str
    anchor: str
    url: str
    items: list[LinkItem]


@dataclass(frozen=True)
class LinkedItem:
    title: str
    url: str
    links: int


@dataclass(frozen=True)
class HomePage:
    lead: ListedArticle | None
    newest: list[ListedArticle]
    sections: list[SectionView]
    linked: list[LinkedItem]


def site_sections(
    rows: Any, urls: SiteURLs, skip: frozenset[str] = frozenset(), *, with_items: bool = True
) -> list[SectionView]:
    """The sections of a site from its newest titles (``topics`` in the page queries), with their articles.

    ``skip`` holds article URLs already on the page (the lead story), left out of the sections' lists. Pages
    that show only the sections' names (the navigation of articles and search) ask ``with_items=False``:
    no URL is built for the forty titles then.
    """
    if not isinstance(rows, Sequence):
        return []
    kept = [row for row in rows if isinstance(row, Mapping) and isinstance(row.get("id"), int)]
    titles = [str(row.get("title") or "") for row in kept]
    views = []
    for section in find_sections(titles):
        members: list[LinkItem] = []
        if with_items:
            for index in section.members:
                row = kept[index]
                url = urls.article(int(row["id"]), str(row.get("slug") or ""))
                if url not in skip:
                    members.append(LinkItem(titles[index], url))
        views.append(
            SectionView(
                section.label, f"section-{section.key}", urls.search(section.label), members[:SECTION_ITEMS]
            )
        )
    return views


def linked_items(rows: Any, urls: SiteURLs) -> list[LinkedItem]:
    if not isinstance(rows, Sequence):
        return []
    return [
        LinkedItem(
            str(row.get("title") or ""),
            urls.article(int(row["id"]), str(row.get("slug") or "")),
            int(row.get("links") or 0),
        )
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("id"), int)
    ]


def home_page(data: Mapping[str, Any], urls: SiteURLs, page_size: int, first_page: bool) -> HomePage:
    """The home page from its query's ``data``; only the first page has a lead story and the side blocks."""
    articles = listed_articles((data.get("articles") or [])[:page_size], urls)
    if not first_page or not articles:
        return HomePage(None, articles, site_sections(data.get("topics"), urls), [])
    lead_index = next((index for index, item in enumerate(articles[:LEAD_WINDOW]) if item.has_own_image), 0)
    lead = articles[lead_index]
    newest = articles[:lead_index] + articles[lead_index + 1 :]
    return HomePage(
        lead,
        newest,
        site_sections(data.get("topics"), urls, frozenset({lead.url})),
        linked_items(data.get("linked"), urls),
    )
