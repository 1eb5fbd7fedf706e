"""The sites of the network: which domain a request's Host header names, and each domain's facts.

The directory is loaded with one statement when the app starts and again only when the ``domain`` table
changes (its revision moves), so resolving a host costs no database work on a page request.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from qapress.store.schema import domain as domain_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Domain:
    """One site: its id (``qa_ai.domain``), its host, its name and its language (the pages' ``lang``)."""

    id: int
    host: str
    name: str
    description: str = ""
    language: str = "en"


def host_refusal(host: object) -> str | None:
    """Why ``host`` cannot be a site's host, or None. A host goes into headers (``Location``) and URLs: a
    control character there would break every response of the site, a space every URL."""
    if not isinstance(host, str):
        return None  # the column's type is checked elsewhere
    if any(unicodedata.category(c) == "Cc" or c.isspace() for c in host):
        return "a site host cannot contain control characters or spaces"
    return None


def normalize_host(header: str) -> str:
    """The host of a Host header, lower case, without port or trailing dot (``"A.Localhost:80."`` -> ``a.localhost``)."""
    host = header.strip().lower()
    if host.startswith("["):  # an IPv6 literal keeps its brackets, loses its port
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


@dataclass(frozen=True)
class HostPolicy:
    """What an unknown host gets: the pinned domain, else the default host, else the smallest id, or 404."""

    pinned_host: str | None = None
    default_host: str | None = None
    unknown_host_404: bool = False


class DomainDirectory:
    """The domains by host and by id, with the policy for hosts that name none of them."""

    def __init__(self, domains: Iterable[Domain], policy: HostPolicy | None = None) -> None:
        self.policy = policy or HostPolicy()
        self.by_id = {d.id: d for d in domains}
        self.by_host = {d.host.lower(): d for d in self.by_id.values()}
        self.pinned = self._named(self.policy.pinned_host)
        #: Each site's list of the other sites, by (site id, scheme, base URL): the same on every page
        #: until the domains change, and then this directory is replaced (``SiteURLs.network``).
        self.networks: dict[tuple[int, str, str | None], tuple[tuple[str, str], ...]] = {}
        self.network_items: dict[tuple[int, str, str | None], Markup] = {}
        #: Each site's rendered chrome (``Renderer.chrome``), by its facts, scheme and base URL.
        self.chrome: dict[tuple[Domain, str, str | None], Any] = {}

    def _named(self, host: str | None) -> Domain | None:
        return self.by_host.get(normalize_host(host)) if host else None

    def resolve(self, host_header: str | None) -> Domain | None:
        """The domain a request is for; ``None`` means answer 404."""
        known = self.by_host.get(normalize_host(host_header or ""))
        if known is not None:
            return known
        if self.pinned is not None:
            return self.pinned
        if self.policy.unknown_host_404:
            return None
        default = self._named(self.policy.default_host)
        if default is not None:
            return default
        return self.by_id[min(self.by_id)] if self.by_id else None

    def get(self, domain_id: int) -> Domain | None:
        return self.by_id.get(domain_id)


def load_domains(connection: sa.Connection) -> list[Domain]:
    """Every domain, in id order (one statement)."""
    rows = connection.execute(
        sa.select(
            domain_table.c.id,
            domain_table.c.host,
            domain_table.c.name,
            domain_table.c.description,
            domain_table.c.language,
        ).order_by(domain_table.c.id)
    )
    domains = []
    for row in rows:
        reason = host_refusal(row.host)
        if reason is not None:  # written around the checks (plain SQL): the other sites still answer
            log.warning("domain %s is not served: %s (host %r)", row.id, reason, row.host)
            continue
        domains.append(Domain(row.id, row.host.lower(), row.name, row.description, row.language))
    return domains
