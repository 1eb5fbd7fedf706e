"""An operator's purge (``qapress purge``): tags written to the invalidation log, the way an edit's are.

An edit's triggers log its tags to ``cache_invalidation``; every process drops its pages carrying them (after
``PRAGMA data_version`` moved, from ``LISTEN``, or by polling), and the log's own trigger copies each tag to
``purge_queue`` for the proxies and CDNs. A manual purge inserts into the same log, so it reaches the same
places through the same path: nothing here talks to a cache directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa

from qapress.accounts import audit
from qapress.site import cache_tags
from qapress.store.schema import cache_invalidation

#: The tags pages and GraphQL answers carry (``site/cache_tags.py``): a letter and an id, one of the two
#: words, or ``t`` and a table's name.
TAG = re.compile(r"(?:[almnuksr][0-9]{1,18}|rwide|all|t[a-z_][a-z0-9_]{0,62})")


class PurgeTagError(ValueError):
    """A tag no page carries: purging it would do nothing, which is never what the operator meant."""


def checked_tags(tags: Iterable[str]) -> list[str]:
    """``tags`` without repeats, in the order given; :class:`PurgeTagError` for one pages never carry."""
    seen: dict[str, None] = {}
    for tag in tags:
        if not TAG.fullmatch(tag):
            raise PurgeTagError(
                f"{tag!r} is not a cache tag (a<id>, l<id>, m<id>, n<site>, u<site>, k<site>, s<site>, r<n>, rwide, all, t<table>)"
            )
        seen[tag] = None
    return list(seen)


def article_tags(article_id: int) -> list[str]:
    """What a purge of one article drops: every page showing it and its reader links."""
    return [cache_tags.article(article_id), cache_tags.reader_links(article_id)]


def request_purge(connection: sa.Connection, tags: Iterable[str], actor: str = audit.CLI_ACTOR) -> list[str]:
    """Log ``tags`` as changed (in the caller's transaction) and audit it; returns the tags logged."""
    wanted = checked_tags(tags)
    if wanted:
        connection.execute(cache_invalidation.insert(), [{"tag": tag} for tag in wanted])
        audit.record(connection, actor, "cache.purge", " ".join(wanted)[:200], {"tags": wanted})
    return wanted
