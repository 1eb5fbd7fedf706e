"""Receiving Webmentions (W3C Recommendation, 12 January 2017): a page that links to an article says so.

A reader who links to an article no longer needs the form: their page (or their software) posts
``source`` (their page) and ``target`` (our article) to the endpoint every article advertises. The request
is checked at once (both http(s) URLs, not the same page, the target an article of the site) and answered
202; the source is verified later by the backlink worker, through the same SSRF-safe fetcher, and must
name the target in an ``a``, ``img``, ``video`` or ``audio`` element (``backlink.find_backlink(media=True)``).
A mention is a reader's link with ``origin = 'webmention'``: the same rules (five per page, no duplicates,
the rate limit), the same moderation. A later mention from the same source is an update: its link is
checked again at once, and goes (``hidden``, then off the page) when the source no longer links or is gone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.errors import ArticleNotFound, LinkRuleError, RateLimited
from qapress.links.rules import LinkRules
from qapress.links.submit import insert_link, utc_now
from qapress.links.validation import validate_url
from qapress.store import begin_write
from qapress.store.schema import link, qa_ai

#: A target names an article by its path: ``/a/{id}`` with or without the slug (query and fragment ignored).
_ARTICLE_PATH = re.compile(r"^/a/(\d{1,10})(?:/[^/]*)?/?$")
MAX_URL_LENGTH = 2048


class MentionRefused(ValueError):
    """A Webmention request the receiver will not take: answered 400 (or ``status``) with this message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class MentionRequest:
    source: str
    target: str
    target_host: str
    article_id: int


@dataclass(frozen=True)
class MentionReceived:
    """What became of a mention: a new pending link, or a known one queued for a check (``updated``)."""

    link_id: int
    updated: bool


def read_mention(fields: Mapping[str, str]) -> MentionRequest:
    """The request's ``source`` and ``target``, checked as the Recommendation asks (3.2.1), or refused."""
    source = (fields.get("source") or "").strip()
    target = (fields.get("target") or "").strip()
    if not source or not target:
        raise MentionRefused("A Webmention needs both source and target.")
    for name, value in (("source", source), ("target", target)):
        if len(value) > MAX_URL_LENGTH:
            raise MentionRefused(f"The {name} URL is longer than {MAX_URL_LENGTH} characters.")
        parts = _split(value)
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise MentionRefused(f"The {name} must be an http or https URL.")
    source_parts, target_parts = _split(source), _split(target)
    assert source_parts is not None and target_parts is not None
    if source_parts._replace(fragment="") == target_parts._replace(fragment=""):
        raise MentionRefused("The source and the target are the same page.")
    match = _ARTICLE_PATH.match(target_parts.path)
    if match is None or not 1 <= int(match.group(1)) <= 2**31 - 1:
        raise MentionRefused("The target is not an article of this site.")
    return MentionRequest(source, target, (target_parts.hostname or "").lower(), int(match.group(1)))


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def receive_mention(
    engine: Engine,
    mention: MentionRequest,
    domain_id: int,
    *,
    ip_hash: str | None,
    rules: LinkRules,
    now: dt.datetime | None = None,
) -> MentionReceived:
    """Store the mention for verification, in one write transaction, under the rules of reader links.

    ``domain_id`` is the site the target's host names: an article of another site is not a resource here.
    Raises :class:`MentionRefused` for an unknown target or a source the rules refuse.
    """
    now = now or utc_now()
    try:
        valid = validate_url(
            mention.source,
            rules.policy,
            rules.max_url_length,
            trailing_slash_matters=rules.trailing_slash_matters,
        )
    except LinkRuleError as error:
        raise MentionRefused(f"The source cannot be used: {error.message}") from error
    with begin_write(engine) as connection:
        article = connection.execute(
            sa.select(qa_ai.c.domain, qa_ai.c.status).where(qa_ai.c.id == mention.article_id)
        ).first()
        if article is None or article.domain != domain_id or article.status != "published":
            raise MentionRefused("The target is not an article of this site.")
        known = connection.execute(
            sa.select(link.c.id).where(
                link.c.article_id == mention.article_id,
                link.c.url_key == valid.key,
                link.c.status != "rejected",
            )
        ).scalar()
        if known is not None:
            # An update: whatever the source says now decides (links again, changed, gone).
            connection.execute(
                link.update()
                .where(link.c.id == known)
                .values(next_check_at=now, attempts=0, origin="webmention")
            )
            return MentionReceived(int(known), updated=True)
        try:
            link_id = insert_link(
                connection, mention.article_id, valid, ip_hash, rules, now, origin="webmention"
            )
        except ArticleNotFound as error:
            raise MentionRefused("The target is not an article of this site.") from error
        except LinkRuleError as error:
            raise MentionRefused(
                error.message, status=429 if isinstance(error, RateLimited) else 400
            ) from error
    return MentionReceived(link_id, updated=False)
