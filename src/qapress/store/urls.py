"""Public addresses of the network's pages: one function per kind of page, shared by the site and links.

The canonical address of an article is ``https://{host}/a/{id}/{slug}``. For local use (the demo, tests) a
base URL template such as ``http://{host}:8000`` replaces ``{scheme}://{host}``.
"""

from __future__ import annotations

import re
from urllib.parse import quote


def site_base_url(host: str, scheme: str = "https", base_url: str | None = None) -> str:
    """``scheme://host`` of a site, or the ``base_url`` template with its ``{host}`` filled in."""
    if base_url:
        return base_url.replace("{host}", host).rstrip("/")
    return f"{scheme}://{host}"


#: Slugs that ``quote`` would return unchanged (nearly all: the generator writes them so).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")


def article_path(article_id: int, slug: str) -> str:
    """The path of an article page; the slug is optional for readers but part of the canonical address."""
    if slug:
        escaped = slug if _UNRESERVED.fullmatch(slug) else quote(slug, safe="-._~")
        return f"/a/{article_id}/{escaped}"
    return f"/a/{article_id}"


def article_url(
    host: str, article_id: int, slug: str, scheme: str = "https", base_url: str | None = None
) -> str:
    """The canonical URL of an article: what readers are asked to link back to."""
    return site_base_url(host, scheme, base_url) + article_path(article_id, slug)
