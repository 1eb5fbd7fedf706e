"""``submit_link``: the one way a reader's link gets into the store, for the page's form and for GraphQL.

The pure checks (form, URL) run first; then, in one write transaction, the article is locked, the host is
looked up among the blocked ones, the counts the rules depend on are read, and the link is inserted only if
every rule holds. On SQLite ``begin_write`` takes
the write lock up front (``BEGIN IMMEDIATE``); on PostgreSQL the article row (and, for site-wide duplicates,
the domain row) is locked with ``SELECT ... FOR UPDATE`` and the reader's hash with an advisory lock, so
concurrent submissions are counted one after the other. A refused submission changes nothing.

For the GraphQL engine's ``insert_link_one`` hook: call ``submit_link`` with ``ip_hash`` from the session's
``x-hasura-ip-hash`` preset, and turn a ``Refused`` into ``graphql_error(refused.error)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.blocking import find_block
from qapress.links.blocklist import check_not_blocked
from qapress.links.errors import ArticleNotFound, DuplicateLink, LinkRuleError
from qapress.links.ip_hash import ip_hash as hash_ip
from qapress.links.ip_hash import resolve_salt
from qapress.links.rules import OCCUPYING_STATUSES, LinkRules, StoreCounts, check_counts, check_form
from qapress.links.validation import ValidURL, validate_url
from qapress.settings import get_settings
from qapress.store import begin_write
from qapress.store.backend import lock_writers
from qapress.store.schema import domain, link, qa_ai

RATE_WINDOW = dt.timedelta(hours=1)
#: ``qa_ai.id`` is a 32-bit integer; a larger id would be a database error rather than "not found".
MAX_ARTICLE_ID = 2**31 - 1


@dataclass(frozen=True)
class Accepted:
    """The link was stored as ``pending``; the worker will look for the backlink."""

    id: int
    status: str
    url: str
    url_key: str


@dataclass(frozen=True)
class Refused:
    """The submission broke a rule; ``code`` for GraphQL, ``message`` for the reader."""

    error: LinkRuleError

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        return self.error.message


def submit_link(
    engine: Engine,
    article_id: int,
    url: str,
    consent: bool,
    ip: str | None = None,
    honeypot: str | None = None,
    *,
    ip_hash: str | None = None,
    rules: LinkRules | None = None,
    salt: str | None = None,
    now: dt.datetime | None = None,
) -> Accepted | Refused:
    """Check a reader's link against every rule and store it as pending, or say which rule it breaks.

    ``ip`` is hashed with ``salt`` (default: ``resolve_salt`` of the settings) unless ``ip_hash`` is given.
    ``rules`` default to the settings' (``LinkRules.from_settings``).
    """
    settings = None
    if rules is None:
        settings = get_settings()
        rules = LinkRules.from_settings(settings)
    if ip_hash is None and ip is not None:
        ip_hash = hash_ip(ip, salt if salt is not None else resolve_salt(settings or get_settings()))
    try:
        if not 1 <= article_id <= MAX_ARTICLE_ID:
            raise ArticleNotFound()
        check_form(consent, honeypot)
        valid = validate_url(
            url, rules.policy, rules.max_url_length, trailing_slash_matters=rules.trailing_slash_matters
        )
        with begin_write(engine) as connection:
            link_id = insert_link(connection, article_id, valid, ip_hash, rules, now or utc_now())
    except LinkRuleError as error:
        return Refused(error)
    return Accepted(id=link_id, status="pending", url=valid.url, url_key=valid.key)


def insert_link(
    connection: sa.Connection,
    article_id: int,
    valid: ValidURL,
    ip_hash: str | None,
    rules: LinkRules,
    now: dt.datetime,
    *,
    origin: str = "reader",
) -> int:
    """In a write transaction: lock, count, check, insert. Raises ``LinkRuleError``; returns the new id.

    ``origin`` says how the link came (``reader``: the form or GraphQL; ``webmention``)."""
    check_new_link(connection, article_id, valid, ip_hash, rules, now)
    try:
        inserted = connection.execute(
            link.insert()
            .values(
                article_id=article_id,
                url=valid.url,
                url_key=valid.key,
                consent=True,
                status="pending",
                ip_hash=ip_hash,
                created_at=now,
                origin=origin,
            )
            .returning(link.c.id)
        ).scalar_one()
    except sa.exc.IntegrityError as exc:
        # The partial unique index is the last guard against a duplicate the counts could not see.
        raise DuplicateLink() from exc
    return int(inserted)


def check_new_link(
    connection: sa.Connection,
    article_id: int,
    valid: ValidURL,
    ip_hash: str | None,
    rules: LinkRules,
    now: dt.datetime,
) -> None:
    """In a write transaction: lock what the rules read, count, and raise the ``LinkRuleError`` a new link
    would break. The locks are held until the caller's insert commits."""
    if ip_hash and rules.rate_limit_per_hour:
        lock_writers(connection, _advisory_key(ip_hash))
    article = _lock_article(connection, article_id, rules)
    check_not_blocked(find_block(connection, valid.host))
    counts = StoreCounts(
        links_on_page=_count(connection, link.c.article_id == article_id),
        same_url=_count(connection, *_same_url(valid.key, article_id, article["domain"], rules)),
        from_same_ip_last_hour=(
            _count(
                connection, link.c.ip_hash == ip_hash, link.c.created_at >= now - RATE_WINDOW, any_status=True
            )
            if ip_hash and rules.rate_limit_per_hour
            else 0
        ),
    )
    check_counts(counts, rules)


def _lock_article(connection: sa.Connection, article_id: int, rules: LinkRules) -> sa.RowMapping:
    query = sa.select(qa_ai.c.id, qa_ai.c.domain, qa_ai.c.status).where(qa_ai.c.id == article_id)
    if rules.duplicates_site_wide:
        # Lock order: the domain, then the article; every submission takes them in this order.
        domain_id = connection.execute(sa.select(qa_ai.c.domain).where(qa_ai.c.id == article_id)).scalar()
        if domain_id is not None:
            connection.execute(sa.select(domain.c.id).where(domain.c.id == domain_id).with_for_update())
    article = connection.execute(query.with_for_update()).mappings().first()
    if article is None or article["status"] != "published":
        raise ArticleNotFound()
    return article


def _same_url(key: str, article_id: int, domain_id: int, rules: LinkRules) -> list[Any]:
    if rules.duplicates_site_wide:
        on_site = sa.select(qa_ai.c.id).where(qa_ai.c.domain == domain_id)
        return [link.c.url_key == key, link.c.article_id.in_(on_site)]
    return [link.c.url_key == key, link.c.article_id == article_id]


def _count(connection: sa.Connection, *conditions: Any, any_status: bool = False) -> int:
    where = list(conditions)
    if not any_status:
        where.append(link.c.status.in_(OCCUPYING_STATUSES))
    return int(connection.execute(sa.select(sa.func.count()).select_from(link).where(*where)).scalar_one())


def _advisory_key(ip_hash: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock`` from the first hex digits of the hash."""
    value = int(ip_hash[:16], 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def graphql_error(error: LinkRuleError, path: str = "$") -> dict[str, Any]:
    """A refused submission as a Hasura-shaped GraphQL error."""
    return {"message": error.message, "extensions": {"path": path, "code": error.code}}
