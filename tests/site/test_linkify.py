"""The outro's addresses become links, and nothing else in it becomes markup."""

from __future__ import annotations

import pytest

from qapress.site.linkify import linkify


def test_the_credit_links_the_original() -> None:
    outro = "This explainer is based on “Heat 2”, published by Screen Weekly (https://screen.example/heat?a=1&b=2)."
    html = str(linkify(outro))
    assert html.endswith(
        '(<a href="https://screen.example/heat?a=1&amp;b=2" rel="nofollow noopener">'
        "https://screen.example/heat?a=1&amp;b=2</a>)."
    )
    assert html.startswith("This explainer is based on “Heat 2”, published by Screen Weekly (")


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> see javascript:alert(1)",
        'http://x.example/"onmouseover="alert(1)',
        "http://x.example/<img src=x onerror=alert(1)>",
    ],
)
def test_nothing_else_becomes_markup(text: str) -> None:
    html = str(linkify(text))
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert '"onmouseover' not in html.replace("&#34;onmouseover", "")


def test_text_without_an_address_is_only_escaped() -> None:
    assert str(linkify("Tom & Jerry, ftp://files.example/x")) == "Tom &amp; Jerry, ftp://files.example/x"
