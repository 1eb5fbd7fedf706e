"""Does a fetched page link back to the article? Pure: HTML and URLs in, a verdict out.

An ``<a href>`` counts when it resolves, against the page's base URL (its own URL, or ``<base href>``), to
the article's canonical URL or an alias of it: http or https, with or without ``www.``, with or without a
trailing slash, any query or fragment, and the short form ``/a/{id}`` without the slug. A Webmention's
source may also name the article as the ``src`` of an ``img``, ``video`` or ``audio`` (or of a ``source``
inside one), as the W3C Recommendation lists; text, attributes of other elements and HTML comments never
count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from url_normalize import url_normalize

MAX_TITLE_LENGTH = 300
_ARTICLE_PATH = re.compile(r"^(/a/\d+)(?:/[^/]*)?$")
#: Where a Webmention's target may stand in its source besides ``a[href]`` (W3C Webmention, 3.2.2).
MEDIA_SOURCES = ("img[src]", "video[src]", "video source[src]", "audio[src]", "audio source[src]")


@dataclass(frozen=True)
class Backlink:
    """What a page says: whether it links back (``href``: the first matching one) and its title."""

    found: bool
    href: str | None
    title: str | None


def alias_key(url: str) -> tuple[str, str] | None:
    """(host without ``www.``, any non-default port; path without trailing slash), None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        normalized = url_normalize(parts._replace(query="", fragment="").geturl())
    except (ValueError, UnicodeError):
        return None
    if normalized is None:
        return None
    parts = urlsplit(normalized)
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    if host.startswith("www."):
        host = host[4:]
    return host, parts.path.rstrip("/")


def article_aliases(canonical_url: str) -> frozenset[tuple[str, str]]:
    """The alias keys of an article: its canonical URL, and ``/a/{id}`` when the canonical path has a slug."""
    key = alias_key(canonical_url)
    if key is None:
        raise ValueError(f"not an http(s) URL: {canonical_url!r}")
    host, path = key
    aliases = {key}
    short = _ARTICLE_PATH.match(path)
    if short:
        aliases.add((host, short.group(1)))
    return frozenset(aliases)


def page_title(tree: HTMLParser) -> str | None:
    node = tree.css_first("head > title") or tree.css_first("title")
    if node is None:
        return None
    title = " ".join(node.text(deep=True).split())
    return title[:MAX_TITLE_LENGTH] or None


def find_backlink(html: str, page_url: str, canonical_url: str, *, media: bool = False) -> Backlink:
    """Look for a link to ``canonical_url`` (or an alias) in ``html`` fetched from ``page_url``.

    ``media`` also counts media elements naming it (a Webmention's source); a reader's form link needs an
    ``<a>``.
    """
    tree = HTMLParser(html)
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = _join(page_url, base_node.attributes.get("href") or "") or page_url
    aliases = article_aliases(canonical_url)
    candidates = [(node, "href") for node in tree.css("a[href]")]
    if media:
        candidates += [(node, "src") for node in tree.css(", ".join(MEDIA_SOURCES))]
    found: str | None = None
    for node, attribute in candidates:
        href = (node.attributes.get(attribute) or "").strip()
        target = _join(base, href) if href else None
        if target is not None and alias_key(target) in aliases:
            found = href
            break
    return Backlink(found=found is not None, href=found, title=page_title(tree))


def _join(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None when it is not a URL at all (``http://[oops``)."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None
