"""``FeedPoller``: polls the feeds that are due, and turns each new item into a draft queued for review.

One poll of one feed: claim it (``repository.claim_feed``), fetch it through the SSRF-safe fetcher with its
``ETag`` and ``Last-Modified`` (a 304 means nothing new), parse it, and for each item the feed has not listed
before: fetch the item's page through the same fetcher and policy as ``qapress ingest URL``, store it as a
source (a page already stored, from this feed or any other, is not drafted twice), draft it with the
extractive backend, check it, and queue the draft. A feed with ``auto_publish`` publishes the drafts whose
check passed with nothing left unverified; the others wait for an editor.

A feed that fails (network, HTTP status, malformed XML) keeps its error for ``qapress feeds list`` and is
tried again later, backing off; the other feeds are polled all the same. An item that fails for good (a
private address, a 404, a page without article text) is recorded as failed; one that fails for a passing
reason (a timeout, a 5xx) is tried again on the next polls, even a 304's, up to ``MAX_ITEM_TRIES`` times.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from qapress.engine.driver_errors import outage
from qapress.feeds import repository as repo
from qapress.feeds.errors import FeedError
from qapress.feeds.parse import FEED_TYPES, FeedEntry, parse_feed
from qapress.generate.backend import Backend
from qapress.generate.draft import SourceDocument
from qapress.generate.errors import GenerateError
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.fetch import explain, fetch_page, ingest_policy
from qapress.generate.grounding import GroundingReport
from qapress.generate.pipeline import generate_article, publish_article
from qapress.generate.repository import store_source
from qapress.generate.sources import parse_html, parse_plain_text
from qapress.links import errors as links_errors
from qapress.links.fetcher import FetchPolicy, PageFetcher
from qapress.settings import Settings

log = logging.getLogger("qapress.feeds")

FEED_USER_AGENT = "qapress-feeds/0.1 (+https://github.com/qapress)"
MAX_ITEM_TRIES = 3


@dataclass(frozen=True)
class FeedSchedule:
    poll_every: dt.timedelta = dt.timedelta(minutes=30)
    lease: dt.timedelta = dt.timedelta(minutes=10)
    max_backoff: dt.timedelta = dt.timedelta(hours=24)
    max_items: int = 50

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedSchedule:
        return cls(
            poll_every=dt.timedelta(seconds=settings.feeds_poll_seconds),
            lease=dt.timedelta(seconds=settings.feeds_lease_seconds),
            max_items=settings.feeds_max_items_per_poll,
        )

    def after_failure(self, failures: int) -> dt.timedelta:
        """Wait before polling a feed that failed ``failures`` times in a row: doubling, capped."""
        return min(self.poll_every * (1 << min(max(0, failures - 1), 16)), self.max_backoff)


@dataclass(frozen=True)
class ItemResult:
    key: str
    url: str | None
    status: str  # drafted, published, duplicate, retry or failed
    article_id: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class PollResult:
    feed_id: int
    url: str
    outcome: str  # polled, not-modified or failed
    items: tuple[ItemResult, ...] = ()
    error: str | None = None


def feed_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy of a feed: the addresses and limits of ``qapress ingest URL``, feed types accepted."""
    return replace(ingest_policy(settings), accept_types=FEED_TYPES, user_agent=FEED_USER_AGENT)


def has_unverified(report: GroundingReport) -> bool:
    """Whether the check left anything for the editor to verify (claims it could not decide).

    Read from the report's JSON, so that it holds whatever shape the grounding check gives its claims: any
    ``unverified`` entry that is set, or any claim whose status or verdict is ``unverified``."""
    return _mentions_unverified(report.to_json())


def _mentions_unverified(value: Any) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "unverified" and item:
                return True
            if key in ("status", "verdict") and item == "unverified":
                return True
            if _mentions_unverified(item):
                return True
    elif isinstance(value, list):
        return any(_mentions_unverified(item) for item in value)
    return False


