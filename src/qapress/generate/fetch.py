"""Fetching a source page: the one place that holds the fetch policy (schemes, size, timeout, redirects).

A URL given on the editor's command line is trusted input, so any host is allowed; the scheme is not:
only http and https, before and after redirects.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from qapress.generate.errors import FetchError

ALLOWED_SCHEMES = frozenset({"http", "https"})
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True)
class FetchPolicy:
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "qapress-ingest/0.1 (+https://github.com/qapress)"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    text: str
    content_type: str

    @property
    def is_html(self) -> bool:
        return self.content_type != "text/plain"


def check_scheme(url: str) -> httpx.URL:
    """The parsed URL, or ``FetchError`` when it is not an absolute http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in ALLOWED_SCHEMES or not parsed.host:
        raise FetchError(f"{url!r}: only http and https URLs can be fetched")
    return parsed


def fetch_page(
    url: str, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None
) -> FetchedPage:
    """The page at ``url`` as text, within the policy's size and time limits."""
    policy = policy or FetchPolicy()
    check_scheme(url)
    try:
        with (
            httpx.Client(
                timeout=policy.timeout_s,
                follow_redirects=True,
                max_redirects=policy.max_redirects,
                headers={"User-Agent": policy.user_agent, "Accept": "text/html, text/plain;q=0.8"},
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            check_scheme(str(response.url))
            if response.status_code >= 400:
                raise FetchError(f"{url}: the server answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
            if content_type not in TEXT_TYPES:
                raise FetchError(f"{url}: expected an HTML or text page, got {content_type!r}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise FetchError(f"{url}: the page is larger than {policy.max_bytes} bytes")
            encoding = response.charset_encoding or "utf-8"
            text = bytes(body).decode(encoding, errors="replace")
            return FetchedPage(str(response.url), text, content_type)
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {policy.max_redirects} redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer within {policy.timeout_s:g} s") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc
