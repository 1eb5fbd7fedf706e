"""``url_key``: the form of a URL under which two submissions count as the same link.

Steps, each done by a maintained library where it does the step right:

- url-normalize: scheme and host to lower case, IDN host to punycode, default port dropped, dot segments
  resolved, percent-encoding in upper case (and unreserved characters decoded), the empty path as ``/``;
- our own: an IPv4 host in any spelling (``0x7f.1``, ``2130706433``) written dotted-decimal, and tracking
  parameters (``utm_*``, ``fbclid``, ``gclid``, ...) removed;
- w3lib's ``canonicalize_url``: the remaining query sorted, the fragment dropped, encodings made uniform;
- our own, when a network says its readers' sites do not tell them apart (``trailing_slash_matters=False``,
  ``QAPRESS_LINKS_TRAILING_SLASH_MATTERS``): ``/a/b/`` written ``/a/b`` (the root ``/`` stays).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize
from w3lib.url import canonicalize_url

from qapress.links.addresses import parse_ipv4_host

#: Query parameters that say where a click came from, not what the page is. Compared in lower case.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

_LEADING_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking_parameters(url: str) -> str:
    """The URL without its tracking parameters; other parameters keep their order and encoding."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_parameter(name)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def url_key(url: str, *, trailing_slash_matters: bool = True) -> str:
    """The normalized URL two submissions are compared by. ``url`` must be an absolute http(s) URL."""
    if not _LEADING_SCHEME.match(url):
        raise ValueError(f"not an absolute URL: {url!r}")
    normalized = url_normalize(url.strip())
    if normalized is None:  # pragma: no cover - only for an empty input, excluded above
        raise ValueError(f"cannot normalize {url!r}")
    key = str(canonicalize_url(strip_tracking_parameters(dotted_ipv4_host(normalized)), keep_fragments=False))
    return key if trailing_slash_matters else without_trailing_slash(key)


def without_trailing_slash(url: str) -> str:
    """``https://x.example/a/b/?q`` as ``https://x.example/a/b?q``; the root path stays ``/``."""
    parts = urlsplit(url)
    if len(parts.path) > 1 and parts.path.endswith("/"):
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))
    return url


def dotted_ipv4_host(url: str) -> str:
    """The URL with an IPv4 host of any spelling written as dotted decimal; other URLs unchanged."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = parse_ipv4_host(host)
    if address is None or host == str(address):
        return url
    netloc = str(address) if parts.port is None else f"{address}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
