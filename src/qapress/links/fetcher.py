"""``PageFetcher``: fetch a reader's page safely. The whole fetch policy is here and in ``transport``.

Policy (``FetchPolicy``, from the settings): addresses and ports checked on every connection (the transport),
at most ``max_redirects`` redirects, each target checked again; ``connect_timeout`` per connection and
``total_timeout`` for the whole fetch, redirects included; at most ``max_bytes`` read (decoded); only the
``accept_types`` (HTML by default: the backlink check; ``qapress ingest URL`` adds text/plain).
Every failure is a ``FetchError`` whose message a moderator can read; ``transient`` ones are retried later.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field

import httpx

from qapress.links.addresses import AddressPolicy, parse_ip_host
from qapress.links.errors import (
    BlockedAddress,
    BlockedURL,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    LinkRuleError,
    NetworkError,
    PageTooLarge,
    TooManyRedirects,
    UnacceptedContentType,
)
from qapress.links.transport import PinnedBackend, PinnedTransport, Resolver, system_resolver
from qapress.links.validation import split_url
from qapress.settings import Settings

HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "qapress-linkcheck/0.1 (checks that a submitted page links back to the article)"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetch; ``from_settings`` reads the ``QAPRESS_FETCH_*`` settings."""

    addresses: AddressPolicy = field(default_factory=AddressPolicy)
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    max_redirects: int = 5
    max_bytes: int = 2 * 1024 * 1024
    max_url_length: int = 2_048
    accept_types: tuple[str, ...] = HTML_TYPES
    user_agent: str = USER_AGENT

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            addresses=AddressPolicy.build(settings.fetch_allowed_ports, settings.fetch_allow_networks),
            connect_timeout=settings.fetch_connect_timeout,
            total_timeout=settings.fetch_total_timeout,
            max_redirects=settings.fetch_max_redirects,
            max_bytes=settings.fetch_max_bytes,
            max_url_length=settings.links_max_url_length,
        )


@dataclass(frozen=True)
class FetchedPage:
    """An HTML page as fetched: ``url`` is the final one, after redirects (the base for relative links)."""

    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None
    redirects: tuple[str, ...] = ()
    #: The validators a conditional request sends back next time (feeds: ETag, If-Modified-Since).
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to a conditional request: nothing new, no body."""
        return self.status == 304

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    @property
    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


class PageFetcher:
    """Fetches pages under a ``FetchPolicy``; one short-lived client per fetch."""

    def __init__(
        self, policy: FetchPolicy, resolver: Resolver = system_resolver, verify: ssl.SSLContext | bool = True
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.verify = verify  # the system's CAs; tests pass a context trusting their own CA

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchedPage:
        """The page at ``url`` or a ``FetchError`` saying why not.

        With ``etag`` or ``last_modified`` (from an earlier fetch) the request is conditional, and a 304 comes
        back as a page whose ``not_modified`` is true."""
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        backend = PinnedBackend(policy.addresses, self.resolver)
        redirects: list[str] = []
        # identity: a compressed body could inflate far past max_bytes within a single chunk.
        headers = {
            "User-Agent": policy.user_agent,
            "Accept": accept_header(policy.accept_types),
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        conditional = bool(etag or last_modified)
        with httpx.Client(
            transport=PinnedTransport(backend, verify=self.verify),
            follow_redirects=False,
            trust_env=False,
            headers=headers,
        ) as client:
            current = url
            while True:
                self._check_url(current)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FetchTimeout(f"{url} took longer than {policy.total_timeout:g} s in total")
                timeout = httpx.Timeout(remaining, connect=min(policy.connect_timeout, remaining))
                try:
                    with client.stream("GET", current, timeout=timeout) as response:
                        location = response.headers.get("location")
                        if response.is_redirect and location:
                            if len(redirects) >= policy.max_redirects:
                                raise TooManyRedirects(
                                    f"{url} redirects more than {policy.max_redirects} times"
                                )
                            current = str(response.url.join(location.strip()))
                            redirects.append(current)
                            continue
                        if conditional and response.status_code == 304:
                            return FetchedPage(
                                url=str(response.url),
                                status=304,
                                content_type="",
                                body=b"",
                                encoding=None,
                                redirects=tuple(redirects),
                                etag=response.headers.get("etag") or etag,
                                last_modified=response.headers.get("last-modified") or last_modified,
                            )
                        return self._read(response, url, deadline, tuple(redirects))
                except httpx.TimeoutException as exc:
                    if time.monotonic() >= deadline:
                        raise FetchTimeout(
                            f"{url} took longer than {policy.total_timeout:g} s in total"
                        ) from exc
                    raise FetchTimeout(f"{current}: {type(exc).__name__} ({exc})") from exc
                except httpx.InvalidURL as exc:
                    raise BlockedURL(f"will not fetch {current[:200]!r}: {exc}") from exc
                except httpx.TransportError as exc:
                    raise NetworkError(f"{current}: {type(exc).__name__} ({exc or 'no detail'})") from exc
                except httpx.HTTPError as exc:  # e.g. a body that does not decode: final, not retried
                    raise FetchError(f"{current}: {type(exc).__name__} ({exc or 'no detail'})") from exc

    def _check_url(self, url: str) -> None:
        """Before each request: the URL's form, and its host when it is an IP literal of any spelling."""
        try:
            parts = split_url(url, self.policy.max_url_length)
        except LinkRuleError as exc:
            raise BlockedURL(f"will not fetch {url[:200]!r}: {exc.message}") from exc
        literal = parse_ip_host(parts.hostname or "")
        if literal is not None:
            reason = self.policy.addresses.address_refusal(literal)
            if reason is not None:
                host = parts.hostname or ""
                shown = host if host == str(literal) else f"{host} means {literal}, which"
                raise BlockedAddress(f"refused to connect: {shown} is not public ({reason})")

    def _read(
        self, response: httpx.Response, url: str, deadline: float, redirects: tuple[str, ...]
    ) -> FetchedPage:
        policy = self.policy
        where = str(response.url)
        if response.status_code >= 400:
            raise HTTPStatusError(f"{where} answered HTTP {response.status_code}", response.status_code)
        if response.status_code != 200:
            raise HTTPStatusError(
                f"{where} answered HTTP {response.status_code}, not a page", response.status_code
            )
        content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in policy.accept_types:
            wanted = (
                "an HTML page"
                if set(policy.accept_types) <= set(HTML_TYPES)
                else f"of an accepted type ({', '.join(policy.accept_types)})"
            )
            raise UnacceptedContentType(
                f"{where} is not {wanted} (Content-Type: {content_type or 'none'})", content_type
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > policy.max_bytes:
            raise PageTooLarge(f"{where} is larger than {_size(policy.max_bytes)} ({_size(int(declared))})")
        body = bytearray()
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) > policy.max_bytes:
                raise PageTooLarge(f"{where} is larger than {_size(policy.max_bytes)}")
            if time.monotonic() > deadline:
                raise FetchTimeout(f"{url} took longer than {policy.total_timeout:g} s in total")
        return FetchedPage(
            url=where,
            status=response.status_code,
            content_type=content_type,
            body=bytes(body),
            encoding=response.charset_encoding,
            redirects=redirects,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


def accept_header(types: tuple[str, ...]) -> str:
    """The ``Accept`` header asking for ``types``, in order of preference."""
    return ",".join(
        kind if index == 0 else f"{kind};q={max(0.1, 1 - index / 10):.1f}" for index, kind in enumerate(types)
    )


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


__all__ = ["FetchError", "FetchPolicy", "FetchedPage", "PageFetcher"]
