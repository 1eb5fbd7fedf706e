"""validate_url: which submitted strings the page takes, and the rule each refused one breaks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.links import errors
from qapress.links.addresses import AddressPolicy
from qapress.links.validation import validate_url

POLICY = AddressPolicy()


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.com/post", "https://example.com/post"),
        ("  http://Example.com  ", "http://example.com/"),
        ("https://blog.example.co.uk/2024/05/a?utm_source=x", "https://blog.example.co.uk/2024/05/a"),
        ("https://bücher.de/", "https://xn--bcher-kva.de/"),
        ("https://8.8.8.8/page", "https://8.8.8.8/page"),
        ("http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/"),
        ("https://example.com:443/x", "https://example.com/x"),
    ],
)
def test_taken(url: str, key: str) -> None:
    assert validate_url(url, POLICY).key == key


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", errors.InvalidURL),
        ("example.com/post", errors.InvalidURL),
        ("//example.com/post", errors.InvalidURL),
        ("ftp://example.com/file", errors.InvalidURL),
        ("javascript:alert(1)", errors.InvalidURL),
        ("data:text/html,hi", errors.InvalidURL),
        ("https:example.com", errors.InvalidURL),
        ("https://", errors.InvalidURL),
        ("https://exa mple.com/", errors.InvalidURL),
        ("https://example.com/\x00", errors.InvalidURL),
        ("https://example.com:99999/", errors.InvalidURL),
        ("https://user:secret@example.com/", errors.URLHasCredentials),
        ("https://user@example.com/", errors.URLHasCredentials),
        ("https://example.com@evil.com/", errors.URLHasCredentials),
        ("https://localhost/", errors.HostNotPublic),
        ("https://screen.localhost/a/1", errors.HostNotPublic),
        ("https://intranet/", errors.HostNotPublic),
        ("https://com/", errors.HostNotPublic),
        ("https://printer.local/", errors.HostNotPublic),
        ("https://example.123/", errors.HostNotPublic),
        ("http://127.0.0.1/", errors.AddressNotAllowed),
        ("http://2130706433/", errors.AddressNotAllowed),
        ("http://0x7f.1/", errors.AddressNotAllowed),
        ("http://0177.0.0.1/", errors.AddressNotAllowed),
        ("http://169.254.169.254/latest/meta-data/", errors.AddressNotAllowed),
        ("http://[::1]/", errors.AddressNotAllowed),
        ("http://[::ffff:127.0.0.1]/", errors.AddressNotAllowed),
        ("http://[fd00::1]/", errors.AddressNotAllowed),
        ("http://100.64.1.1/", errors.AddressNotAllowed),
        ("https://example.com:8080/", errors.PortNotAllowed),
        ("http://8.8.8.8:22/", errors.PortNotAllowed),
    ],
)
def test_refused(url: str, error: type[errors.LinkRuleError]) -> None:
    with pytest.raises(error) as refused:
        validate_url(url, POLICY)
    assert refused.value.code.startswith("link-url")
    assert refused.value.message


def test_length_limit_counts_characters() -> None:
    base = "https://example.com/"
    fits = base + "a" * (2_048 - len(base))
    assert validate_url(fits, POLICY).url == fits
    with pytest.raises(errors.URLTooLong, match="2,048"):
        validate_url(fits + "a", POLICY)


def test_allow_list_lets_tests_use_loopback_on_any_port() -> None:
    policy = AddressPolicy.build(allow_networks=["127.0.0.1/32"])
    valid = validate_url("http://127.0.0.1:8123/page", policy)
    assert valid.host == "127.0.0.1" and valid.key == "http://127.0.0.1:8123/page"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda scheme, host, rest: f"{scheme}://{host}{rest}",
            st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
            st.text(alphabet="abc.-_0x19[]:@%é", max_size=20),
            st.text(alphabet="/?#=&%:@[]ab", max_size=20),
        ),
    )
)
def test_any_input_is_taken_or_refused_with_a_rule(raw: str) -> None:
    try:
        valid = validate_url(raw, POLICY)
    except errors.LinkRuleError as refused:
        assert refused.code.startswith("link-url") and refused.message
    else:
        assert valid.key.startswith(("http://", "https://"))
