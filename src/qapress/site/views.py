"""View models: what a template shows, built from a page query's response by pure functions.

Nothing here touches the database or HTTP: the route passes the GraphQL ``data`` in and renders what comes
out, so these functions are tested with plain dicts shaped like the page queries' answers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from qapress.site.body import Block, parse_body
from qapress.site.urls import SiteURLs

Row = Mapping[str, Any]


@dataclass(frozen=True)
class LinkItem:
    """A link to an article of the network: its title and canonical URL."""

    title: str
    url: str


@dataclass(frozen=True)
class ReaderLink:
    """A reader's live link; ``href`` is ``None`` when the URL is not http(s) (then it is shown as text)."""

    title: str
    url: str
    href: str | None


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer: str


@dataclass(frozen=True)
class Article:
    id: int
    domain: int
    title: str
    slug: str
    url: str
    lead: str
    blocks: list[Block]
    faq: list[FaqItem]
    outro: str
    date: dt.date | None
    modified: dt.datetime | None
    image_url: str | None
    image_credit: str | None
    src_id: int | None
    #: The image a share or a search result shows: the article's own, else its generated card.
    share_image: str = ""


@dataclass(frozen=True)
class ArticlePage:
    """Everything the article template shows."""

    article: Article
    related: list[LinkItem]
    network: list[LinkItem]
    source: LinkItem | None
    reader_links: list[ReaderLink] = field(default_factory=list)
    #: Articles like this one by their text (the seed's ``related`` is the site's newest).
    similar: list[LinkItem] = field(default_factory=list)


def long_date(value: dt.date | None) -> str:
    """A date as the seed writes it: ``February 25, 2026``."""
    if value is None:
        return ""
    return f"{value.strftime('%B')} {value.day}, {value.year}"


def parse_date(value: Any) -> dt.date | None:
    """A GraphQL ``date`` (``"2026-02-25"``), or ``None`` when absent or malformed."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A GraphQL ``timestamptz`` as an aware datetime (UTC when the database gave no offset)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def last_edit(row: Mapping[str, Any]) -> dt.datetime | None:
    """When the article was last edited, for feeds' ``updated`` and ``dateModified``; None if it never was.

    ``updated_at`` of an article as it was made or imported (``version`` 1) is when it came into this
    store, not an edit: then the callers fall back to its date. A row without ``version`` is taken as edited.
    """
    version = row.get("version")
    if isinstance(version, int) and version <= 1:
        return None
    return parse_timestamp(row.get("updated_at"))


def parse_faq(value: Any) -> list[FaqItem]:
    """The FAQ column (a JSON list of ``{question, answer}``, or its text on SQLite); bad entries are left out."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    items = []
    for entry in value:
        if (
            isinstance(entry, Mapping)
            and isinstance(entry.get("question"), str)
            and entry["question"].strip()
        ):
            answer = entry.get("answer")
            items.append(
                FaqItem(entry["question"].strip(), answer.strip() if isinstance(answer, str) else "")
            )
    return items


def safe_href(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL, else ``None``: a ``javascript:`` URL never becomes a link."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def first_row(rows: Any) -> Row | None:
    """The one row of a ``limit: 1`` field (absent when ``@include`` left it out)."""
    if isinstance(rows, list) and rows and isinstance(rows[0], Mapping):
        return rows[0]
    return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def article_from_row(row: Row, urls: SiteURLs) -> Article:
    slug = str(row.get("slug") or "")
    image_url = safe_href(str(row["image_url"])) if row.get("image_url") else None
    return Article(
        id=int(row["id"]),
        domain=int(row.get("domain") or urls.site.id),
        title=str(row.get("title") or ""),
        slug=slug,
        url=urls.article(int(row["id"]), slug, row.get("domain")),
        lead=str(row.get("lead") or ""),
        blocks=parse_body(str(row.get("text") or "")),
        faq=parse_faq(row.get("faq")),
        outro=str(row.get("outro") or ""),
        date=parse_date(row.get("date")),
        modified=last_edit(row),
        image_url=image_url,
        image_credit=str(row["image_credit"]) if row.get("image_credit") else None,
        src_id=_int_or_none(row.get("src_id")),
        share_image=image_url or urls.card(int(row["id"]), row.get("domain")),
    )


def link_items(rows: Any, urls: SiteURLs) -> list[LinkItem]:
    """Titles and canonical URLs of listed articles (``domain`` picks another site's host when present)."""
    if not isinstance(rows, Sequence):
        return []
    return [
        LinkItem(
            str(row.get("title") or ""),
            urls.article(int(row["id"]), str(row.get("slug") or ""), row.get("domain")),
        )
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("id"), int)
    ]


def reader_links(rows: Any) -> list[ReaderLink]:
    if not isinstance(rows, Sequence):
        return []
    links = []
    for row in rows:
        if isinstance(row, Mapping) and isinstance(row.get("url"), str):
            url = row["url"]
            title = row.get("title")
            links.append(
                ReaderLink(title if isinstance(title, str) and title.strip() else url, url, safe_href(url))
            )
    return links


def article_page(data: Row, urls: SiteURLs) -> ArticlePage | None:
    """The article page from the page query's ``data``; ``None`` when ``self`` found no article."""
    row = first_row(data.get("self"))
    if row is None:
        return None
    source = link_items(data.get("source"), urls)
    return ArticlePage(
        article=article_from_row(row, urls),
        related=link_items(data.get("linksarticle"), urls),
        network=link_items(data.get("linksbottom"), urls),
        source=source[0] if source else None,
        reader_links=reader_links(data.get("readerlinks")),
        similar=link_items(data.get("similar"), urls),
    )


@dataclass(frozen=True)
class ListedArticle:
    title: str
    url: str
    lead: str
    date: dt.date | None
    modified: dt.datetime | None
    #: The article's image, or its generated card when it has none (``has_own_image`` tells which).
    image: str = ""
    has_own_image: bool = False


def listed_articles(rows: Any, urls: SiteURLs) -> list[ListedArticle]:
    """Articles of a list page (home, feed, sitemap)."""
    if not isinstance(rows, Sequence):
        return []
    listed = []
    for row in rows:
        if not isinstance(row, Mapping) or not isinstance(row.get("id"), int):
            continue
        own = safe_href(str(row["image_url"])) if row.get("image_url") else None
        listed.append(
            ListedArticle(
                title=str(row.get("title") or ""),
                url=urls.article(int(row["id"]), str(row.get("slug") or "")),
                lead=str(row.get("lead") or ""),
                date=parse_date(row.get("date")),
                modified=last_edit(row),
                image=own or urls.card(int(row["id"])),
                has_own_image=own is not None,
            )
        )
    return listed
