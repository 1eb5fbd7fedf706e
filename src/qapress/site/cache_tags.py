"""Cache tags: names for what a rendered page shows, so that an edit drops exactly the pages showing it.

The vocabulary is shared with the triggers of migration 0012, which log the tags each change touches:

- ``a<id>``: an article's shown fields (its own page and every list showing its title);
- ``l<id>``: the live reader links of an article (its own page);
- ``m<id>``: an article's stored "Related articles" list (its own page; logged by ``qapress.related.lists``);
- ``n<site>``: which articles a site lists and in what order (home, feeds, "newest" and "related" blocks);
- ``u<site>``: any shown change to a site's articles (sitemaps and search, whose pages show too many ids);
- ``r<id // RANGE_SIZE>`` and ``rwide``: membership in the network's id ranges the "bottom" lists show
  (and the 404 page of an id with no article: an insert of that id, one by one or by a bulk import's
  batch, logs its range);
- ``s<site>``: every page of a site (for an operator's purge); ``all``: every page (a change to the sites);
- ``t<table>``: any logged change to the table (``tqa_ai``, migration 0018): the GraphQL answers whose rows
  no finer tag covers (:mod:`.graphql_tags`); no page carries it.

Pure functions of what a page shows; ``Surrogate-Key`` (Varnish xkey, Fastly) and ``Cache-Tag``
(Cloudflare) are the same set, space- and comma-separated.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Ids per range tag; migration 0012 uses the same number.
RANGE_SIZE = 64
#: A page whose "bottom" list spans more ranges than this carries ``rwide`` instead.
MAX_RANGES = 8
#: The tag every page carries and a change to the sites themselves sends.
ALL = "all"
RANGE_WIDE = "rwide"


def article(article_id: int) -> str:
    return f"a{article_id}"


def reader_links(article_id: int) -> str:
    return f"l{article_id}"


def related_list(article_id: int) -> str:
    """The article's stored related list changed (``qapress.related.lists.store_list``)."""
    return f"m{article_id}"


def link_counts(site_id: int) -> str:
    """Any live reader link of the site's articles came or went (the home page's "most linked")."""
    return f"k{site_id}"


def listing(site_id: int) -> str:
    return f"n{site_id}"


def updates(site_id: int) -> str:
    return f"u{site_id}"


def site(site_id: int) -> str:
    return f"s{site_id}"


def id_range(article_id: int) -> str:
    """The range tag of one id."""
    return f"r{article_id // RANGE_SIZE}"


def table(name: str) -> str:
    """Any logged change to the table ``name`` (a list of its rows no finer tag covers)."""
    return f"t{name}"


def id_ranges(low: int, high: int) -> list[str]:
    """The range tags covering ids ``low..high`` (``rwide`` past ``MAX_RANGES``)."""
    first, last = low // RANGE_SIZE, high // RANGE_SIZE
    if last - first + 1 > MAX_RANGES:
        return [RANGE_WIDE]
    return [f"r{bucket}" for bucket in range(first, last + 1)]


def page_tags(site_id: int, *extra: str, articles: Iterable[int] = ()) -> frozenset[str]:
    """Every page's tags (``all``, its site) plus ``extra`` and the listed ``articles``."""
    return frozenset((ALL, site(site_id), *extra, *(article(i) for i in articles)))


def article_page_tags(
    site_id: int,
    article_id: int,
    shown: Iterable[int],
    bottom: list[int],
    bottom_size: int,
) -> frozenset[str]:
    """An article page: itself, its reader links, its stored related list, the site's listing, the articles it links to, and the id
    range its "bottom" list (the network's ``bottom_size`` newest articles below it on other sites) covers."""
    low = min(bottom) if len(bottom) >= bottom_size else 0
    return page_tags(
        site_id,
        reader_links(article_id),
        related_list(article_id),
        listing(site_id),
        *id_ranges(low, article_id),
        articles=(article_id, *shown, *bottom),
    )


def surrogate_key(tags: Iterable[str]) -> str:
    """The ``Surrogate-Key`` value (space-separated, sorted for stable headers)."""
    return " ".join(sorted(tags))


def cache_tag(tags: Iterable[str]) -> str:
    """The ``Cache-Tag`` value (Cloudflare: comma-separated)."""
    return ",".join(sorted(tags))
