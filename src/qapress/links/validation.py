"""Is a submitted string a URL the page takes? Pure: no network, no database.

A URL is taken when it is absolute http or https, at most ``max_length`` characters, has no ``user:password@``
part, and its host is a name under a public suffix (the suffix list bundled with tldextract, never fetched) or
an IP literal that the address policy allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

import idna
import tldextract

from qapress.links.addresses import AddressPolicy, IPAddress, parse_ip_host
from qapress.links.errors import (
    AddressNotAllowed,
    HostNotPublic,
    InvalidURL,
    PortNotAllowed,
    URLHasCredentials,
    URLTooLong,
)
from qapress.links.url_key import url_key

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ValidURL:
    """A submitted URL that passed validation, with the key duplicates are found by."""

    url: str
    key: str
    host: str
    address: IPAddress | None


@lru_cache(maxsize=1)
def _suffix_extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() : only the snapshot bundled with the package, never a fetch at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def ascii_host(host: str) -> str:
    """The host in lower-case ASCII (IDN to punycode); raises InvalidURL when it is not a valid name."""
    host = host.rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidURL("The address's site name is not valid.") from exc


def has_public_suffix(host: str) -> bool:
    """True when ``host`` is a registrable name under a public suffix (``example.com``, not ``localhost``)."""
    extracted = _suffix_extractor()(host)
    return bool(extracted.domain and extracted.suffix)


def split_url(url: str, max_length: int) -> SplitResult:
    """Syntax checks shared by submissions and redirects: scheme, length, credentials, a host."""
    if len(url) > max_length:
        raise URLTooLong(f"That address is longer than {max_length:,} characters.")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise InvalidURL("The address contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise InvalidURL() from exc
    if parts.scheme.lower() not in DEFAULT_PORTS or not url.lower().startswith(f"{parts.scheme.lower()}://"):
        raise InvalidURL()
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise URLHasCredentials()
    if not parts.hostname:
        raise InvalidURL()
    return parts


def validate_url(
    raw: str, policy: AddressPolicy, max_length: int = 2_048, *, trailing_slash_matters: bool = True
) -> ValidURL:
    """The URL if the page takes it; otherwise the ``LinkRuleError`` of the first rule it breaks."""
    url = raw.strip()
    if not url:
        raise InvalidURL()
    parts = split_url(url, max_length)
    hostname = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    literal = parse_ip_host(hostname)
    if literal is not None:
        reason = policy.address_refusal(literal)
        if reason is not None:
            raise AddressNotAllowed()
        host = str(literal)
    else:
        host = ascii_host(hostname)
        if not has_public_suffix(host):
            raise HostNotPublic()
    if policy.port_refusal(port, literal) is not None:
        raise PortNotAllowed()
    try:
        key = url_key(url, trailing_slash_matters=trailing_slash_matters)
    except ValueError as exc:
        raise InvalidURL() from exc
    if len(key) > max_length * 3:
        raise URLTooLong(f"That address is longer than {max_length:,} characters.")
    return ValidURL(url=url, key=key, host=host, address=literal)
