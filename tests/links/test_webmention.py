"""Webmention, as the W3C Recommendation and webmention.rocks' receiver checklist describe it: the endpoint is
advertised on every article, a request is checked at once and answered 202, and the source is verified later
through the SSRF-safe fetcher; a verified mention is a reader's link under the same rules and moderation.
Source pages are served on 127.0.0.1, the receiver is a real ``qapress`` site on uvicorn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.engine import Engine

from qapress.links.backlink import find_backlink
from qapress.links.checker import BacklinkChecker
from qapress.links.fetcher import FetchPolicy, PageFetcher
from qapress.links.webmention import MentionRefused, read_mention
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import link, qa_ai

from .conftest import LOOPBACK_POLICY
from .servers import PageServer, html_page, large_page, redirect, send, slow_page
from .test_checker import SCHEDULE

if TYPE_CHECKING:
    from tests.site.live import LiveSite

TARGET = "https://screen.example/a/12/heat-2"


# --- the request, checked at once (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": TARGET}, "needs both source and target"),
        ({"source": "https://blog.example/post"}, "needs both source and target"),
        ({"source": "ftp://blog.example/post", "target": TARGET}, "source must be an http or https URL"),
        ({"source": "https://blog.example/post", "target": "mailto:x@y.example"}, "target must be an http"),
        ({"source": "https://blog.example:99999/", "target": TARGET}, "source must be an http"),
        ({"source": TARGET + "#comments", "target": TARGET}, "the same page"),
        ({"source": "https://blog.example/post", "target": "https://screen.example/about"}, "not an article"),
        ({"source": "https://blog.example/" + "x" * 3000, "target": TARGET}, "longer than"),
    ],
)
def test_a_request_that_cannot_be_a_mention_is_refused(fields: dict[str, str], message: str) -> None:
    with pytest.raises(MentionRefused, match=message) as refused:
        read_mention(fields)
    assert refused.value.status == 400


def test_the_target_names_an_article_by_its_path_and_its_fragment_is_ignored() -> None:
    mention = read_mention({"source": "https://blog.example/post", "target": TARGET + "#faq"})
    assert (mention.target_host, mention.article_id) == ("screen.example", 12)
    assert (
        read_mention({"source": "https://b.example/", "target": "http://Screen.Example/a/12"}).article_id
        == 12
    )


# --- where the source may name the target (pure) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (f'<a href="{TARGET}">Heat 2</a>', True),
        (f'<img src="{TARGET}" alt="">', True),
        (f'<video src="{TARGET}"></video>', True),
        (f'<audio controls><source src="{TARGET}"></audio>', True),
        (f"<p>I read {TARGET} today.</p>", False),  # as text
        (f'<!-- <a href="{TARGET}">Heat 2</a> -->', False),  # inside a comment
        (f'<div data-href="{TARGET}"></div>', False),  # in some other attribute
        ('<a href="https://screen.example/a/13/other">Other</a>', False),  # not in the document
    ],
)
def test_a_mention_counts_in_a_img_video_and_audio_only(body: str, found: bool) -> None:
    html = f"<!doctype html><title>Post</title><body>{body}</body>"
    assert find_backlink(html, "https://blog.example/post", TARGET, media=True).found is found
    if "<a " not in body or "<!--" in body:
        # A reader's form link must be an <a>: media elements do not count for it.
        assert find_backlink(html, "https://blog.example/post", TARGET).found is False


# --- end to end --------------------------------------------------------------------------------------------


@pytest.fixture
def receiver(database_url: str) -> Iterator[LiveSite]:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(database_url)
    with serve_site(engine, fetch_allow_networks=["127.0.0.1/32"], links_rate_limit_per_hour=1000) as site:
        yield site
    engine.dispose()


@pytest.fixture
def sources() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def seed_url(live: LiveSite) -> str:
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == SEED_ARTICLE_ID)).scalar_one()
    return live.url(f"/a/{SEED_ARTICLE_ID}/{slug}")


def mention(live: LiveSite, source: str, target: str, **headers: str) -> httpx.Response:
    return live.request(
        "POST",
        "/webmention",
        data={"source": source, "target": target},
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )


def verify(live: LiveSite) -> None:
    """One pass of the backlink worker, as ``qapress worker --once`` runs it."""
    fetcher = PageFetcher(FetchPolicy(addresses=LOOPBACK_POLICY, max_redirects=3, total_timeout=1.0))
    checker = BacklinkChecker(live.engine, fetcher, SCHEDULE, public_base_url=f"http://{{host}}:{live.port}")
    for link_id in checker.due(now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)):
        checker.check(link_id)


def mentions(engine: Engine) -> dict[str, sa.RowMapping]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(link).where(link.c.origin == "webmention")).mappings()
        return {row["url"].rsplit("/", 1)[-1]: row for row in rows}


def test_articles_advertise_the_endpoint(receiver: LiveSite) -> None:
    page = receiver.get(seed_url(receiver).split(str(receiver.port), 1)[1])
    assert page.status_code == 200
    endpoint = receiver.url("/webmention")
    assert page.headers["link"] == f'<{endpoint}>; rel="webmention"'
    tag = HTMLParser(page.text).css_first('link[rel="webmention"]')
    assert tag is not None and tag.attributes["href"] == endpoint
    # Senders discover with HEAD or GET (Recommendation 3.1.2); a page served again from the cache says it too.
    path = seed_url(receiver).split(str(receiver.port), 1)[1]
    for method in ("GET", "HEAD"):
        assert receiver.request(method, path).headers["link"] == f'<{endpoint}>; rel="webmention"', method


#: How each test source names its target, and whether that makes a valid mention.
SOURCE_KINDS = {
    "anchor": ('<a href="{to}">Heat 2</a>', "live"),
    "image": ('<img src="{to}" alt="">', "live"),
    "video": ('<video src="{to}"></video>', "live"),
    "audio": ('<audio><source src="{to}"></audio>', "live"),
    "text": ("<p>{to}</p>", "rejected"),
    "comment": ('<!-- <a href="{to}">x</a> -->', "rejected"),
    "absent": ('<a href="https://example.com/">elsewhere</a>', "rejected"),
}


def article_urls(live: LiveSite, count: int) -> list[str]:
    with live.engine.connect() as connection:
        rows = connection.execute(
            sa.select(qa_ai.c.id, qa_ai.c.slug)
            .where(qa_ai.c.domain == 7, qa_ai.c.status == "published")
            .order_by(qa_ai.c.id)
            .limit(count)
        ).all()
    return [live.url(f"/a/{row.id}/{row.slug}") for row in rows]


def test_mentions_are_verified_as_the_receiver_checklist_asks(
    receiver: LiveSite, sources: PageServer
) -> None:
    # At most five links per page: spread the sources over three articles of the site.
    pages = article_urls(receiver, 3)
    expected: dict[str, str] = {}
    sent: list[tuple[str, str]] = []
    for number, (kind, (body, outcome)) in enumerate(SOURCE_KINDS.items()):
        to = pages[number % 3]
        sources.routes[f"/{kind}"] = html_page(kind, body.format(to=to))
        sent.append((f"/{kind}", to))
        expected[kind] = outcome
    sources.routes["/moved"] = redirect("/moved-here", 301)  # a redirect is followed ...
    sources.routes["/moved-here"] = html_page("moved", f'<a href="{pages[1]}">x</a>')
    sources.routes["/loop"] = redirect("/loop2")  # ... up to a limit (three here)
    sources.routes["/loop2"] = redirect("/loop3")
    sources.routes["/loop3"] = redirect("/loop4")
    sources.routes["/loop4"] = redirect("/loop5")  # the fourth redirect
    sources.routes["/loop5"] = html_page("far", f'<a href="{pages[1]}">x</a>')
    sources.routes["/big"] = large_page(5 * 1024 * 1024, declare_length=False)
    sources.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
    sources.routes["/slow"] = slow_page(delay=0.3, parts=10)  # 3 s, over the 1 s the fetch may take
    sent += [("/moved", pages[1]), ("/loop", pages[1]), ("/big", pages[2]), ("/to-metadata", pages[2])]
    sent.append(("/slow", pages[0]))
    expected.update({"moved": "live", "loop": "rejected", "big": "rejected", "to-metadata": "rejected"})
    expected["slow"] = "pending"  # a timeout is worth another try later

    for path, to in sent:
        answer = mention(receiver, sources.url(path), to + "#faq")  # the fragment is ignored
        assert answer.status_code == 202, (path, answer.text)
        assert "verified" in answer.text
    verify(receiver)
    stored = mentions(receiver.engine)
    assert {kind: stored[kind]["status"] for kind in expected} == expected, {
        kind: stored[kind]["reason"] for kind in expected
    }
    assert "169.254.169.254" in stored["to-metadata"]["reason"]
    assert "larger than" in stored["big"]["reason"]
    assert "longer than 1 s" in stored["slow"]["reason"] and "retrying" in stored["slow"]["reason"]


def test_a_later_mention_updates_and_a_gone_source_takes_the_link_off(
    receiver: LiveSite, sources: PageServer
) -> None:
    target = seed_url(receiver)
    sources.routes["/post"] = html_page("First words", f'<a href="{target}">Heat 2</a>')
    assert mention(receiver, sources.url("/post"), target).status_code == 202
    verify(receiver)
    assert mentions(receiver.engine)["post"]["status"] == "live"
    page = receiver.get(target.split(str(receiver.port), 1)[1])
    assert sources.url("/post") in page.text  # shown among the page's reader links

    # The source changes its title: a new mention updates the link at the next check.
    sources.routes["/post"] = html_page("Second words", f'<a href="{target}">Heat 2</a>')
    again = mention(receiver, sources.url("/post"), target)
    assert again.status_code == 202 and "Updated" in again.text
    verify(receiver)
    assert mentions(receiver.engine)["post"]["title"] == "Second words"

    # The source no longer links: the next mention takes the link off the page; linking again restores it.
    sources.routes["/post"] = html_page("Second words", '<a href="https://example.com/">elsewhere</a>')
    assert mention(receiver, sources.url("/post"), target).status_code == 202
    verify(receiver)
    assert mentions(receiver.engine)["post"]["status"] == "hidden"
    assert sources.url("/post") not in receiver.get(target.split(str(receiver.port), 1)[1]).text
    sources.routes["/post"] = html_page("Third words", f'<a href="{target}">Heat 2</a>')
    assert mention(receiver, sources.url("/post"), target).status_code == 202
    verify(receiver)
    assert mentions(receiver.engine)["post"]["status"] == "live"

    # The source is deleted (410): the next mention takes the link off the page.
    sources.routes["/post"] = lambda handler: send(handler, "gone", status=410)
    assert mention(receiver, sources.url("/post"), target).status_code == 202
    verify(receiver)
    assert mentions(receiver.engine)["post"]["status"] == "hidden"
    assert sources.url("/post") not in receiver.get(target.split(str(receiver.port), 1)[1]).text


def test_the_receiver_refuses_what_it_does_not_serve(receiver: LiveSite, sources: PageServer) -> None:
    target = seed_url(receiver)
    source = sources.url("/post")
    assert (
        mention(receiver, source, target.replace("screen.localhost", "elsewhere.example")).status_code == 400
    )
    assert mention(receiver, source, receiver.url("/a/999999999/nothing")).status_code == 400
    other_site = target.replace("screen.localhost", "news.localhost")  # an article of screen asked on news
    assert mention(receiver, source, other_site).status_code == 400
    assert mention(receiver, "http://10.0.0.1/post", target).status_code == 400  # never fetched
    form = receiver.request("POST", "/webmention", json={"source": source, "target": target})
    assert form.status_code == 415
    # Duplicates and the five-per-page rule hold for mentions as for the form.
    for number in range(5):
        sources.routes[f"/p{number}"] = html_page("p", f'<a href="{target}">x</a>')
        assert mention(receiver, sources.url(f"/p{number}"), target).status_code == 202
    full = mention(receiver, sources.url("/p-extra"), target)
    assert full.status_code == 400 and "5" in full.text
