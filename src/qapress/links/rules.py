"""The page's rules, as pure functions: what a submission needs, given what the store already holds.

The store side (``links.submit``) counts under a lock and passes the counts here, so the rules are stated once
and tested without a database. Both ways in (the form and the GraphQL mutation) end up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qapress.links.addresses import AddressPolicy
from qapress.links.errors import (
    ConsentRequired,
    DuplicateLink,
    HoneypotFilled,
    PageFull,
    RateLimited,
    RequestTooLarge,
)
from qapress.settings import Settings

#: The link statuses that take one of a page's places and block the same URL: all but "rejected".
OCCUPYING_STATUSES = ("pending", "live", "hidden")


@dataclass(frozen=True)
class LinkRules:
    """The limits of the link rules; ``from_settings`` reads them from ``QAPRESS_*``."""

    max_per_page: int = 5
    duplicates_site_wide: bool = False
    rate_limit_per_hour: int = 10
    max_url_length: int = 2_048
    max_request_bytes: int = 16_384
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    #: False: ``/a/b`` and ``/a/b/`` are one URL for the duplicate rule.
    trailing_slash_matters: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkRules:
        return cls(
            max_per_page=settings.links_max_per_page,
            trailing_slash_matters=settings.links_trailing_slash_matters,
            duplicates_site_wide=settings.links_duplicates_site_wide,
            rate_limit_per_hour=settings.links_rate_limit_per_hour,
            max_url_length=settings.links_max_url_length,
            max_request_bytes=settings.links_max_request_bytes,
            policy=AddressPolicy.build(settings.fetch_allowed_ports, settings.fetch_allow_networks),
        )


@dataclass(frozen=True)
class StoreCounts:
    """What the store holds that the rules depend on, read inside the submission's transaction."""

    links_on_page: int
    same_url: int
    from_same_ip_last_hour: int


def check_request_size(size: int | None, rules: LinkRules) -> None:
    """The form's body must be small; ``size`` from Content-Length or the bytes read."""
    if size is not None and size > rules.max_request_bytes:
        raise RequestTooLarge()


def check_form(consent: bool, honeypot: str | None) -> None:
    """The rules that need no URL and no store: the honeypot field is empty, the consent box ticked."""
    if honeypot:
        raise HoneypotFilled()
    if consent is not True:
        raise ConsentRequired()


def check_counts(counts: StoreCounts, rules: LinkRules) -> None:
    """The rules over the store's counts, in the order a reader can act on: duplicate, full page, rate."""
    if counts.same_url > 0:
        raise DuplicateLink(
            "This link has already been submitted on this site."
            if rules.duplicates_site_wide
            else "This link has already been submitted for this page."
        )
    if counts.links_on_page >= rules.max_per_page:
        raise PageFull(f"This page already has {rules.max_per_page} links, the most it takes.")
    if rules.rate_limit_per_hour and counts.from_same_ip_last_hour >= rules.rate_limit_per_hour:
        raise RateLimited(
            f"You have submitted {rules.rate_limit_per_hour} links in the last hour; please try again later."
        )
