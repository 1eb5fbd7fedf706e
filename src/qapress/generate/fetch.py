"""Fetching a source page for ``qapress ingest URL``: the links fetcher under an ingestion policy.

The fetch policy lives once, in ``qapress.links`` (``FetchPolicy``, ``PageFetcher`` and the pinned transport):
the URL typed on the command line is still user input, so it gets the same SSRF guard as a reader's link
(public addresses on the allowed ports, checked on every redirect, unless ``QAPRESS_FETCH_ALLOW_NETWORKS``
lists them). Only the limits differ (the ``ingest_*`` settings) and plain text is accepted besides HTML. This
module builds that policy and turns the links package's errors into editor-facing ``FetchError``s.
"""

from __future__ import annotations

from qapress.generate.errors import FetchError
from qapress.links import errors as links_errors
from qapress.links.addresses import AddressPolicy
from qapress.links.fetcher import HTML_TYPES, FetchedPage, FetchPolicy, PageFetcher
from qapress.links.validation import split_url
from qapress.settings import Settings, get_settings

INGEST_TYPES = (*HTML_TYPES, "text/plain")
INGEST_USER_AGENT = "qapress-ingest/0.1 (+https://github.com/qapress)"
ALLOW_HINT = "QAPRESS_FETCH_ALLOW_NETWORKS and QAPRESS_FETCH_ALLOWED_PORTS widen what may be fetched"


def ingest_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy of ``qapress ingest URL``: the fetcher's addresses, the ``ingest_*`` limits."""
    return FetchPolicy(
        addresses=AddressPolicy.build(settings.fetch_allowed_ports, settings.fetch_allow_networks),
        connect_timeout=min(settings.fetch_connect_timeout, settings.ingest_timeout_s),
        total_timeout=settings.ingest_timeout_s,
        max_redirects=settings.fetch_max_redirects,
        max_bytes=settings.ingest_max_bytes,
        accept_types=INGEST_TYPES,
        user_agent=INGEST_USER_AGENT,
    )


def fetch_page(url: str, policy: FetchPolicy | None = None) -> FetchedPage:
    """The HTML or text page at ``url`` (``page.url`` is the final URL), or a ``FetchError`` saying why not."""
    policy = policy or ingest_policy(get_settings())
    check_url(url, policy)
    try:
        return PageFetcher(policy).fetch(url)
    except links_errors.FetchError as error:
        raise FetchError(explain(url, error, policy)) from error


def check_url(url: str, policy: FetchPolicy) -> None:
    """``FetchError`` unless ``url`` has a form the fetcher takes (the same check it applies to redirects)."""
    try:
        split_url(url, policy.max_url_length)
    except links_errors.InvalidURL as exc:
        detail = "" if exc.message == links_errors.InvalidURL.default_message else f" ({exc.message})"
        raise FetchError(f"{url!r}: only http and https URLs with a host can be fetched{detail}") from exc
    except links_errors.LinkRuleError as exc:
        raise FetchError(f"{url!r} cannot be fetched: {exc.message}") from exc


def explain(url: str, error: links_errors.FetchError, policy: FetchPolicy) -> str:
    """One line for the editor: the URL asked for and what happened to it (or to a redirect's target)."""
    if isinstance(error, links_errors.BlockedAddress):
        return f"will not fetch {url}: {error}; {ALLOW_HINT}"
    if isinstance(error, links_errors.PageTooLarge):
        return f"{url}: the page is larger than {policy.max_bytes} bytes (QAPRESS_INGEST_MAX_BYTES)"
    if isinstance(error, links_errors.UnacceptedContentType):
        return f"{url}: expected an HTML or text page, got {error.content_type or 'no Content-Type'}"
    if isinstance(error, links_errors.HTTPStatusError):
        return f"{url}: the server answered HTTP {error.status}"
    if isinstance(error, links_errors.TooManyRedirects):
        return f"{url}: more than {policy.max_redirects} redirects"
    if isinstance(error, links_errors.FetchTimeout):
        return (
            f"{url}: no complete answer within {policy.total_timeout:g} s "
            f"({policy.connect_timeout:g} s to connect; QAPRESS_INGEST_TIMEOUT_S)"
        )
    if isinstance(error, links_errors.NetworkError):
        return f"{url}: network error: {str(error.__cause__ or '') or error}"
    return f"cannot fetch {url}: {error}"


__all__ = ["FetchError", "FetchPolicy", "FetchedPage", "fetch_page", "ingest_policy"]
