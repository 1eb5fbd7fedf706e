"""The canonical article URL, shared by the site and the backlink check."""

from qapress.store.urls import article_url


def test_canonical_article_url() -> None:
    assert article_url("screen.localhost", 6646098, "heat-2") == "https://screen.localhost/a/6646098/heat-2"


def test_scheme_setting_and_local_base_url() -> None:
    assert article_url("a.example", 1, "s", scheme="http") == "http://a.example/a/1/s"
    assert article_url("a.example", 1, "s", base_url="http://{host}:8000/") == "http://a.example:8000/a/1/s"
    assert article_url("a.example", 1, "s", base_url="http://127.0.0.1:9") == "http://127.0.0.1:9/a/1/s"


def test_slug_is_escaped_and_optional() -> None:
    assert article_url("a.example", 1, "a b/c") == "https://a.example/a/1/a%20b%2Fc"
    assert article_url("a.example", 1, "") == "https://a.example/a/1"
