"""The cache tags of an anonymous ``GET /v1/graphql`` answer, in the vocabulary pages use (:mod:`.cache_tags`).

A purge must never leave a stale answer in a shared cache, so an answer's tags cover every change the
triggers log that could change it (migrations 0012 and 0018; ``qapress.related.lists`` for related lists):

- ``all`` on every answer (a change to any site logs it; ``qapress purge --all`` reaches answers too);
- articles (``qa_ai``) the query names by primary key (``qa_ai_by_pk``, ``where: {id: {_eq | _in}}``, or
  the key an enclosing row fixes): ``a<id>`` of each, whether or not it is in the answer (publishing it
  logs that tag as well);
- articles of one site (``where: {domain: {_eq: 7}}``, or ``domain_by_pk(id: 7) { articles }``): ``u7``,
  which every shown change to the site's articles logs (one entering the list too), and ``s7``;
- any other list of articles: ``tqa_ai``, which every logged article change carries: exact tags cannot
  be known for a list whose members a change elsewhere may add;
- ``a<id>`` of every article the answer shows, when it selects ``id`` (at most ``MAX_ARTICLE_TAGS``, in an
  answer of at most ``MAX_READ_BYTES``), so that ``qapress purge --article`` reaches it; the tags above
  cover every edit without them;
- sites (``domain``): ``s<id>`` of a site named by key; changes log ``all``;
- the site's native queries: ``most_linked_articles(domain)`` is ``k`` (live links) and ``u`` of the site,
  ``related_articles(id)`` the stored list ``m<id>`` and ``tqa_ai``, ``search_articles`` and ``site_search_articles`` ``tqa_ai``.

Anything else (another table, a column no trigger watches, a function, another native query) gets no tags:
the answer is then cached for ``QAPRESS_GRAPHQL_GET_MAX_AGE`` only.

The hook may run on the event loop (the GET fast path): what does not depend on the request is worked out
once per plan (a :class:`Recipe`); a request resolves its variables' keys and reads the ids of the articles
shown from the answer (parsed again only when it is small).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from qapress.engine.plan import Plan
from qapress.engine.reads import NativeRead, Path, Reads, TableRead, resolve, rows_at
from qapress.engine.values import VarRef
from qapress.site import cache_tags

ARTICLES = ("public", "qa_ai")
SITES = ("public", "domain")
#: The columns of ``qa_ai`` whose every change (to a published article, or a status move) logs its tags:
#: the triggers' list (migration 0018), which holds every column the anonymous role may read.
LOGGED_ARTICLE_COLUMNS = frozenset(
    (
        "id", "domain", "title", "slug", "text", "lead", "faq", "outro", "date", "image_url",
        "image_credit", "src_id", "status", "created_at", "updated_at", "version",
    )
)  # fmt: skip
#: The most ``a<id>`` tags of shown articles an answer carries (a proxy's header limit: Varnish's is 8 KB).
MAX_ARTICLE_TAGS = 64
#: The largest answer read for the articles it shows (the hook may run on the event loop: a large answer is
#: not parsed again, and carries only the tags that cover it).
MAX_READ_BYTES = 64 * 1024


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
        self.tags: set[str] = set()
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
        elif read.name in ("search_articles", "site_search_articles"):
            self.tags.add(cache_tags.table("qa_ai"))
        else:
            return False
        self.shown(read.selected)
        return True

    def shown(self, selected: tuple[tuple[str, Path], ...]) -> None:
        path = dict(selected).get("id")
        if path is not None:
            self.rows.append(path)


def _variable(value: object) -> bool:
    if isinstance(value, VarRef):
        return True
    return isinstance(value, list | tuple) and any(_variable(item) for item in value)


def _depends_on_variables(read: TableRead | NativeRead) -> bool:
    if isinstance(read, NativeRead):
        return any(_variable(value) for _, value in read.args)
    return any(_variable(value) for value in (*(read.keys or ()), *(v for _, v in read.equals)))


@dataclass(frozen=True)
class Recipe:
    """How to name the tags of a plan's answers, worked out once per plan: the tags of the reads no
    variable shapes, the reads a request's variables fill in, and how to find the articles shown."""

    fixed: frozenset[str]
    variable: tuple[TableRead | NativeRead, ...]
    rows: tuple[Path, ...]


def recipe(reads: Reads) -> Recipe | None:
    """The plan's recipe, or None when no tags cover its answers."""
    every: tuple[TableRead | NativeRead, ...] = (*reads.tables, *reads.natives)
    if reads.opaque:
        return None
    fixed = _Tags()
    fixed.tags.add(cache_tags.ALL)
    variable: list[TableRead | NativeRead] = []
    for read in every:
        if isinstance(read, TableRead) and read.table not in (ARTICLES, SITES):
            return None  # no trigger watches it
        if _depends_on_variables(read):
            variable.append(read)
        elif not (fixed.table(read, {}) if isinstance(read, TableRead) else fixed.native(read, {})):
            return None
    return Recipe(frozenset(fixed.tags), tuple(variable), tuple(fixed.rows))


_RECIPES: dict[int, tuple[Reads, Recipe | None]] = {}
#: Recipes kept (by plan): a plan cache's worth and more; past it they are all worked out again.
MAX_RECIPES = 4096


def _recipe_of(reads: Reads) -> Recipe | None:
    known = _RECIPES.get(id(reads))
    if known is not None and known[0] is reads:
        return known[1]
    if len(_RECIPES) >= MAX_RECIPES:
        _RECIPES.clear()
    made = recipe(reads)
    _RECIPES[id(reads)] = (reads, made)
    return made


def _articles_shown(body: bytes, rows: list[Path]) -> list[str]:
    """``a<id>`` of each article the answer shows; none past the caps (the other tags cover them)."""
    if not rows or len(body) > MAX_READ_BYTES:
        return []
    data = orjson.loads(body).get("data")
    ids: set[int] = set()
    for path in rows:
        ids.update(value for value in rows_at(data, path) if type(value) is int)
    if len(ids) > MAX_ARTICLE_TAGS:
        return []
    return [f"a{i}" for i in ids]  # cache_tags.article, without a call per id


def graphql_answer_tags(plan: Plan, variables: Mapping[str, Any], body: bytes) -> list[str] | None:
    """The tags of an anonymous answer of ``plan`` (the ``CachePolicy`` hook), sorted; None: none cover it."""
    reads = plan.reads
    if reads is None:
        return None
    made = _recipe_of(reads)
    if made is None:
        return None
    tags = _Tags()
    for read in made.variable:
        ok = tags.table(read, variables) if isinstance(read, TableRead) else tags.native(read, variables)
        if not ok:
            return None
    rows = [*made.rows, *tags.rows]
    return sorted(made.fixed.union(tags.tags, _articles_shown(body, rows)))
