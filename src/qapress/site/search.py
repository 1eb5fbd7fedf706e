"""The search page's pure parts: what a query string asks for, and the hits as view models.

The database marks each matched word of a snippet with U+0002 ... U+0003 (FTS5 ``snippet()``, PostgreSQL
``ts_headline``); the snippet is escaped first and only then are the marks turned into ``<mark>``, so no
article text can become markup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from qapress.site.urls import SiteURLs
from qapress.site.views import parse_date

#: Longest query the page runs; a longer one gets a page saying so.
MAX_QUERY_CHARS = 200
SEARCH_PAGE_SIZE = 10
MAX_SEARCH_PAGE = 50
_MARKED = re.compile("\x02([^\x02\x03]*)\x03")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_STRAY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class SearchRequest:
    """The query as typed (trimmed, for the search box) and why it is not run, if it is not."""

    query: str
    page: int
    problem: str | None = None

    @property
    def runnable(self) -> bool:
        return self.problem is None and bool(self.query)


def read_search(raw_query: str | None, raw_page: str | None) -> SearchRequest | None:
    """The request's search, or None for a page number that names no page (a 404)."""
    page_text = raw_page or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_SEARCH_PAGE:
        return None
    # Control characters (NUL above all, which PostgreSQL's text refuses) are no part of any word.
    query = " ".join(_CONTROL.sub(" ", raw_query or "").split())
    if len(query) > MAX_QUERY_CHARS:
        return SearchRequest(
            query[:MAX_QUERY_CHARS], 1, f"That search is too long: use at most {MAX_QUERY_CHARS} characters."
        )
    return SearchRequest(query, int(page_text))


def marked_snippet(text: str) -> Markup:
    """The snippet escaped, with the database's marks as ``<mark>`` (stray marks dropped)."""
    escaped = str(escape(text))
    marked = _MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", escaped)
    return Markup(_STRAY.sub("", marked))  # noqa: S704 - escaped above; only <mark> is added


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    date: dt.date | None
    snippet: Markup


def search_hits(rows: Any, urls: SiteURLs) -> list[SearchHit]:
    if not isinstance(rows, Sequence):
        return []
    return [
        SearchHit(
            title=str(row.get("title") or ""),
            url=urls.article(int(row["id"]), str(row.get("slug") or ""), row.get("domain")),
            date=parse_date(row.get("date")),
            snippet=marked_snippet(str(row.get("snippet") or row.get("lead") or "")),
        )
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("id"), int)
    ]
