"""Absolute, canonical URLs of a site's pages: every link on a page is built here.

The canonical origin of a site is ``{public_scheme}://{host}``; for local use ``public_base_url`` replaces it,
as a template such as ``http://{host}:8000`` (``{host}`` optional). The links package checks backlinks against
the same article URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from qapress.site.domains import Domain, DomainDirectory


def site_origin(host: str, scheme: str = "https", base_url: str | None = None) -> str:
    """``scheme://host`` of a site, or the ``base_url`` template with its ``{host}`` filled in."""
    if base_url:
        return base_url.replace("{host}", host).rstrip("/")
    return f"{scheme}://{host}"


def article_path(article_id: int, slug: str) -> str:
    """The path of an article; the slug is optional for readers but part of the canonical address."""
    if slug:
        return f"/a/{article_id}/{quote(slug, safe='-._~')}"
    return f"/a/{article_id}"


@dataclass(frozen=True)
class SiteURLs:
    """URL builder for one request: its own site, and the other sites of the network by domain id."""

    site: Domain
    directory: DomainDirectory
    scheme: str = "https"
    base_url: str | None = None

    def origin(self, domain: Domain | None = None) -> str:
        return site_origin((domain or self.site).host, self.scheme, self.base_url)

    def home(self, page: int = 1) -> str:
        return self.origin() + "/" + (f"?{urlencode({'page': page})}" if page > 1 else "")

    def article(self, article_id: int, slug: str, domain_id: int | None = None) -> str:
        """The canonical URL of an article; ``domain_id`` picks another site of the network."""
        domain = self.directory.get(domain_id) if domain_id is not None else self.site
        return self.origin(domain or self.site) + article_path(article_id, slug)

    def links_form(self, article_id: int) -> str:
        return self.origin() + f"/a/{article_id}/links"

    def path(self, path: str) -> str:
        return self.origin() + path
