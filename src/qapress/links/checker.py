"""``BacklinkChecker``: fetch a link's page, look for the backlink, move the link to its next status.

Statuses: ``pending`` -> ``live`` when the page links back, ``rejected`` (with a reason) when it does not or
cannot be checked. A ``live`` link is checked again every ``recheck_interval``: it becomes ``hidden`` when the
backlink is gone and ``live`` again when it returns. Network errors (timeouts, refused connections, 5xx) are
retried with exponential backoff; after ``tries`` failures they count as final.

A link to a blocked host (``links.blocking``) is never fetched: pending becomes rejected, live stays hidden;
this also catches a link submitted while its host was being blocked.

``next_transition`` is the pure decision; ``BacklinkChecker`` does the I/O around it. Links are claimed before
their fetch (``next_check_at`` moved ahead by a lease, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL:
``store.claims``), so several workers never check one link at once, and a moderator's decision taken during
a fetch is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.backlink import find_backlink
from qapress.links.blocking import BLOCKED_REASON, find_block
from qapress.links.blocklist import BlockedHost
from qapress.links.errors import FetchError, LinkNotFound, ModerationError
from qapress.links.fetcher import FetchPolicy, PageFetcher
from qapress.links.moderation import approve_link
from qapress.settings import Settings
from qapress.store.claims import claim_next, claim_one
from qapress.store.schema import domain, link, qa_ai
from qapress.store.urls import article_url

CHECKED_STATUSES = ("pending", "live", "hidden")


@dataclass(frozen=True)
class CheckSchedule:
    """When links are checked: retries of network errors, and the periodic re-check of live links."""

    tries: int = 3
    retry_base: dt.timedelta = dt.timedelta(minutes=1)
    recheck_interval: dt.timedelta = dt.timedelta(days=1)
    lease: dt.timedelta = dt.timedelta(minutes=5)

    @classmethod
    def from_settings(cls, settings: Settings) -> CheckSchedule:
        return cls(
            tries=settings.links_check_tries,
            retry_base=dt.timedelta(seconds=settings.links_retry_base_seconds),
            recheck_interval=dt.timedelta(seconds=settings.links_recheck_seconds),
            lease=dt.timedelta(seconds=max(60.0, settings.fetch_total_timeout * 4)),
        )


@dataclass(frozen=True)
class Found:
    title: str | None


@dataclass(frozen=True)
class Missing:
    reason: str


@dataclass(frozen=True)
class Failed:
    error: FetchError


Observation = Found | Missing | Failed


@dataclass(frozen=True)
class Transition:
    """The columns a check writes. ``title`` None keeps the stored title."""

    status: str
    reason: str | None
    attempts: int
    next_check_at: dt.datetime | None
    title: str | None = None


def next_transition(
    status: str, attempts: int, observation: Observation, now: dt.datetime, schedule: CheckSchedule
) -> Transition:
    """Where a link in ``status`` (after ``attempts`` failed tries) goes after this observation."""
    recheck = now + schedule.recheck_interval
    if isinstance(observation, Found):
        return Transition("live", None, 0, recheck, observation.title)
    if isinstance(observation, Failed) and observation.error.transient:
        failures = attempts + 1
        if failures < schedule.tries:
            delay = schedule.retry_base * (2 ** (failures - 1))
            reason = f"try {failures} of {schedule.tries} failed, retrying: {observation.error}"
            return Transition(status, reason, failures, now + delay)
        reason = f"could not reach the page after {schedule.tries} tries: {observation.error}"
    elif isinstance(observation, Failed):
        reason = str(observation.error)
    else:
        reason = observation.reason
    if status in ("pending", "rejected"):
        return Transition("rejected", reason, 0, None)
    return Transition("hidden", reason, 0, recheck)


@dataclass(frozen=True)
class CheckResult:
    """One check, as the CLI and the logs show it."""

    link_id: int
    url: str
    before: str
    after: str
    reason: str | None
    title: str | None


class BacklinkChecker:
    """Checks links of the store: lists the due ones (``due``) and checks one (``check``)."""

    def __init__(
        self,
        engine: Engine,
        fetcher: PageFetcher,
        schedule: CheckSchedule,
        *,
        public_scheme: str = "https",
        public_base_url: str | None = None,
        max_per_page: int = 5,
    ) -> None:
        self.max_per_page = max_per_page
        self.engine = engine
        self.fetcher = fetcher
        self.schedule = schedule
        self.public_scheme = public_scheme
        self.public_base_url = public_base_url

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> BacklinkChecker:
        return cls(
            engine,
            PageFetcher(FetchPolicy.from_settings(settings)),
            CheckSchedule.from_settings(settings),
            public_scheme=settings.public_scheme,
            public_base_url=settings.public_base_url,
            max_per_page=settings.links_max_per_page,
        )

    def due(self, now: dt.datetime, limit: int = 50) -> list[int]:
        """Ids of the links whose check is due, oldest first."""
        query = (
            sa.select(link.c.id)
            .where(link.c.status.in_(CHECKED_STATUSES), _is_due(now))
            .order_by(link.c.next_check_at.is_(None).desc(), link.c.next_check_at, link.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [int(link_id) for link_id in connection.execute(query).scalars()]

    def check(
        self, link_id: int, *, now: dt.datetime | None = None, claim: bool = False
    ) -> CheckResult | None:
        """Check one link now. With ``claim``, only if it is still due and no other worker took it."""
        now = now or _utc_now()
        row = self._load(link_id)
        if row is None:
            raise LinkNotFound(f"no link with id {link_id}")
        if claim and not self._claim(link_id, now):
            return None
        block = self._block(row["url_key"])
        if block is not None:
            return self._keep_blocked(row, block, now)
        canonical = article_url(
            row["host"], row["article_id"], row["slug"], self.public_scheme, self.public_base_url
        )
        observation = self._observe(row["url"], canonical, media=row["origin"] == "webmention")
        transition = next_transition(row["status"], row["attempts"], observation, now, self.schedule)
        if row["status"] == "rejected" and transition.status == "live":
            return self._reopen(row, transition, now)
        values: dict[str, object] = {
            "status": transition.status,
            "reason": transition.reason,
            "attempts": transition.attempts,
            "next_check_at": transition.next_check_at,
            "checked_at": now,
        }
        if transition.title is not None:
            values["title"] = transition.title
        with self.engine.begin() as connection:
            updated = connection.execute(
                link.update().where(link.c.id == link_id, link.c.status == row["status"]).values(**values)
            )
        if updated.rowcount != 1:
            # A moderator decided while the page was being fetched: their decision stands.
            return CheckResult(
                link_id, row["url"], row["status"], row["status"], "changed during the check", None
            )
        return CheckResult(
            link_id, row["url"], row["status"], transition.status, transition.reason, transition.title
        )

    def _block(self, url_key: str) -> BlockedHost | None:
        with self.engine.connect() as connection:
            return find_block(connection, (urlsplit(url_key).hostname or "").lower())

    def _keep_blocked(self, row: sa.RowMapping, block: BlockedHost, now: dt.datetime) -> CheckResult:
        """A link to a blocked host is not fetched: pending becomes rejected, live or hidden stays hidden."""
        reason = BLOCKED_REASON + (block.reason or block.describe())
        status = row["status"]
        if status == "rejected":
            return CheckResult(row["id"], row["url"], status, status, reason, None)
        after = "rejected" if status == "pending" else "hidden"
        next_check = None if after == "rejected" else now + self.schedule.recheck_interval
        with self.engine.begin() as connection:
            connection.execute(
                link.update()
                .where(link.c.id == row["id"], link.c.status == status)
                .values(status=after, reason=reason, attempts=0, next_check_at=next_check, checked_at=now)
            )
        return CheckResult(row["id"], row["url"], status, after, reason, None)

    def _reopen(self, row: sa.RowMapping, transition: Transition, now: dt.datetime) -> CheckResult:
        """A rejected link whose page now links back: live again if its page has room and no twin URL."""
        try:
            approve_link(self.engine, row["id"], self.schedule.recheck_interval, self.max_per_page, now)
        except ModerationError as error:
            return CheckResult(row["id"], row["url"], "rejected", "rejected", str(error), transition.title)
        if transition.title is not None:
            with self.engine.begin() as connection:
                connection.execute(link.update().where(link.c.id == row["id"]).values(title=transition.title))
        return CheckResult(row["id"], row["url"], "rejected", "live", None, transition.title)

    def _observe(self, url: str, canonical: str, *, media: bool = False) -> Observation:
        try:
            page = self.fetcher.fetch(url)
        except FetchError as error:
            return Failed(error)
        backlink = find_backlink(page.text, page.url, canonical, media=media)
        if backlink.found:
            return Found(backlink.title)
        return Missing(f"no link back to {canonical} on {page.url}")

    def _load(self, link_id: int) -> sa.RowMapping | None:
        query = (
            sa.select(
                link.c.id,
                link.c.url,
                link.c.url_key,
                link.c.status,
                link.c.attempts,
                link.c.origin,
                link.c.article_id,
                qa_ai.c.slug,
                domain.c.host,
            )
            .join(qa_ai, qa_ai.c.id == link.c.article_id)
            .join(domain, domain.c.id == qa_ai.c.domain)
            .where(link.c.id == link_id)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).mappings().first()

    def claim_next(self, now: dt.datetime) -> int | None:
        """Claim the link whose check is the most overdue (``store.claims``: one worker, on any host, gets
        each); its id, or None when none is due."""
        due = sa.and_(link.c.status.in_(CHECKED_STATUSES), _is_due(now))
        order = [link.c.next_check_at.is_(None).desc(), link.c.next_check_at, link.c.id]
        return claim_next(self.engine, link, due, order, {"next_check_at": now + self.schedule.lease})

    def _claim(self, link_id: int, now: dt.datetime) -> bool:
        due = sa.and_(link.c.status.in_(CHECKED_STATUSES), _is_due(now))
        return claim_one(self.engine, link, link_id, due, {"next_check_at": now + self.schedule.lease})


def count_due_links(engine: Engine, now: dt.datetime | None = None) -> int:
    """How many links wait for a check now (the worker's queue, for ``qapress_queue_depth``)."""
    query = (
        sa.select(sa.func.count())
        .select_from(link)
        .where(link.c.status.in_(CHECKED_STATUSES), _is_due(now or _utc_now()))
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _is_due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(link.c.next_check_at.is_(None), link.c.next_check_at <= now)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
