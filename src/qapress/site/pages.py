"""The pages of a site, as builders: a request's context in, a rendered page (or a redirect) out.

Each builder runs its page's GraphQL query (``queries.py``), turns the answer into view models (``views.py``)
and renders its template. ``article_html`` is the pure part of the article page, for tests and benchmarks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from qapress.settings import Settings
from qapress.site import cache_tags, jsonld
from qapress.site.domains import Domain
from qapress.site.feeds import (
    NEWS_SITEMAP_MAX,
    TAG_YEAR,
    FeedEntry,
    feed_entries,
    json_feed,
    newest_update,
    news_since,
)
from qapress.site.forms import FormState, FormTokens, LinkForm, rules_text
from qapress.site.home import SectionView, home_page, site_sections
from qapress.site.page_cache import RenderedPage
from qapress.site.queries import PageQueries, QueryRun
from qapress.site.render import Renderer
from qapress.site.search import MAX_QUERY_CHARS, SEARCH_PAGE_SIZE, SearchRequest, search_hits
from qapress.site.urls import SiteURLs
from qapress.site.views import ArticlePage, article_page, last_edit, parse_date, parse_timestamp

HTML = "text/html; charset=utf-8"
SITEMAP_PAGE_SIZE = 5_000
FEED_SIZE = 20
#: The article query's ``linksbottom`` limit: the network's newest articles below this one on other sites.
BOTTOM_SIZE = 3


def row_ids(rows: Any) -> list[int]:
    """The ``id`` of each row of a page query's list field (what the page links to)."""
    if not isinstance(rows, list):
        return []
    return [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)]


@dataclass(frozen=True)
class PageContext:
    """What every page of one request knows: its site, its URL builder and its cache key; ``since`` is the
    page cache's generation when the request began (a page built from older data is not stored)."""

    site: Domain
    urls: SiteURLs
    since: int
    cache_key: tuple[str, str]

    def tags(self, *extra: str, articles: Any = ()) -> frozenset[str]:
        return cache_tags.page_tags(self.site.id, *extra, articles=articles)

    @property
    def listing_tags(self) -> frozenset[str]:
        """A page listing the site's articles by a query over all of them (search, sitemaps)."""
        site_id = self.site.id
        return self.tags(cache_tags.listing(site_id), cache_tags.updates(site_id))


def article_html(
    renderer: Renderer,
    site: Domain,
    urls: SiteURLs,
    page: ArticlePage,
    form: LinkForm,
    debug: dict[str, str] | None = None,
    sections: list[SectionView] | None = None,
) -> str:
    """The article page: body, FAQ, related blocks, readers' links, the form, JSON-LD and sharing meta."""
    faq = jsonld.faq_page(page)
    structured: dict[str, Any] = {
        "article": jsonld.script_json(jsonld.news_article(page, site, urls.home())),
        "faq": jsonld.script_json(faq) if faq else None,
        "breadcrumbs": jsonld.script_json(jsonld.breadcrumbs(page, site, urls.home())),
    }
    return renderer.render(
        "article.html",
        site=site,
        urls=urls,
        page=page,
        canonical=page.article.url,
        sections=sections,
        jsonld=structured,
        form=form,
        debug=debug,
    )


