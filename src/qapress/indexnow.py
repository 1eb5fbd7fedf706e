"""IndexNow (https://www.indexnow.org/documentation): tell search engines which article URLs changed.

Triggers on ``qa_ai`` (migration 0010) queue a ping in ``indexnow_ping`` when an article is published,
edited while published, or taken down (unpublished, withdrawn). The worker's pass sends the due pings,
one POST per site with its URLs, and retries a failed one later (1, 2, 4 ... minutes, up to
``indexnow_max_attempts`` tries). The key is served by every site at ``/indexnow-key.txt``, the
``keyLocation`` of every ping. ``indexnow_enabled`` is off by default: pings then wait, unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.settings import Settings
from qapress.store.local_secrets import persisted_secret
from qapress.store.schema import domain, indexnow_ping, qa_ai
from qapress.store.urls import article_url, site_base_url

log = logging.getLogger("qapress.indexnow")

KEY_FILE_NAME = "indexnow-key"
KEY_PATH = "/indexnow-key.txt"
#: IndexNow's rule for a key: 8 to 128 characters of a-z, A-Z, 0-9 and "-".
VALID_KEY = re.compile(r"[A-Za-z0-9-]{8,128}")
#: Answers meaning the ping was taken (IndexNow: 200 OK, 202 Accepted).
ACCEPTED = (200, 202)
BATCH = 10_000  # IndexNow takes up to 10,000 URLs per request


class IndexNowKeyError(ValueError):
    """The configured key is not one IndexNow accepts."""


def indexnow_key(settings: Settings) -> str:
    """The configured key, or the one generated once into the data folder."""
    if settings.indexnow_key is not None:
        if not VALID_KEY.fullmatch(settings.indexnow_key):
            raise IndexNowKeyError("QAPRESS_INDEXNOW_KEY must be 8-128 characters of a-z, A-Z, 0-9 and -")
        return settings.indexnow_key
    return persisted_secret(settings.data_dir / KEY_FILE_NAME)  # 64 hex digits: a valid key


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return dt.timedelta(minutes=2 ** min(attempts - 1, 10))


@dataclass(frozen=True)
class PingBatch:
    host: str
    urls: list[str]
    ping_ids: list[int]


@dataclass
class PingResult:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class IndexNowPinger:
    """Sends the due pings of ``indexnow_ping`` to the configured endpoint (an operator's setting, not
    user input, so a plain HTTP client rather than the links' SSRF-checked fetcher)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.client = httpx.Client(timeout=10.0, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def due(self, now: dt.datetime) -> list[PingBatch]:
        """The due pings grouped by site, each with its article's canonical URL."""
        query = (
            sa.select(indexnow_ping.c.id, qa_ai.c.id.label("article_id"), qa_ai.c.slug, domain.c.host)
            .join(qa_ai, qa_ai.c.id == indexnow_ping.c.article_id)
            .join(domain, domain.c.id == qa_ai.c.domain)
            .where(
                indexnow_ping.c.sent_at.is_(None),
                indexnow_ping.c.attempts < self.settings.indexnow_max_attempts,
                sa.or_(indexnow_ping.c.next_attempt_at.is_(None), indexnow_ping.c.next_attempt_at <= now),
            )
            .order_by(indexnow_ping.c.id)
            .limit(BATCH)
        )
        by_host: dict[str, PingBatch] = {}
        grouped: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                url = article_url(
                    row.host,
                    row.article_id,
                    row.slug,
                    self.settings.public_scheme,
                    self.settings.public_base_url,
                )
                grouped[row.host].append((row.id, url))
        for host, pings in grouped.items():
            by_host[host] = PingBatch(host, [url for _, url in pings], [ping_id for ping_id, _ in pings])
        return list(by_host.values())

    def run_once(self, now: dt.datetime | None = None) -> PingResult:
        """Send what is due (nothing when IndexNow is off); a failure is kept for a later retry."""
        result = PingResult()
        if not self.settings.indexnow_enabled:
            return result
        moment = now or dt.datetime.now(dt.UTC)
        key = indexnow_key(self.settings)
        for batch in self.due(moment):
            origin = site_base_url(batch.host, self.settings.public_scheme, self.settings.public_base_url)
            body = {"host": batch.host, "key": key, "keyLocation": origin + KEY_PATH, "urlList": batch.urls}
            error: str | None = None
            try:
                response = self.client.post(self.settings.indexnow_endpoint, json=body)
                if response.status_code not in ACCEPTED:
                    error = f"{self.settings.indexnow_endpoint} answered {response.status_code}"
            except httpx.HTTPError as exc:
                error = f"{self.settings.indexnow_endpoint}: {exc.__class__.__name__}: {exc}"
            self._record(batch, moment, error)
            if error is None:
                result.sent += len(batch.urls)
            else:
                result.failed += len(batch.urls)
                result.errors.append(error)
                log.warning("IndexNow ping for %s failed: %s", batch.host, error)
        return result

    def _record(self, batch: PingBatch, now: dt.datetime, error: str | None) -> None:
        ids = indexnow_ping.c.id.in_(batch.ping_ids)
        with self.engine.begin() as connection:
            if error is None:
                connection.execute(sa.update(indexnow_ping).where(ids).values(sent_at=now, last_error=None))
                return
            for ping_id, attempts in connection.execute(
                sa.select(indexnow_ping.c.id, indexnow_ping.c.attempts).where(ids)
            ).all():
                connection.execute(
                    sa.update(indexnow_ping)
                    .where(indexnow_ping.c.id == ping_id)
                    .values(
                        attempts=attempts + 1,
                        next_attempt_at=now + retry_delay(attempts + 1),
                        last_error=error[:1000],
                    )
                )
