"""Site hosts as the store keeps them."""

from __future__ import annotations

import pytest

from qapress.store.hosts import InvalidHost, display_host, normalize_site_host


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("News.Example.COM", "news.example.com"),
        ("news.example.com.", "news.example.com"),
        ("münchen.example", "xn--mnchen-3ya.example"),
        ("xn--mnchen-3ya.example", "xn--mnchen-3ya.example"),
        ("screen.localhost", "screen.localhost"),
    ],
)
def test_hosts_are_kept_lower_case_in_a_labels(given: str, kept: str) -> None:
    assert normalize_site_host(given) == kept


@pytest.mark.parametrize(
    "given",
    [
        "",
        " news.example.com",
        "news.example.com:443",
        "[::1]",
        "https://news.example.com",
        "news.example.com/x",
        "user@news.example.com",
        "new\x00s.example",
        "new\u0085s.example",
        "1.2.3.4",
        "-news.example",
        "news..example",
        "under_score.example",
        "a" * 64 + ".example",
        ("a" * 60 + ".") * 5 + "example",
    ],
)
def test_bad_hosts_are_refused(given: str) -> None:
    with pytest.raises(InvalidHost):
        normalize_site_host(given)


def test_display_host_gives_unicode_back() -> None:
    assert display_host("xn--mnchen-3ya.example") == "münchen.example"
    assert display_host("news.example.com") == "news.example.com"
