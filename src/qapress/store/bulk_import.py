"""A bulk import's transaction: the per-row insert triggers off, their work done once per batch instead.

Inside :func:`bulk_transaction` the insert triggers of ``qa_ai`` stand aside (migration 0015: a marker
row on SQLite, a ``SET LOCAL`` setting on PostgreSQL; both die with the transaction, so other writers'
triggers keep firing). Before the batch commits, :func:`index_batch` does in a few set-wise statements
what the triggers did row by row, so readers never see an imported article that search, the page caches
or the related-list queue do not know about:

- **search**: SQLite's FTS5 index and PostgreSQL's stored vectors (``qa_ai_search``, migration 0017) take
  the batch with one ``INSERT ... SELECT`` each;
- **cache tags**: one bounded set per batch (:func:`batch_tags`) instead of five tags per row;
- **related lists**: the batch's published articles queued for ``qapress worker``, one statement;
- **IndexNow**: no ping per imported article (a search engine would refuse millions of URLs a day):
  imported articles reach search engines through the sitemaps, whose tags the batch purges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.related.lists import queue_articles
from qapress.site import cache_tags
from qapress.store.backend import is_sqlite
from qapress.store.database import begin_write
from qapress.store.schema import cache_invalidation

#: Migration 0015's marker table (SQLite) and transaction-local setting (PostgreSQL).
SQLITE_MARKER = "qapress_bulk_import"
POSTGRESQL_SETTING = "qapress.bulk_import"
#: Statuses whose insert some page shows (migration 0012's ``article_when('INSERT')``).
SHOWN_STATUSES = ("published", "withdrawn")


@dataclass(frozen=True)
class ImportedArticle:
    """What a batch's bookkeeping needs of an inserted row."""

    id: int
    domain: int
    status: str


@contextmanager
def bulk_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A write transaction in which ``qa_ai``'s insert triggers are off; the caller must call
    :func:`index_batch` for what it inserted before the block ends (then it commits)."""
    with begin_write(engine) as connection:
        if is_sqlite(connection):
            connection.exec_driver_sql(f"INSERT INTO {SQLITE_MARKER} (id) VALUES (1)")
        else:
            connection.execute(sa.text("SELECT set_config(:name, 'on', true)"), {"name": POSTGRESQL_SETTING})
        yield connection
        if is_sqlite(connection):
            # Gone before the commit: no other connection ever reads the marker.
            connection.exec_driver_sql(f"DELETE FROM {SQLITE_MARKER}")


def batch_tags(articles: Iterable[ImportedArticle]) -> list[str]:
    """The cache tags a batch of new articles invalidates: each touched site's listing and updates, the id
    ranges the new ids fall in (the "bottom" lists' ranges and the 404 pages the ids had), ``rwide``, and
    the articles' table tag (GraphQL answers).

    At most two tags per site and one per range of :data:`cache_tags.RANGE_SIZE` ids, whatever the batch's
    size; an article no page shows (a draft, a scheduled one) touches nothing, as with the triggers."""
    sites: set[int] = set()
    ranges: dict[int, str] = {}
    for article in articles:
        if article.status in SHOWN_STATUSES:
            sites.add(article.domain)
            ranges[article.id // cache_tags.RANGE_SIZE] = cache_tags.id_range(article.id)
    if not sites:
        return []
    tags = [tag for site in sorted(sites) for tag in (cache_tags.listing(site), cache_tags.updates(site))]
    tags += [ranges[bucket] for bucket in sorted(ranges)]
    tags.append(cache_tags.RANGE_WIDE)
    tags.append(cache_tags.table("qa_ai"))  # the GraphQL answers listing articles (migration 0018)
    return tags


def index_batch(connection: sa.Connection, articles: Sequence[ImportedArticle]) -> None:
    """What the insert triggers would have done for ``articles``, set-wise, in the batch's transaction."""
    if not articles:
        return
    ids = [article.id for article in articles]
    if is_sqlite(connection):
        index = (
            "INSERT INTO qa_ai_fts (rowid, title, lead, text, site) "
            "SELECT id, title, lead, text, 'site' || domain FROM qa_ai "
            "WHERE id IN :ids"
        )
    else:
        index = (
            "INSERT INTO qa_ai_search (id, domain, vector) "
            "SELECT id, domain, qapress_search_vector(title, lead, text) "
            "FROM qa_ai WHERE id IN :ids"
        )
    connection.execute(sa.text(index).bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids})
    tags = batch_tags(articles)
    if tags:
        connection.execute(cache_invalidation.insert(), [{"tag": tag} for tag in tags])
    queue_articles(connection, sorted(a.id for a in articles if a.status == "published"))
