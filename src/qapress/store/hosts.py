"""A site's host as the store keeps it: lower case, IDNA A-labels, no port, no path, no control characters.

Browsers send the Host header in A-label form (``xn--...``), so that is the form kept; ``display_host``
gives the Unicode form back for people.
"""

from __future__ import annotations

import ipaddress
import re

import idna

from qapress.store.database import StoreError

MAX_HOST_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidHost(StoreError):
    """A host that no browser could send in a Host header; the message names it and says why."""


def normalize_site_host(raw: str) -> str:
    """The host in the store's form, or ``InvalidHost`` saying what is wrong with it."""
    shown = ascii(raw)
    if not raw or raw != raw.strip():
        raise InvalidHost(f"host {shown}: give a bare host name such as news.example.com, without spaces")
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in raw):
        raise InvalidHost(f"host {shown} holds control characters")
    if "://" in raw or any(char in raw for char in "/?#@\\ "):
        raise InvalidHost(f"host {shown}: give only the host name, not a URL (no scheme, path or user)")
    if ":" in raw or raw.startswith("["):
        raise InvalidHost(f"host {shown}: give the host without a port (sites are served on every port)")
    host = raw.rstrip(".") if raw.endswith(".") and not raw.endswith("..") else raw
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise InvalidHost(f"host {shown} is an IP address; a site needs a host name")
    try:
        ascii_host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidHost(f"host {shown} is not a valid host name: {exc}") from None
    ascii_host = ascii_host.lower()
    if len(ascii_host) > MAX_HOST_LENGTH:
        raise InvalidHost(f"host {shown} is longer than {MAX_HOST_LENGTH} characters")
    for label in ascii_host.split("."):
        if not _LABEL.match(label):
            raise InvalidHost(f"host {shown}: the label {label!r} is not a valid DNS label")
    return ascii_host


def display_host(host: str) -> str:
    """The Unicode form of a stored host (``xn--mnchen-3ya.example`` -> ``münchen.example``)."""
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host
