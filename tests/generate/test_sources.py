"""Reading sources: plain text, JSON Lines, HTML pages fetched from a real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from qapress.generate.errors import FetchError, IngestError
from qapress.generate.fetch import FetchPolicy, fetch_page
from qapress.generate.sources import content_hash, parse_html, parse_json_lines, parse_plain_text

from .servers import serve

SOURCES = Path(__file__).with_name("sources")
PARAGRAPHS = (SOURCES / "science.txt").read_text(encoding="utf-8").splitlines()[1:]
ARTICLE_PAGE = f"""<!doctype html>
<html><head>
<title>Coral reefs recovering faster than expected | The Reef Courier</title>
<meta property="og:title" content="Coral reefs recovering faster than expected, global survey finds">
<meta property="og:site_name" content="The Reef Courier">
<meta name="author" content="Hannah Mills">
<meta property="article:published_time" content="2026-03-12T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/science">Science</a> <a href="/subscribe">Subscribe now</a></nav>
<article>
<h1>Coral reefs recovering faster than expected, global survey finds</h1>
<figure><img src="/reef.jpg" alt="A reef"><figcaption>Divers survey a reef. Photo: Ana Torres/Ocean Images</figcaption></figure>
{"".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)}
</article>
<footer>© The Reef Courier. All rights reserved. Cookie settings.</footer>
</body></html>"""


def page_app() -> Starlette:
    async def article(_: Request) -> Response:
        return HTMLResponse(ARTICLE_PAGE)

    async def moved(_: Request) -> Response:
        return RedirectResponse("/science/reefs", status_code=301)

    async def huge(_: Request) -> Response:
        return HTMLResponse("<p>" + "reef " * 50_000 + "</p>")

    async def image(_: Request) -> Response:
        return Response(b"\x89PNG....", media_type="image/png")

    async def missing(_: Request) -> Response:
        return HTMLResponse("gone", status_code=404)

    return Starlette(
        routes=[
            Route("/science/reefs", article),
            Route("/old-reefs", moved),
            Route("/huge", huge),
            Route("/reef.png", image),
            Route("/missing", missing),
        ]
    )


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve(page_app()) as url:
        yield url


def test_an_html_page_is_fetched_and_extracted(site: str) -> None:
    page = fetch_page(f"{site}/old-reefs")
    assert page.url == f"{site}/science/reefs"
    document = parse_html(page.text, url=page.url)
    assert document.title == "Coral reefs recovering faster than expected, global survey finds"
    assert document.publisher == "The Reef Courier"
    assert document.author == "Hannah Mills"
    assert document.date == dt.date(2026, 3, 12)
    assert document.image_credit == "Ana Torres/Ocean Images"
    assert document.url == f"{site}/science/reefs"
    assert "38 percent of reefs" in document.text
    assert "Subscribe now" not in document.text and "Cookie settings" not in document.text


def test_only_http_and_https_are_fetched() -> None:
    for url in ("ftp://example.org/a.html", "file:///etc/passwd", "javascript:alert(1)", "//no-scheme"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch_page(url)


def test_fetch_limits_say_what_went_wrong(site: str) -> None:
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        fetch_page(f"{site}/huge", FetchPolicy(max_bytes=10_000))
    with pytest.raises(FetchError, match="expected an HTML or text page"):
        fetch_page(f"{site}/reef.png")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_page(f"{site}/missing")


def test_plain_text_without_a_headline_takes_its_first_sentence() -> None:
    text = "\n".join(PARAGRAPHS)
    document = parse_plain_text(text)
    assert document.title.startswith("Coral reefs in several parts of the world")
    assert len(document.title.split()) <= 12


def test_a_too_short_text_is_refused() -> None:
    with pytest.raises(IngestError, match="at least 30"):
        parse_plain_text("Breaking news\nSomething happened today.")


def test_json_lines_carry_metadata_and_name_the_bad_line() -> None:
    good = {
        "title": "Coral reefs recovering faster than expected",
        "text": "\n".join(PARAGRAPHS),
        "publisher": "The Reef Courier",
        "date": "2026-03-12",
        "url": "https://reef.example/a",
    }
    documents = parse_json_lines(json.dumps(good) + "\n\n" + json.dumps({**good, "url": None}) + "\n")
    assert [d.publisher for d in documents] == ["The Reef Courier", "The Reef Courier"]
    assert documents[0].date == dt.date(2026, 3, 12)
    with pytest.raises(IngestError, match="line 2: not JSON"):
        parse_json_lines(json.dumps(good) + "\n{oops\n")
    with pytest.raises(IngestError, match="line 1: url: Value error, must be an http or https URL"):
        parse_json_lines(json.dumps({**good, "url": "ftp://x/y"}))
    with pytest.raises(IngestError, match="line 1: title"):
        parse_json_lines(json.dumps({"text": good["text"]}))


def test_a_json_array_or_a_pretty_printed_object_is_read_too() -> None:
    good = {"title": "Coral reefs recovering", "text": "\n".join(PARAGRAPHS)}
    assert len(parse_json_lines(json.dumps([good, {**good, "title": "Again"}], indent=2))) == 2
    assert parse_json_lines(json.dumps(good, indent=2))[0].title == "Coral reefs recovering"
    with pytest.raises(IngestError, match="line 2: text"):
        parse_json_lines(json.dumps([good, {"title": "No text"}]))


def test_the_same_text_hashes_the_same_whatever_the_spacing() -> None:
    assert content_hash("A  reef\n\nrecovers.") == content_hash("a reef recovers. ")
    assert content_hash("A reef recovers.") != content_hash("A reef declines.")