class FeedPoller:
    """Polls due feeds and drafts their new items; safe to run in several workers at once."""

    def __init__(
        self,
        engine: Engine,
        *,
        feed_fetch: FetchPolicy,
        page_fetch: FetchPolicy,
        schedule: FeedSchedule | None = None,
        backend: Backend | None = None,
    ) -> None:
        self.engine = engine
        self.feed_fetch = feed_fetch
        self.page_fetch = page_fetch
        self.schedule = schedule or FeedSchedule()
        self.backend = backend or ExtractiveBackend()

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> FeedPoller:
        return cls(
            engine,
            feed_fetch=feed_policy(settings),
            page_fetch=ingest_policy(settings),
            schedule=FeedSchedule.from_settings(settings),
        )

    def run_once(self, now: dt.datetime | None = None, limit: int = 100) -> list[PollResult]:
        """Poll every feed due now that no other worker has claimed."""
        now = now or dt.datetime.now(dt.UTC)
        results = []
        for _ in range(limit):
            feed_id = repo.claim_next_feed(self.engine, now, self.schedule.lease)
            if feed_id is None:
                break
            feed = repo.get_feed(self.engine, feed_id)
            try:
                result = self.poll(feed, now)
            except Exception as exc:  # e.g. the store went away mid-poll: keep the reason, poll the others
                if outage(exc) is not None:
                    raise  # the worker waits the outage out with one line; recording the failure would fail too
                log.exception("feed %s: the poll failed", feed_id)
                result = self._failed(feed, now, f"the poll failed: {type(exc).__name__}: {exc}")
            log.info(
                "feed %s: %s, %d new items %s", feed_id, result.outcome, len(result.items), result.error or ""
            )
            results.append(result)
        return results

    def poll(self, feed: repo.Feed, now: dt.datetime) -> PollResult:
        """One poll of a claimed feed; never raises for what the feed or its items do."""
        try:
            page = PageFetcher(self.feed_fetch).fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except links_errors.FetchError as exc:
            return self._failed(feed, now, self._explain(feed.url, exc))
        if page.not_modified:
            items = self._retry_items(feed, feed.title)
            self._polled(feed, now, page.etag, page.last_modified, None)
            return PollResult(feed.id, feed.url, "not-modified", tuple(items))
        try:
            parsed = parse_feed(page.body, url=page.url, content_type=page.content_type)
        except FeedError as exc:
            return self._failed(feed, now, str(exc))
        publisher = parsed.title or feed.title
        items = self._retry_items(feed, publisher)
        for entry in parsed.entries[: self.schedule.max_items]:
            item_id = repo.take_item(self.engine, feed.id, entry.key, entry.url, entry.title)
            if item_id is not None:
                items.append(self._draft_item(feed, publisher, entry, item_id, tried=0))
        self._polled(feed, now, page.etag, page.last_modified, parsed.title)
        return PollResult(feed.id, feed.url, "polled", tuple(items))

    def _retry_items(self, feed: repo.Feed, publisher: str | None) -> list[ItemResult]:
        retried = []
        for item in repo.items_to_retry(self.engine, feed.id, self.schedule.max_items):
            entry = FeedEntry(item.key, item.url, item.title, None)
            retried.append(self._draft_item(feed, publisher, entry, item.id, tried=item.attempts))
        return retried

    def _draft_item(
        self, feed: repo.Feed, publisher: str | None, entry: FeedEntry, item_id: int, *, tried: int
    ) -> ItemResult:
        def done(status: str, detail: str | None = None, **ids: int | None) -> ItemResult:
            failed = status in ("failed", "retry")
            repo.finish_item(self.engine, item_id, status, error=detail if failed else None, **ids)
            return ItemResult(entry.key, entry.url, status, ids.get("article_id"), detail)

        if not entry.url:
            return done("failed", "the item has no link to fetch")
        try:
            document = self._read_item(entry.url, entry, publisher)
            stored = store_source(self.engine, document)
            result = generate_article(
                self.engine, stored.id, feed.domain_id, self.backend, only_if_unused=True
            )
        except GenerateError as exc:
            again = _is_transient(exc) and tried + 1 < MAX_ITEM_TRIES
            return done("retry" if again else "failed", str(exc))
        except Exception as exc:  # a page that breaks a parser must not stop the feed's other items
            log.exception("feed %s: item %s could not be drafted", feed.id, entry.url)
            return done("failed", f"could not be drafted: {type(exc).__name__}: {exc}")
        if result.skipped or result.article_id is None or result.report is None:
            return done("duplicate", "the page was already drafted from", source_id=stored.id)
        if feed.auto_publish and result.report.passed and not has_unverified(result.report):
            try:
                publish_article(self.engine, result.article_id)
            except GenerateError as exc:
                return done(
                    "drafted", f"not published: {exc}", source_id=stored.id, article_id=result.article_id
                )
            return done("published", None, source_id=stored.id, article_id=result.article_id)
        return done("drafted", result.report.summary(), source_id=stored.id, article_id=result.article_id)

    def _read_item(self, url: str, entry: FeedEntry, feed_title: str | None) -> SourceDocument:
        """The item's page as a source, credited to its publisher: the page's own name, else the feed's."""
        page = fetch_page(url, self.page_fetch)
        if page.is_html:
            document = parse_html(page.text, url=page.url, what=url)
        else:
            document = replace(parse_plain_text(page.text, what=url), url=page.url)
        publisher = document.publisher
        if not publisher or publisher == urlsplit(page.url).hostname:
            publisher = feed_title or publisher
        return replace(
            document,
            publisher=publisher,
            author=document.author or entry.author,
            date=document.date or entry.published,
        )

    def _explain(self, url: str, error: links_errors.FetchError) -> str:
        if isinstance(error, links_errors.UnacceptedContentType):
            return f"{url}: not a feed (Content-Type: {error.content_type or 'none'})"
        return explain(url, error, self.feed_fetch)

    def _polled(
        self,
        feed: repo.Feed,
        now: dt.datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None:
        repo.record_poll(
            self.engine,
            feed.id,
            now=now,
            next_poll_at=now + self.schedule.poll_every,
            etag=etag,
            last_modified=last_modified,
            title=title,
        )

    def _failed(self, feed: repo.Feed, now: dt.datetime, error: str) -> PollResult:
        wait = self.schedule.after_failure(feed.failures + 1)
        repo.record_failure(self.engine, feed.id, now=now, next_poll_at=now + wait, error=error)
        return PollResult(feed.id, feed.url, "failed", error=error)


def _is_transient(error: BaseException) -> bool:
    """Whether a fetch error, or what caused it, is worth another try later (a timeout, a 5xx, a 429)."""
    current: BaseException | None = error
    while current is not None:
        if getattr(current, "transient", False):
            return True
        current = current.__cause__
    return False