class Pages:
    """Builds every page of the sites; ``debug`` adds the query panel to the HTML pages."""

    def __init__(
        self, settings: Settings, queries: PageQueries, renderer: Renderer, tokens: FormTokens, debug: bool
    ) -> None:
        self.settings = settings
        self.queries = queries
        self.renderer = renderer
        self.tokens = tokens
        self.debug = debug

    def html_page(
        self,
        ctx: PageContext,
        template: str,
        status: int = 200,
        tags: frozenset[str] | None = None,
        **context: Any,
    ) -> RenderedPage:
        body = self.renderer.render(template, site=ctx.site, urls=ctx.urls, **context)
        return RenderedPage(status, body.encode(), HTML, time.time(), tags or ctx.listing_tags)

    def error_page(
        self, ctx: PageContext, status: int, heading: str, message: str, tags: frozenset[str] | None = None
    ) -> RenderedPage:
        return self.html_page(ctx, "error.html", status, tags, heading=heading, message=message)

    def link_form(self, action: str, article_id: int, state: FormState) -> LinkForm:
        """The link form posting to ``action``, with a fresh token and what ``state`` keeps."""
        return LinkForm(
            action=action,
            csrf=self.tokens.issue(article_id),
            url=state.url,
            consent=state.consent,
            error=state.error,
            notice=state.notice,
            rules_text=rules_text(self.settings.links_max_per_page),
        )

    def redirect(self, ctx: PageContext, location: str, article_id: int) -> RenderedPage:
        tags = ctx.tags(articles=(article_id,))
        return RenderedPage(301, b"", HTML, time.time(), tags, location=location)

    def debug_panel(self, run: QueryRun) -> dict[str, str] | None:
        if not self.debug:
            return None
        query = "\n".join(line for line in run.query.strip().splitlines() if not line.startswith("#"))
        ms = f"{run.ms:.1f}" if run.ms < 10 else f"{run.ms:.0f}"
        return {"ms": ms, "query": query, "variables": run.variables_json()}

    def article(
        self,
        ctx: PageContext,
        article_id: int,
        slug: str | None,
        form_state: FormState | None = None,
        status: int = 200,
    ) -> RenderedPage:
        """The article (or its 404/410 page, or a 301 to its canonical URL); ``form_state`` after a POST."""
        run = self.queries.article(article_id, ctx.site.id)
        page = article_page(run.data, ctx.urls)
        if page is None:
            # A 404 ends when the id is inserted: its range tag is what a bulk import logs for it.
            gone = ctx.tags(cache_tags.id_range(article_id), articles=(article_id,))
            if self.queries.article_status(article_id) == "withdrawn":
                return self.error_page(
                    ctx, 410, "Article withdrawn", "This article was withdrawn and is gone.", gone
                )
            return self.error_page(
                ctx, 404, "Article not found", "There is no article at this address.", gone
            )
        article = page.article
        if form_state is None and (article.domain != ctx.site.id or (slug or "") != article.slug):
            return self.redirect(ctx, article.url, article_id)
        state = form_state or FormState()
        form = self.link_form(article.url, article.id, state)
        debug = self.debug_panel(run)
        sections = site_sections(run.data.get("topics"), ctx.urls, with_items=False)
        body = article_html(self.renderer, ctx.site, ctx.urls, page, form, debug, sections)
        webmention = f'<{ctx.urls.path("/webmention")}>; rel="webmention"'
        data = run.data
        tags = cache_tags.article_page_tags(
            ctx.site.id,
            article_id,
            shown=[
                *row_ids(data.get("linksarticle")),
                *row_ids(data.get("similar")),
                *row_ids(data.get("source")),
                *row_ids(data.get("topics")),
            ],
            bottom=row_ids(data.get("linksbottom")),
            bottom_size=BOTTOM_SIZE,
        )
        return RenderedPage(status, body.encode(), HTML, time.time(), tags, link_header=webmention)

    def home(self, ctx: PageContext, page_number: int) -> RenderedPage:
        size = self.settings.home_page_size
        run = self.queries.home(ctx.site.id, size, page_number)
        rows = run.data.get("articles") or []
        if page_number > 1 and not rows:
            return self.error_page(ctx, 404, "Page not found", "There are no articles on this page.")
        home = home_page(run.data, ctx.urls, size, page_number == 1)
        return self.html_page(
            ctx,
            "home.html",
            # The lead, the newest, the sections' titles and the most linked: their articles, and on the first
            # page the site's reader-link counts (a link going live anywhere on the site reorders that block).
            tags=ctx.tags(
                cache_tags.listing(ctx.site.id),
                *([cache_tags.link_counts(ctx.site.id)] if page_number == 1 else []),
                articles=[*row_ids(rows), *row_ids(run.data.get("topics")), *row_ids(run.data.get("linked"))],
            ),
            home=home,
            sections=home.sections,
            page_number=page_number,
            canonical=ctx.urls.home(page_number),
            prev_url=ctx.urls.home(page_number - 1) if page_number > 1 else None,
            next_url=ctx.urls.home(page_number + 1) if len(rows) > size else None,
            debug=self.debug_panel(run),
        )

    def search(self, ctx: PageContext, search: SearchRequest) -> RenderedPage:
        """Search results, or the page explaining why none were looked for (empty or too long)."""
        hits, debug, more, sections = [], None, False, []
        if search.runnable:
            run = self.queries.search(search.query, ctx.site.id, SEARCH_PAGE_SIZE, search.page)
            rows = run.data.get("hits") or []
            sections = site_sections(run.data.get("topics"), ctx.urls, with_items=False)
            hits, more, debug = (
                search_hits(rows[:SEARCH_PAGE_SIZE], ctx.urls),
                len(rows) > SEARCH_PAGE_SIZE,
                self.debug_panel(run),
            )
        status = 400 if search.problem else 404 if search.page > 1 and not hits else 200
        return self.html_page(
            ctx,
            "search.html",
            status,
            search=search,
            hits=hits,
            sections=sections,
            max_chars=MAX_QUERY_CHARS,
            first_number=(search.page - 1) * SEARCH_PAGE_SIZE + 1,
            canonical=None,
            prev_url=ctx.urls.search(search.query, search.page - 1) if search.page > 1 and hits else None,
            next_url=ctx.urls.search(search.query, search.page + 1) if more else None,
            debug=debug,
        )

    def xml_page(
        self,
        ctx: PageContext,
        template: str,
        media_type: str,
        tags: frozenset[str] | None = None,
        **context: Any,
    ) -> RenderedPage:
        body = self.renderer.render(template, site=ctx.site, urls=ctx.urls, **context)
        return RenderedPage(200, body.encode(), media_type, time.time(), tags or ctx.listing_tags)

    def sitemap_index(self, ctx: PageContext) -> RenderedPage:
        aggregate = (self.queries.sitemap_index(ctx.site.id).data.get("qa_ai_aggregate") or {}).get(
            "aggregate"
        ) or {}
        count = int(aggregate.get("count") or 0)
        newest = parse_timestamp((aggregate.get("max") or {}).get("updated_at"))
        lastmod = newest.isoformat() if newest else None
        pages = max(1, math.ceil(count / SITEMAP_PAGE_SIZE))
        entries = [
            {"url": ctx.urls.path(f"/sitemap-{n}.xml"), "lastmod": lastmod} for n in range(1, pages + 1)
        ]
        return self.xml_page(ctx, "sitemap_index.xml", "application/xml", entries=entries)

    def sitemap_page(self, ctx: PageContext, number: int) -> RenderedPage:
        run = self.queries.sitemap_page(ctx.site.id, SITEMAP_PAGE_SIZE, (number - 1) * SITEMAP_PAGE_SIZE)
        rows = run.data.get("qa_ai") or []
        if number > 1 and not rows:
            return self.error_page(ctx, 404, "Page not found", "This sitemap page does not exist.")
        entries = [{"url": ctx.urls.home(), "lastmod": None}] if number == 1 else []
        for row in rows:
            modified: dt.date | dt.datetime | None = last_edit(row) or parse_date(row.get("date"))
            entries.append(
                {
                    "url": ctx.urls.article(int(row["id"]), str(row.get("slug") or "")),
                    "lastmod": modified.isoformat() if modified else None,
                }
            )
        return self.xml_page(ctx, "sitemap_page.xml", "application/xml", entries=entries)

    def feed_entries(self, ctx: PageContext) -> tuple[list[FeedEntry], frozenset[str]]:
        """The feed's entries and the tags of a page showing them."""
        rows = self.queries.feed(ctx.site.id, FEED_SIZE).data.get("articles")
        tags = ctx.tags(cache_tags.listing(ctx.site.id), articles=row_ids(rows))
        return feed_entries(rows, ctx.site, ctx.urls), tags

    def feed(self, ctx: PageContext) -> RenderedPage:
        """Atom (RFC 4287) with ``tag:`` ids, real published/updated times and the whole content."""
        entries, tags = self.feed_entries(ctx)
        return self.xml_page(
            ctx,
            "feed.xml",
            "application/atom+xml",
            tags,
            entries=entries,
            updated=newest_update(entries),
            tag_year=TAG_YEAR,
        )

    def rss(self, ctx: PageContext) -> RenderedPage:
        entries, tags = self.feed_entries(ctx)
        updated = format_datetime(newest_update(entries))
        return self.xml_page(
            ctx, "rss.xml", "application/rss+xml", tags, entries=entries, updated_rfc822=updated
        )

    def json_feed(self, ctx: PageContext) -> RenderedPage:
        entries, tags = self.feed_entries(ctx)
        feed = json_feed(entries, ctx.site, ctx.urls)
        body = json.dumps(feed, ensure_ascii=False, indent=1).encode()
        return RenderedPage(200, body, "application/feed+json", time.time(), tags)

    def news_sitemap(self, ctx: PageContext) -> RenderedPage:
        """Google News: the site's articles of the last 48 hours (by their date), at most 1,000."""
        since = news_since(dt.datetime.now(dt.UTC))
        run = self.queries.news_sitemap(ctx.site.id, since.isoformat(), NEWS_SITEMAP_MAX)
        entries = [
            {
                "url": ctx.urls.article(int(row["id"]), str(row.get("slug") or "")),
                "title": str(row.get("title") or ""),
                "date": str(row.get("date") or ""),
            }
            for row in run.data.get("qa_ai") or []
        ]
        return self.xml_page(ctx, "news_sitemap.xml", "application/xml", entries=entries)
