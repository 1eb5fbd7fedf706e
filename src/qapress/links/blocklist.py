"""Which hosts are blocked, pure: a block names one host exactly, or a registered domain with every
subdomain. ``qapress links block`` writes them (``links.blocking``); the link rules and the checker read them.

A domain block is kept as the registered domain of what the moderator typed (``www.spam.example`` blocks
``spam.example``), read with the public suffix list bundled with tldextract, private suffixes included: a
block of ``someone.blogspot.com`` does not block every blog on ``blogspot.com``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from qapress.links.addresses import parse_ip_host
from qapress.links.errors import HostBlocked, LinkRuleError, ModerationError
from qapress.links.validation import ascii_host, has_public_suffix


@dataclass(frozen=True)
class BlockedHost:
    id: int
    host: str
    kind: str  # "host" or "domain"
    reason: str
    created_at: dt.datetime | None

    def matches(self, host: str) -> bool:
        """Does this block cover ``host`` (lower-case ASCII)?"""
        if self.kind == "host":
            return host == self.host
        return host == self.host or host.endswith("." + self.host)

    def describe(self) -> str:
        return self.host if self.kind == "host" else f"{self.host} and its subdomains"


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled snapshot only, never a fetch at run time; private suffixes count as suffixes.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def host_of(text: str) -> str:
    """The lower-case ASCII host of a URL or a bare host name; ``ModerationError`` when there is none."""
    candidate = text.strip()
    if "://" in candidate:
        try:
            candidate = urlsplit(candidate).hostname or ""
        except ValueError:
            candidate = ""
    else:
        candidate = candidate.split("/")[0].split(":")[0] if candidate.count(":") <= 1 else candidate
    candidate = candidate.strip("[]")
    if not candidate:
        raise ModerationError(f"{text!r} is not a host name or URL")
    literal = parse_ip_host(candidate)
    if literal is not None:
        return str(literal)
    try:
        host = ascii_host(candidate)
    except LinkRuleError as exc:
        raise ModerationError(f"{text!r} is not a valid host name") from exc
    if not has_public_suffix(host):
        raise ModerationError(f"{text!r} is not a public host name (such as spam.example.com)")
    return host


def block_target(text: str, *, domain: bool) -> str:
    """What a block of ``text`` is stored as: the host, or (``domain``) its registered domain."""
    host = host_of(text)
    if not domain:
        return host
    if parse_ip_host(host) is not None:
        raise ModerationError(
            f"{host} is an IP address, which has no registered domain; block it without --domain"
        )
    extracted = _extractor()(host)
    registered = extracted.top_domain_under_public_suffix
    # A private suffix typed as itself (``blogspot.com``) is blocked whole, as asked.
    return registered or host


def covering_names(host: str) -> list[str]:
    """The names a domain block covering ``host`` could be stored as: the host and each parent domain."""
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)] or [host]


def matching_block(blocks: list[BlockedHost], host: str) -> BlockedHost | None:
    """The first block (host blocks first) that covers ``host``."""
    ordered = sorted(blocks, key=lambda block: (block.kind != "host", block.id))
    return next((block for block in ordered if block.matches(host)), None)


def check_not_blocked(block: BlockedHost | None) -> None:
    """The link rule: a submission to a blocked host is refused, saying which host."""
    if block is not None:
        raise HostBlocked(f"Links to {block.describe()} are not accepted.")
