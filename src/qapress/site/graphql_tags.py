"""The cache tags of an anonymous ``GET /v1/graphql`` answer, in the vocabulary pages use (:mod:`.cache_tags`).

A purge must never leave a stale answer in a shared cache, so an answer's tags cover every change the
triggers log that could change it (migrations 0012 and 0015; ``qapress.related.lists`` for related lists):

- ``all`` on every answer (a change to any site logs it; ``qapress purge --all`` reaches answers too);
- articles (``qa_ai``) the query names by primary key (``qa_ai_by_pk``, ``where: {id: {_eq | _in}}``, or
  the key an enclosing row fixes): ``a<id>`` of each, whether or not it is in the answer (publishing it
  logs that tag as well);
- articles of one site (``where: {domain: {_eq: 7}}``, or ``domain_by_pk(id: 7) { articles }``): ``u7``,
  which every shown change to the site's articles logs (one entering the list too), and ``s7``;
- any other list of articles: ``tqa_ai``, which every logged article change carries: exact tags cannot
  be known for a list whose members a change elsewhere may add;
- ``a<id>`` of every article the answer shows, when it selects ``id`` (at most ``MAX_ARTICLE_TAGS``: past
  that, ``tqa_ai`` covers them), so that ``qapress purge --article`` reaches it;
- sites (``domain``): ``s<id>`` of a site named by key; changes log ``all``;
- the site's native queries: ``most_linked_articles(domain)`` is ``k`` (live links) and ``u`` of the site,
  ``related_articles(id)`` the stored list ``m<id>`` and ``tqa_ai``, ``search_articles`` ``tqa_ai``.

Anything else (another table, a column no trigger watches, a function, another native query) gets no tags:
the answer is then cached for ``QAPRESS_GRAPHQL_GET_MAX_AGE`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from qapress.engine.plan import Plan
from qapress.engine.reads import NativeRead, Path, Reads, TableRead, resolve, rows_at
from qapress.site import cache_tags

ARTICLES = ("public", "qa_ai")
SITES = ("public", "domain")
#: The columns of ``qa_ai`` whose every change (to a published article, or a status move) logs its tags:
#: the triggers' list (migration 0015), which holds every column the anonymous role may read.
LOGGED_ARTICLE_COLUMNS = frozenset(
    (
        "id", "domain", "title", "slug", "text", "lead", "faq", "outro", "date", "image_url",
        "image_credit", "src_id", "status", "created_at", "updated_at", "version",
    )
)  # fmt: skip
#: The most ``a<id>`` tags of shown articles an answer carries (a proxy's header limit: Varnish's is 8 KB).
MAX_ARTICLE_TAGS = 64


def _ids(values: list[object]) -> list[int] | None:
    """The values as ids, or None if one is not an integer (an id no tag can name)."""
    ids = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        try:
            ids.append(int(value))
        except ValueError:
            return None
    return ids


class _Tags:
    def __init__(self) -> None:
        self.tags = {cache_tags.ALL}
        self.rows: list[Path] = []

    def table(self, read: TableRead, variables: Mapping[str, Any]) -> bool:
        """Add the tags of one table read; False when none can cover it."""
        keys = None if read.keys is None else _ids([v for k in read.keys for v in resolve(k, variables)])
        if read.table == SITES:
            self.tags.update(cache_tags.site(i) for i in keys or ())
            return True
        if read.table != ARTICLES or not read.columns <= LOGGED_ARTICLE_COLUMNS:
            return False
        if keys is not None and len(keys) <= MAX_ARTICLE_TAGS:
            self.tags.update(cache_tags.article(i) for i in keys)
            return True
        site = dict(read.equals).get("domain")
        sites = None if site is None else _ids(resolve(site, variables))
        if sites is not None and len(sites) == 1:
            self.tags.update((cache_tags.updates(sites[0]), cache_tags.site(sites[0])))
        else:
            self.tags.add(cache_tags.table("qa_ai"))
        self.shown(read.selected)
        return True

    def native(self, read: NativeRead, variables: Mapping[str, Any]) -> bool:
        args = {name: _ids(resolve(value, variables)) for name, value in read.args}
        if read.name == "most_linked_articles":
            site = args.get("domain")
            if not site or len(site) != 1:
                return False
            self.tags.update(
                (cache_tags.link_counts(site[0]), cache_tags.updates(site[0]), cache_tags.site(site[0]))
            )
        elif read.name == "related_articles":
            article = args.get("id")
            if not article or len(article) != 1:
                return False
            self.tags.update((cache_tags.related_list(article[0]), cache_tags.table("qa_ai")))
        elif read.name == "search_articles":
            self.tags.add(cache_tags.table("qa_ai"))
        else:
            return False
        self.shown(read.selected)
        return True

    def shown(self, selected: tuple[tuple[str, Path], ...]) -> None:
        path = dict(selected).get("id")
        if path is not None:
            self.rows.append(path)

    def articles_shown(self, body: bytes) -> None:
        """``a<id>`` of each article the answer shows (``tqa_ai`` in their place past the cap)."""
        if not self.rows:
            return
        data = orjson.loads(body).get("data")
        ids: set[int] = set()
        for path in self.rows:
            ids.update(i for i in rows_at(data, path) if isinstance(i, int) and not isinstance(i, bool))
            if len(ids) > MAX_ARTICLE_TAGS:
                self.tags.add(cache_tags.table("qa_ai"))
                return
        self.tags.update(cache_tags.article(i) for i in ids)


def graphql_answer_tags(plan: Plan, variables: Mapping[str, Any], body: bytes) -> list[str] | None:
    """The tags of an anonymous answer of ``plan`` (the ``CachePolicy`` hook), sorted; None: none cover it."""
    reads: Reads | None = plan.reads
    if reads is None or reads.opaque:
        return None
    tags = _Tags()
    for read in reads.tables:
        if not tags.table(read, variables):
            return None
    for native in reads.natives:
        if not tags.native(native, variables):
            return None
    tags.articles_shown(body)
    return sorted(tags.tags)
