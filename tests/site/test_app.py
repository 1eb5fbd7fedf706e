"""The site over HTTP: a real uvicorn server on the demo network, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.demo_articles import demo_article_id

from qapress.store.demo import SEED_ARTICLE_ID, SEED_TITLE
from qapress.store.schema import link, qa_ai
from qapress.store.schema import link as link_table

if TYPE_CHECKING:
    from tests.site.live import LiveSite

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def seed_path(live: LiveSite) -> str:
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == SEED_ARTICLE_ID)).scalar_one()
    return f"/a/{SEED_ARTICLE_ID}/{slug}"


def test_the_seed_article_is_served_with_its_content(live: LiveSite) -> None:
    response = live.get(seed_path(live))
    assert response.status_code == 200
    tree = HTMLParser(response.text)
    assert tree.css_first("h1").text() == SEED_TITLE
    assert tree.css_first("time").text() == "February 25, 2026"
    assert tree.css_first(".credit").text() == "source: gettyimages"
    assert len(tree.css(".related li")) == 8
    assert len(tree.css(".network li")) == 3
    assert tree.css_first("link[rel=canonical]").attributes["href"] == live.url(seed_path(live))


def test_a_wrong_or_missing_slug_redirects_to_the_canonical_url(live: LiveSite) -> None:
    for path in (f"/a/{SEED_ARTICLE_ID}/wrong-slug", f"/a/{SEED_ARTICLE_ID}"):
        response = live.get(path)
        assert response.status_code == 301
        assert response.headers["location"] == live.url(seed_path(live))


def test_an_article_asked_on_another_site_redirects_to_its_own(live: LiveSite) -> None:
    response = live.get(seed_path(live), host="music.localhost")
    assert response.status_code == 301
    assert response.headers["location"] == live.url(seed_path(live), host="screen.localhost")


def test_a_repeated_request_gets_304(live: LiveSite) -> None:
    first = live.get(seed_path(live))
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = live.get(seed_path(live), **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    since = live.get(seed_path(live), **{"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304


def test_pages_are_gzipped_for_clients_that_ask(live: LiveSite) -> None:
    response = live.request("GET", seed_path(live), headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers.get_list("vary") == ["Accept-Encoding"]
    plain = live.request("GET", seed_path(live), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers.get_list("vary") == ["Accept-Encoding"]
    graphql = live.request(
        "POST",
        "/v1/graphql",
        json={"query": "{ qa_ai(limit: 50) { title } }"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert graphql.headers["content-encoding"] == "gzip"
    assert SEED_TITLE in response.text  # httpx decoded it


def test_a_missing_article_is_a_404_page_and_a_draft_too(live: LiveSite) -> None:
    draft = demo_article_id(live.engine, title="Riverstream and NRV agree")
    with live.engine.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == draft).values(status="draft"))
    for path in ("/a/999999999/nothing", f"/a/{draft}/draft", "/a/99999999999999999999/huge"):
        response = live.get(path)
        assert response.status_code == 404
        assert HTMLParser(response.text).css_first("h1").text() in ("Article not found", "Page not found")
    with live.engine.begin() as connection:  # the module's other tests count the site's articles
        connection.execute(qa_ai.update().where(qa_ai.c.id == draft).values(status="published"))


def test_a_withdrawn_article_is_a_410_page(live: LiveSite) -> None:
    with live.engine.begin() as connection:
        article = demo_article_id(live.engine, title="Riverstream raises its monthly price")
        connection.execute(qa_ai.update().where(qa_ai.c.id == article).values(status="withdrawn"))
    response = live.get(f"/a/{article}/any")
    assert response.status_code == 410
    assert HTMLParser(response.text).css_first("h1").text() == "Article withdrawn"
    with live.engine.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == article).values(status="published"))


def test_security_headers(live: LiveSite) -> None:
    response = live.get(seed_path(live))
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_home_page_lists_the_newest_articles_page_by_page(live: LiveSite) -> None:
    with live.engine.connect() as connection:
        newest = (
            connection.execute(
                sa.select(qa_ai.c.title)
                .where(qa_ai.c.domain == 7, qa_ai.c.status == "published")
                .order_by(qa_ai.c.date.desc().nulls_last(), qa_ai.c.id.desc())  # by date, not id
                .limit(20)
            )
            .scalars()
            .all()
        )
    first = HTMLParser(live.get("/").text)
    # The lead story (the newest: no demo article has an image of its own), then the newest list.
    titles = [a.text() for a in first.css("#lead-story-title a, .story h3 a")]
    assert titles == newest
    next_url = first.css_first("link[rel=next]").attributes["href"]
    assert next_url == live.url("/?page=2")
    second = HTMLParser(live.get("/?page=2").text)
    assert second.css(".story h3 a")[0].text() not in titles
    assert not second.css(".lead-story, .most-linked, .home-sections")  # the front page's blocks: page 1 only
    assert live.get("/?page=500").status_code == 404
    assert live.get("/?page=abc").status_code == 404


def test_sitemap_index_pages_and_lastmod(live: LiveSite) -> None:
    index = ET.fromstring(live.get("/sitemap.xml").content)
    locs = [el.text for el in index.iter(f"{SITEMAP}loc")]
    assert locs == [live.url("/sitemap-1.xml")]
    assert index.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod") is not None
    page = ET.fromstring(live.get("/sitemap-1.xml").content)
    urls = [el.text for el in page.iter(f"{SITEMAP}loc")]
    assert live.url(seed_path(live)) in urls and live.url("/") in urls
    assert all(url and url.startswith(live.url("/")) for url in urls)


def test_the_atom_feed(live: LiveSite) -> None:
    response = live.get("/feed.xml")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    dates = [entry.findtext(f"{ATOM}published") or "" for entry in entries]
    assert dates == sorted(dates, reverse=True)  # newest by date, not by id
    assert all(entry.findtext(f"{ATOM}updated") for entry in entries)
    assert feed.findtext(f"{ATOM}title") == "Screen Q&A"


def test_robots_healthz_and_hashed_static_assets(live: LiveSite) -> None:
    robots = live.get("/robots.txt").text
    assert f"Sitemap: {live.url('/sitemap.xml')}" in robots
    assert live.get("/healthz").text == "ok"
    css_url = HTMLParser(live.get("/").text).css_first("link[rel=stylesheet]").attributes["href"]
    assert re.fullmatch(rf"{re.escape(live.url('/static/site.'))}[0-9a-f]{{12}}\.css", css_url)
    css = live.get(css_url.removeprefix(live.url("")))
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert css.headers["content-encoding"] == "gzip" and "prefers-color-scheme: dark" in css.text
    assert live.get("/static/site.css").status_code == 404


def test_an_unknown_host_gets_the_default_site(live: LiveSite) -> None:
    tree = HTMLParser(live.get("/", host="127.0.0.1").text)
    assert tree.css_first(".brand").text() == "Newsroom"


def test_the_seed_query_answers_on_the_graphql_endpoint(live: LiveSite, shared_dir: Path) -> None:
    query = (shared_dir / "seeds/page-query.graphql").read_text()
    variables = json.loads((shared_dir / "seeds/page-variables.json").read_text())
    response = live.request("POST", "/v1/graphql", json={"query": query, "variables": variables})
    data = response.json()["data"]
    assert data["self"][0]["title"] == SEED_TITLE
    assert len(data["linksarticle"]) == 8 and len(data["linksbottom"]) == 3

    graphiql = live.get("/v1/graphql", accept="text/html")
    assert graphiql.status_code == 200 and "unsafe-inline" not in graphiql.headers.get(
        "x-content-type-options", ""
    )
    assert graphiql.headers["x-content-type-options"] == "nosniff"  # the site's headers cover the engine too


def test_a_page_costs_its_query_and_a_cached_page_no_statement(live: LiveSite) -> None:
    path = seed_path(live)
    live.get(path)  # the sites are loaded
    live.site.cache.clear()
    with live.counting() as fresh:
        assert live.get(path).status_code == 200
    root_fields = 5  # self, linksarticle, linksbottom, source, readerlinks
    assert 1 <= len(fresh) <= root_fields, fresh
    assert all("qa_ai" in s for s in fresh), fresh  # nothing but the page
    with live.counting() as cached:
        assert live.get(path).status_code == 200
    assert cached == []  # the change watch asks the database nothing per hit


def form_token(live: LiveSite, path: str) -> str:
    return HTMLParser(live.get(path).text).css_first("input[name=csrf]").attributes["value"] or ""


def post_link(live: LiveSite, path: str, origin: str | None = None, **fields: str) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return live.request("POST", path, data=fields, headers=headers)


def test_the_form_posts_to_the_article_and_refuses_without_consent_or_token(live: LiveSite) -> None:
    path = seed_path(live)
    tree = HTMLParser(live.get(path).text)
    assert tree.css_first("form.link-form").attributes["action"] == live.url(path)
    token = form_token(live, path)
    origin = live.url("").rstrip("/")
    no_consent = post_link(live, path, origin, csrf=token, url="https://example.com/x", website="")
    assert no_consent.status_code == 400
    kept = HTMLParser(no_consent.text)
    assert kept.css_first("#link-url").attributes["value"] == "https://example.com/x"
    assert "tick the box" in kept.css_first(".error").text()
    assert no_consent.headers["cache-control"] == "no-store"
    forged = post_link(live, path, csrf="forged", url="https://e.com/", consent="yes")
    assert forged.status_code == 403
    other_site = post_link(
        live, path, "https://evil.example", csrf=token, url="https://e.com/", consent="yes"
    )
    assert other_site.status_code == 403
    honeypot = post_link(
        live, f"/a/{SEED_ARTICLE_ID}/links", csrf=token, url="https://e.com/", consent="yes", website="x"
    )
    assert honeypot.status_code == 400
    too_big = post_link(live, path, csrf=token, url="https://e.com/" + "x" * 20_000, consent="yes")
    assert too_big.status_code == 413
    with live.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(link)).scalar_one() == 0


def test_an_accepted_link_is_stored_pending_and_a_second_time_refused(live: LiveSite) -> None:
    path = seed_path(live)
    token = form_token(live, path)
    fields = {"csrf": token, "url": "https://fans.example.org/heat-2", "consent": "yes", "website": ""}
    accepted = post_link(live, f"/a/{SEED_ARTICLE_ID}/links", **fields)
    assert accepted.status_code == 200
    assert HTMLParser(accepted.text).css_first(".notice").text().startswith("Thank you.")
    with live.engine.connect() as connection:
        row = connection.execute(sa.select(link.c.url, link.c.status, link.c.ip_hash)).one()
    assert row.url == "https://fans.example.org/heat-2" and row.status == "pending" and row.ip_hash
    duplicate = post_link(live, path, **fields)
    assert duplicate.status_code == 409
    assert "already been submitted" in HTMLParser(duplicate.text).css_first(".error").text()
    invalid = post_link(live, path, **{**fields, "url": "javascript:alert(1)"})
    assert invalid.status_code == 400


def test_the_debug_panel_shows_the_query_its_variables_and_time(demo_url: str) -> None:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, debug=True) as site:
        response = site.get(f"/a/{SEED_ARTICLE_ID}/x")
        response = site.get(response.headers["location"].removeprefix(site.url("")))
        panel = HTMLParser(response.text).css_first("aside.debug")
        assert re.fullmatch(r"GraphQL · \d+(\.\d)? ms", panel.css_first("h2").text())
        query, variables = (node.text() for node in panel.css("pre"))
        assert query.startswith("query ArticlePage(") and "linksbottom: qa_ai(" in query
        assert json.loads(variables) == {
            "id": SEED_ARTICLE_ID,
            "domain": 7,
            "srcId": 0,
            "hasSrc": False,
            "hasSelf": True,
        }
        assert response.headers["cache-control"] == "no-store"
    engine.dispose()


def test_unknown_hosts_can_be_refused(demo_url: str) -> None:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, unknown_host_404=True) as site:
        assert site.get("/", host="evil.example").status_code == 404
        assert site.get("/", host="news.localhost").status_code == 200
    engine.dispose()


def test_an_article_made_from_another_links_its_source_in_the_same_one_query(live: LiveSite) -> None:
    article = demo_article_id(live.engine, title="The Lantern Keeper sequel")
    with live.engine.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == article).values(src_id=SEED_ARTICLE_ID))
    location = httpx.URL(live.get(f"/a/{article}/x").headers["location"])
    host, path = location.host, location.raw_path.decode()
    tree = HTMLParser(live.get(path, host=host).text)
    source = tree.css_first(".source a")
    assert source.text() == SEED_TITLE and source.attributes["href"] == live.url(seed_path(live))
    live.site.cache.clear()
    with live.counting() as statements:
        assert live.get(path, host=host).status_code == 200
    assert len([s for s in statements if "qa_ai" in s]) == 1  # src_id was learned: one page query


def test_unknown_paths_get_the_sites_404_page_and_head_works(live: LiveSite) -> None:
    response = live.get("/no/such/page")
    assert response.status_code == 404
    assert HTMLParser(response.text).css_first(".brand").text() == "Screen Q&A"
    head = live.request("HEAD", seed_path(live))
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"]


def test_the_app_runs_the_link_worker_for_its_lifetime(demo_url: str) -> None:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, links_worker_in_serve=True, links_worker_poll_seconds=3600) as site:
        worker = site.app.state.link_worker
        assert worker is not None and worker.running
    assert not worker.running
    engine.dispose()


def test_an_article_without_a_slug_is_served_at_its_bare_url(live: LiveSite) -> None:
    site_host = "sport.localhost"
    article = demo_article_id(
        live.engine, title="Carrow Cyclones win the national basketball cup", site=site_host
    )
    with live.engine.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == article).values(slug=""))
    assert live.get(f"/a/{article}", host=site_host).status_code == 200
    moved = live.get(f"/a/{article}/old-slug", host=site_host)
    assert moved.status_code == 301 and moved.headers["location"] == live.url(f"/a/{article}", host=site_host)


def test_pending_links_never_show_on_the_shared_page(live: LiveSite) -> None:
    article = demo_article_id(live.engine, title="Quiet Water renewed")
    with live.engine.begin() as connection:
        connection.execute(
            link.insert().values(
                article_id=article,
                url="https://pending.example/",
                url_key="pending.example/",
                consent=True,
                status="pending",
                ip_hash="page",  # even one whose hash is the pages' own session value
            )
        )
    location = httpx.URL(live.get(f"/a/{article}").headers["location"])
    page = live.get(location.raw_path.decode(), host=location.host)
    assert HTMLParser(page.text).css(".reader-links a") == []


def test_readers_submit_links_through_graphql_under_the_same_rules(live: LiveSite) -> None:
    """insert_link_one as the anonymous role: the form's rules, the reader's own pending link, no spoofed hash."""
    mutation = (
        "mutation($url: String!) { insert_link_one(object: {article_id: 6646098, url: $url, consent: true}) "
        "{ id status url } }"
    )
    url = "https://qapress-graphql-reader.com/heat-2?utm_source=feed"
    sent = live.request(
        "POST",
        "/v1/graphql",
        json={"query": mutation, "variables": {"url": url}},
        headers={"X-Hasura-Ip-Hash": "spoof"},
    ).json()
    assert "data" in sent, sent
    link = sent["data"]["insert_link_one"]
    assert link["status"] == "pending"
    again = live.request(
        "POST", "/v1/graphql", json={"query": mutation, "variables": {"url": url + "#top"}}
    ).json()
    assert again["errors"][0]["extensions"]["code"] == "link-duplicate"
    mine = live.request(
        "POST", "/v1/graphql", json={"query": '{ link(where: {status: {_eq: "pending"}}) { id } }'}
    )
    assert {"id": link["id"]} in mine.json()["data"]["link"]
    with live.engine.connect() as connection:
        stored = connection.execute(
            sa.select(link_table.c.ip_hash, link_table.c.url_key).where(link_table.c.id == link["id"])
        ).one()
    assert stored.ip_hash not in (None, "spoof") and len(stored.ip_hash) == 64
    assert stored.url_key == "https://qapress-graphql-reader.com/heat-2"
    # The article page shows live links only: a pending one is not on it.
    assert "qapress-graphql-reader.com" not in live.get("/a/6646098").text


def test_every_cached_page_names_its_tags_and_the_proxy_rules_from_the_settings(demo_url: str) -> None:
    """Each kind of page the cache keeps, as missed and as hit: ``Cache-Control`` from the page_* settings
    (stale-while-revalidate, stale-if-error), and one set of tags in ``Surrogate-Key`` (spaces) and
    ``Cache-Tag`` (commas), always holding ``all`` and the page's site."""
    from tests.site.live import demo_store, serve_site

    from qapress.store.schema import domain

    engine = demo_store(demo_url)
    try:
        with engine.connect() as connection:
            site_id = connection.execute(
                sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
            ).scalar_one()
        settings = {"page_max_age": 7, "page_stale_while_revalidate": 11, "page_stale_if_error": 13}
        with serve_site(engine, **settings) as site:
            article = site.get(f"/a/{SEED_ARTICLE_ID}/any")
            assert article.status_code == 301
            canonical = article.headers["location"].split(str(site.port), 1)[1]
            paths = [canonical, "/", "/search?q=heat", "/sitemap.xml", "/sitemap-1.xml", "/feed.xml"]
            paths += ["/rss.xml", "/feed.json", "/news-sitemap.xml"]
            for path in paths:
                for attempt in ("miss", "hit"):
                    response = site.get(path)
                    assert response.status_code == 200, (path, attempt)
                    control = response.headers["cache-control"]
                    assert control == "public, max-age=7, stale-while-revalidate=11, stale-if-error=13", path
                    keys = response.headers["surrogate-key"].split(" ")
                    assert sorted(response.headers["cache-tag"].split(",")) == sorted(keys), path
                    assert {"all", f"s{site_id}"} <= set(keys), (path, keys)
            assert site.site.cache.hits >= len(paths)
    finally:
        engine.dispose()
