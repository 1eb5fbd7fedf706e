"""Reading sources: plain text, JSON Lines, HTML and text pages fetched from a real server on 127.0.0.1.

The fetches go through the links fetcher's SSRF guard, opened to 127.0.0.1 by the settings' allow-list the
way tests/links does it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qapress.generate.errors import FetchError, IngestError
from qapress.generate.fetch import fetch_page, ingest_policy
from qapress.generate.sources import content_hash, parse_html, parse_json_lines, parse_plain_text
from qapress.links.fetcher import FetchPolicy
from qapress.settings import Settings

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

    async def plain(_: Request) -> Response:
        return PlainTextResponse("\n".join(PARAGRAPHS))

    async def to_private(_: Request) -> Response:
        return RedirectResponse("http://10.0.0.1/science/reefs", status_code=302)

    return Starlette(
        routes=[
            Route("/science/reefs", article),
            Route("/old-reefs", moved),
            Route("/huge", huge),
            Route("/reef.png", image),
            Route("/missing", missing),
            Route("/science/reefs.txt", plain),
            Route("/to-private", to_private),
        ]
    )


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve(page_app()) as url:
        yield url


def policy(**settings: object) -> FetchPolicy:
    """The ingestion policy of these settings, opened to the test servers on 127.0.0.1."""
    return ingest_policy(Settings(fetch_allow_networks=["127.0.0.1/32"], **settings))  # type: ignore[arg-type]


def test_an_html_page_is_fetched_and_extracted(site: str) -> None:
    page = fetch_page(f"{site}/old-reefs", policy())
    assert page.url == f"{site}/science/reefs" and page.is_html
    document = parse_html(page.text, url=page.url)
    assert document.title == "Coral reefs recovering faster than expected, global survey finds"
    assert document.publisher == "The Reef Courier"
    assert document.author == "Hannah Mills"
    assert document.date == dt.date(2026, 3, 12)
    assert document.image_credit == "Ana Torres/Ocean Images"
    assert document.url == f"{site}/science/reefs"
    assert "38 percent of reefs" in document.text
    assert "Subscribe now" not in document.text and "Cookie settings" not in document.text


def test_a_plain_text_page_is_fetched_as_text(site: str) -> None:
    page = fetch_page(f"{site}/science/reefs.txt", policy())
    assert not page.is_html and page.content_type == "text/plain"
    assert page.text.splitlines() == PARAGRAPHS


def test_only_http_and_https_are_fetched() -> None:
    for url in ("ftp://example.org/a.html", "file:///etc/passwd", "javascript:alert(1)", "//no-scheme"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch_page(url, policy())


def test_fetch_limits_say_what_went_wrong(site: str) -> None:
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        fetch_page(f"{site}/huge", policy(ingest_max_bytes=10_000))
    with pytest.raises(FetchError, match="expected an HTML or text page, got image/png"):
        fetch_page(f"{site}/reef.png", policy())
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_page(f"{site}/missing", policy())


def test_a_local_address_is_refused_unless_allow_listed(site: str) -> None:
    closed = ingest_policy(Settings(fetch_allow_networks=[]))
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address") as refused:
        fetch_page(f"{site}/science/reefs", closed)
    assert str(refused.value).startswith(f"will not fetch {site}/science/reefs: ")
    assert "QAPRESS_FETCH_ALLOW_NETWORKS" in str(refused.value)
    with pytest.raises(FetchError, match=r"10\.0\.0\.1 is a private address"):
        fetch_page(f"{site}/to-private", policy())


def test_the_ingestion_policy_comes_from_the_settings() -> None:
    made = ingest_policy(
        Settings(
            fetch_allowed_ports=[443],
            fetch_allow_networks=[],
            ingest_timeout_s=3.0,
            ingest_max_bytes=1_000,
            fetch_max_redirects=2,
        )
    )
    assert made.addresses.allowed_ports == frozenset({443}) and made.addresses.allow_networks == ()
    assert made.total_timeout == made.connect_timeout == 3.0, "connecting never outlasts the whole fetch"
    assert (made.max_bytes, made.max_redirects) == (1_000, 2)
    assert made.accept_types == ("text/html", "application/xhtml+xml", "text/plain")


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
