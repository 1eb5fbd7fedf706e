"""Absolute, canonical URLs of a site's pages: every link on a page is built here.

The canonical origin of a site is ``{public_scheme}://{host}``; for local use ``public_base_url`` replaces it,
as a template such as ``http://{host}:8000`` (``{host}`` optional). The links package checks backlinks against
the same article URLs (``qapress.store.urls``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from markupsafe import Markup

from qapress.site.domains import Domain, DomainDirectory
from qapress.store.urls import article_path, site_base_url

# The site's names for the shared functions: the origin of a site and the path of an article.
site_origin = site_base_url
__all__ = ["SiteURLs", "article_path", "site_origin"]


@dataclass(frozen=True)
class SiteURLs:
    """URL builder for one request: its own site, and the other sites of the network by domain id."""

    site: Domain
    directory: DomainDirectory
    scheme: str = "https"
    base_url: str | None = None
    #: host -> origin, for this request: a page builds a hundred URLs over a handful of hosts.
    _origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def origin(self, domain: Domain | None = None) -> str:
        host = (domain or self.site).host
        origin = self._origins.get(host)
        if origin is None:
            origin = self._origins[host] = site_origin(host, self.scheme, self.base_url)
        return origin

    def home(self, page: int = 1) -> str:
        return self.origin() + "/" + (f"?{urlencode({'page': page})}" if page > 1 else "")

    def article(self, article_id: int, slug: str, domain_id: int | None = None) -> str:
        """The canonical URL of an article; ``domain_id`` picks another site of the network."""
        domain = self.directory.get(domain_id) if domain_id is not None else self.site
        return self.origin(domain or self.site) + article_path(article_id, slug)

    def card(self, article_id: int, domain_id: int | None = None) -> str:
        """The generated sharing card of an article (``/card/{id}.png``), on the article's own site."""
        domain = self.directory.get(domain_id) if domain_id is not None else self.site
        return self.origin(domain or self.site) + f"/card/{article_id}.png"

    def search(self, query: str = "", page: int = 1) -> str:
        # ``urlencode``'s output, written out: each section of a page's header links a search (a miss
        # builds five of them), and ``urlencode`` costs several times ``quote_plus``.
        params = [f"q={quote_plus(query)}"] if query else []
        if page > 1:
            params.append(f"page={page}")
        return self.origin() + "/search" + ("?" + "&".join(params) if params else "")

    def network(self) -> tuple[tuple[str, str], ...]:
        """The other sites of the network: (name, home URL), in id order (built once per site and directory)."""
        key = (self.site.id, self.scheme, self.base_url)
        others = self.directory.networks.get(key)
        if others is None:
            others = self.directory.networks[key] = tuple(
                (d.name, self.origin(d) + "/") for d in self.directory.by_id.values() if d.id != self.site.id
            )
        return others

    def network_items(self) -> Markup:
        """``network()`` as the footer's escaped ``<li>`` items: the same on every page of a site, so escaped
        once per site and directory rather than fifty names and URLs on every render."""
        key = (self.site.id, self.scheme, self.base_url)
        items = self.directory.network_items.get(key)
        if items is None:
            items = self.directory.network_items[key] = Markup("").join(
                Markup('<li><a href="{}">{}</a></li>').format(url, name) for name, url in self.network()
            )
        return items

    def links_form(self, article_id: int) -> str:
        return self.origin() + f"/a/{article_id}/links"

    def path(self, path: str) -> str:
        return self.origin() + path
