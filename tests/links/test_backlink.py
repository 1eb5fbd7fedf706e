"""find_backlink: which anchors count as a link back to the article, and the page's title."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.links.backlink import article_aliases, find_backlink

CANONICAL = "https://screen.example/a/42/heat-2"
PAGE = "https://blog.example.org/posts/review.html"


def page(body: str, head: str = "<title>My review</title>") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "href",
    [
        "https://screen.example/a/42/heat-2",
        "http://screen.example/a/42/heat-2",
        "https://www.screen.example/a/42/heat-2",
        "https://screen.example/a/42/heat-2/",
        "HTTPS://SCREEN.example:443/a/42/heat-2",
        "https://screen.example/a/42/heat-2?utm_source=blog#faq",
        "https://screen.example/a/42",
        "https://screen.example/a/42/",
        "//screen.example/a/42/heat-2",
        "https://screen.example/a/x/../42/heat-2",
        "  https://screen.example/a/42/heat-2  ",
    ],
)
def test_aliases_of_the_article_count(href: str) -> None:
    result = find_backlink(page(f'<p>Read <a href="{href}">this</a>.</p>'), PAGE, CANONICAL)
    assert result.found and result.href == href.strip()


@pytest.mark.parametrize(
    "href",
    [
        "https://screen.example/a/43/heat-2",
        "https://screen.example/a/421/heat-2",
        "https://other.example/a/42/heat-2",
        "https://screen.example.evil.com/a/42/heat-2",
        "https://screen.example:8443/a/42/heat-2",
        "ftp://screen.example/a/42/heat-2",
        "/a/42/heat-2",
        "mailto:editor@screen.example",
        "javascript:location='https://screen.example/a/42/heat-2'",
        "",
    ],
)
def test_other_links_do_not(href: str) -> None:
    assert not find_backlink(page(f'<a href="{href}">x</a>'), PAGE, CANONICAL).found


def test_relative_link_resolves_against_the_page_url() -> None:
    result = find_backlink(
        page('<a href="../a/42/heat-2">here</a>'), "https://screen.example/blog/post", CANONICAL
    )
    assert result.found


def test_relative_link_resolves_against_base_href() -> None:
    html = page(
        '<a href="a/42/heat-2">here</a>', head='<title>t</title><base href="https://screen.example/">'
    )
    assert find_backlink(html, PAGE, CANONICAL).found
    assert not find_backlink(page('<a href="a/42/heat-2">here</a>'), PAGE, CANONICAL).found


def test_text_or_other_tags_mentioning_the_url_do_not_count() -> None:
    html = page(f'<p>{CANONICAL}</p><link rel="canonical" href="{CANONICAL}"><img src="{CANONICAL}">')
    assert not find_backlink(html, PAGE, CANONICAL).found


def test_title_is_taken_trimmed_and_capped() -> None:
    assert (
        find_backlink(page("", head="<title>\n  My   review \n</title>"), PAGE, CANONICAL).title
        == "My review"
    )
    assert find_backlink(page(""), PAGE, CANONICAL).title == "My review"
    assert find_backlink(page("", head=""), PAGE, CANONICAL).title is None
    long = find_backlink(page("", head=f"<title>{'x' * 1000}</title>"), PAGE, CANONICAL).title
    assert long is not None and len(long) == 300


def test_local_canonical_url_with_port() -> None:
    aliases = article_aliases("http://screen.localhost:8000/a/6646098/heat-2")
    assert ("screen.localhost:8000", "/a/6646098") in aliases
    html = page('<a href="http://screen.localhost:8000/a/6646098">x</a>')
    assert find_backlink(html, PAGE, "http://screen.localhost:8000/a/6646098/heat-2").found
    assert not find_backlink(html, PAGE, "http://screen.localhost:9000/a/6646098/heat-2").found


def test_broken_hrefs_and_base_are_skipped() -> None:
    html = page(
        f'<a href="http://[oops/">bad</a><a href="{CANONICAL}">good</a>',
        head='<title>t</title><base href="http://[broken">',
    )
    assert find_backlink(html, PAGE, CANONICAL).found


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=30))
def test_any_markup_gives_a_verdict(href: str, base: str) -> None:
    html = page(f"<a href='{href}'>x</a>", head=f"<base href='{base}'><title>{href}</title>")
    result = find_backlink(html, PAGE, CANONICAL)
    assert result.found in (True, False)
