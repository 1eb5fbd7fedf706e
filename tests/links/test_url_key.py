"""url_key: each normalization step on its own, then the properties the duplicate rule relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.links.url_key import strip_tracking_parameters, url_key


@pytest.mark.parametrize(
    ("step", "submitted", "key"),
    [
        ("scheme case", "HTTPS://example.com/a", "https://example.com/a"),
        ("host case", "https://WWW.Example.COM/a", "https://www.example.com/a"),
        ("IDN to punycode", "https://bücher.de/a", "https://xn--bcher-kva.de/a"),
        ("IDN in upper case", "https://BÜCHER.de/a", "https://xn--bcher-kva.de/a"),
        ("default http port", "http://example.com:80/a", "http://example.com/a"),
        ("default https port", "https://example.com:443/a", "https://example.com/a"),
        ("other port kept", "https://example.com:8443/a", "https://example.com:8443/a"),
        ("dot segments", "https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("percent-encoding case", "https://example.com/a%2fb%c3%a9", "https://example.com/a%2Fb%C3%A9"),
        ("unreserved decoded", "https://example.com/%7Euser", "https://example.com/~user"),
        ("non-ASCII path encoded", "https://example.com/café", "https://example.com/caf%C3%A9"),
        ("empty path as /", "https://example.com", "https://example.com/"),
        ("empty path with query", "https://example.com?b=1", "https://example.com/?b=1"),
        ("fragment dropped", "https://example.com/a#section-2", "https://example.com/a"),
        (
            "utm_* removed",
            "https://example.com/a?utm_source=x&utm_Medium=y&id=3",
            "https://example.com/a?id=3",
        ),
        ("fbclid, gclid removed", "https://example.com/a?fbclid=1&gclid=2", "https://example.com/a"),
        ("mailchimp removed", "https://example.com/a?mc_cid=1&mc_eid=2&p=1", "https://example.com/a?p=1"),
        ("query sorted", "https://example.com/a?z=1&b=2&a=3", "https://example.com/a?a=3&b=2&z=1"),
        ("empty query dropped", "https://example.com/a?", "https://example.com/a"),
        ("trailing dot of host", "https://example.com./a", "https://example.com/a"),
        ("IPv4 in decimal", "http://134744072/a", "http://8.8.8.8/a"),
        ("IPv4 in hex and short", "http://0x8.0x8.2056:8080/a", "http://8.8.8.8:8080/a"),
    ],
)
def test_each_normalization_step(step: str, submitted: str, key: str) -> None:
    assert url_key(submitted) == key, step


def test_different_pages_keep_different_keys() -> None:
    keys = {
        url_key("https://example.com/a"),
        url_key("http://example.com/a"),
        url_key("https://example.com/a/"),
        url_key("https://example.com/a?id=1"),
        url_key("https://example.com/a?id=2"),
        url_key("https://other.example.com/a"),
    }
    assert len(keys) == 6


def test_tracking_removal_keeps_other_parameters_in_order() -> None:
    assert strip_tracking_parameters("https://e.com/?b=1&utm_x=2&a=3") == "https://e.com/?b=1&a=3"


def test_relative_url_has_no_key() -> None:
    with pytest.raises(ValueError, match="not an absolute URL"):
        url_key("/a/b")


segment = st.text(alphabet="abcXYZ019-._~%é/ ", min_size=0, max_size=12)
query_name = st.sampled_from(["a", "B", "utm_source", "fbclid", "id", "q"])
query_value = st.text(alphabet="ab1 +&=é%", max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    scheme=st.sampled_from(["http", "HTTP", "https"]),
    host=st.sampled_from(["example.com", "EXAMPLE.com", "bücher.de", "a.b.co.uk"]),
    path=segment,
    query=st.lists(st.tuples(query_name, query_value), max_size=4),
    fragment=st.text(alphabet="ab#", max_size=4),
)
def test_key_is_idempotent(
    scheme: str, host: str, path: str, query: list[tuple[str, str]], fragment: str
) -> None:
    from urllib.parse import quote, urlencode

    url = f"{scheme}://{host}/{quote(path, safe='/%')}"
    if query:
        url += "?" + urlencode(query)
    if fragment:
        url += "#" + fragment
    key = url_key(url)
    assert url_key(key) == key
    assert "#" not in key
    assert "utm_source" not in key and "fbclid" not in key


def test_a_trailing_slash_is_dropped_only_when_asked() -> None:
    assert url_key("https://example.com/a/b/") == "https://example.com/a/b/"
    assert (
        url_key("https://example.com/a/b/?q=1", trailing_slash_matters=False) == "https://example.com/a/b?q=1"
    )
    assert url_key("https://example.com", trailing_slash_matters=False) == "https://example.com/"
