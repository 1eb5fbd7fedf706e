"""The page's rules as pure functions over counts: what each refusal looks like to a reader."""

from __future__ import annotations

import pytest

from qapress.links import errors
from qapress.links.rules import LinkRules, StoreCounts, check_counts, check_form, check_request_size
from qapress.settings import Settings

RULES = LinkRules()


def counts(page: int = 0, same: int = 0, ip: int = 0) -> StoreCounts:
    return StoreCounts(links_on_page=page, same_url=same, from_same_ip_last_hour=ip)


def test_a_fresh_page_takes_a_link() -> None:
    check_counts(counts(page=4, ip=9), RULES)


@pytest.mark.parametrize(
    ("store", "error", "code"),
    [
        (counts(same=1), errors.DuplicateLink, "link-duplicate"),
        (counts(page=5), errors.PageFull, "link-page-full"),
        (counts(page=7), errors.PageFull, "link-page-full"),
        (counts(ip=10), errors.RateLimited, "link-rate-limited"),
        (counts(page=5, same=1, ip=10), errors.DuplicateLink, "link-duplicate"),
    ],
)
def test_refusals(store: StoreCounts, error: type[errors.LinkRuleError], code: str) -> None:
    with pytest.raises(error) as refused:
        check_counts(store, RULES)
    assert refused.value.code == code


def test_messages_name_the_limits() -> None:
    rules = LinkRules(max_per_page=3, rate_limit_per_hour=2)
    with pytest.raises(errors.PageFull, match="3 links"):
        check_counts(counts(page=3), rules)
    with pytest.raises(errors.RateLimited, match="2 links in the last hour"):
        check_counts(counts(ip=2), rules)


def test_site_wide_duplicates_say_so() -> None:
    with pytest.raises(errors.DuplicateLink, match="on this site"):
        check_counts(counts(same=1), LinkRules(duplicates_site_wide=True))


def test_rate_limit_zero_means_off() -> None:
    check_counts(counts(ip=1_000), LinkRules(rate_limit_per_hour=0))


def test_form_needs_consent_and_an_empty_honeypot() -> None:
    check_form(True, "")
    check_form(True, None)
    with pytest.raises(errors.ConsentRequired):
        check_form(False, "")
    with pytest.raises(errors.HoneypotFilled):
        check_form(True, "http://spam.example")


def test_request_size() -> None:
    check_request_size(None, RULES)
    check_request_size(16_384, RULES)
    with pytest.raises(errors.RequestTooLarge):
        check_request_size(16_385, RULES)


def test_every_code_is_distinct() -> None:
    codes = [cls.code for cls in errors.LinkRuleError.__subclasses__()]
    assert len(codes) == len(set(codes)) and all(code.startswith("link-") for code in codes)
    messages = [cls.default_message for cls in errors.LinkRuleError.__subclasses__()]
    assert len(messages) == len(set(messages))


def test_rules_from_settings() -> None:
    rules = LinkRules.from_settings(
        Settings(links_max_per_page=2, fetch_allow_networks=["127.0.0.1/32"], links_duplicates_site_wide=True)
    )
    assert rules.max_per_page == 2 and rules.duplicates_site_wide
    assert rules.policy.allow_networks and 443 in rules.policy.allowed_ports
