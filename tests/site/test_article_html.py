"""The article template: the seed's blocks in order, and hostile text from the database shown as text."""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.site.conftest import DIRECTORY, SCREEN, seed_data

from qapress.site.assets import StaticAssets
from qapress.site.domains import Domain
from qapress.site.forms import CONSENT_TEXT, LinkForm
from qapress.site.pages import article_html
from qapress.site.render import Renderer
from qapress.site.urls import SiteURLs
from qapress.site.views import article_page

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script></title>'


def render(data: dict, urls: SiteURLs, renderer: Renderer, **form: object) -> HTMLParser:  # type: ignore[type-arg]
    page = article_page(data, urls)
    assert page is not None
    link_form = LinkForm(action=page.article.url, csrf="token", **form)  # type: ignore[arg-type]
    return HTMLParser(article_html(renderer, SCREEN, urls, page, link_form))


def test_the_seed_page_shows_every_block(urls: SiteURLs, renderer: Renderer) -> None:
    tree = render(seed_data(), urls, renderer)
    assert tree.css_first("html").attributes["lang"] == "en"
    assert tree.css_first("h1").text().startswith("Heat 2: Michael Mann’s long-awaited")
    assert tree.css_first(".credit").text() == "source: gettyimages"
    assert tree.css_first("time").text() == "February 25, 2026"
    assert tree.css_first("time").attributes["datetime"] == "2026-02-25"
    assert next(h.text() for h in tree.css(".faq h2")) == "Is there a Heat 2 release date?"
    assert tree.css_first(".outro").text().startswith("If you’re following Heat 2 updates")
    assert tree.css_first("#related-title").text() == "Related links"
    assert len(tree.css(".related li a")) == 8 and len(tree.css(".network li a")) == 3
    assert tree.css_first(".reader-links a").attributes["rel"] == "ugc nofollow"
    assert tree.css_first("label[for=link-consent]").text() == CONSENT_TEXT
    assert tree.css_first(".rules").text() == "Duplicate URLs are rejected. Up to 5 links per page."
    canonical = tree.css_first("link[rel=canonical]").attributes["href"]
    assert canonical == "https://screen.localhost/a/6646098/heat-2-michael-mann-s-long-awaited-heat-follow-up"
    assert tree.css_first("meta[property='og:url']").attributes["content"] == canonical
    # No image of its own: the generated card is the sharing image, in the JSON-LD too.
    card = "https://screen.localhost/card/6646098.png"
    assert tree.css_first("meta[name='twitter:card']").attributes["content"] == "summary_large_image"
    assert tree.css_first("meta[property='og:image']").attributes["content"] == card
    assert tree.css_first("meta[property='og:image:width']").attributes["content"] == "1200"
    assert json.loads(tree.css_first("script[type='application/ld+json']").text())["image"] == [card]
    types = [json.loads(s.text())["@type"] for s in tree.css("script[type='application/ld+json']")]
    assert types == ["NewsArticle", "BreadcrumbList", "FAQPage"]


def test_every_link_on_the_page_is_absolute(urls: SiteURLs, renderer: Renderer) -> None:
    tree = render(seed_data(), urls, renderer)
    for node in tree.css("[href], [action]"):
        target = node.attributes.get("href") or node.attributes.get("action") or ""
        assert target.startswith(("https://", "#")), target


def test_hostile_text_everywhere_is_escaped(urls: SiteURLs, renderer: Renderer) -> None:
    data = seed_data(
        title=HOSTILE,
        text=f"{HOSTILE}\n\n## {HOSTILE}",
        lead=HOSTILE,
        faq=[{"question": HOSTILE, "answer": HOSTILE}],
        outro=HOSTILE,
        image_credit=HOSTILE,
        image_url="javascript:alert(3)",
    )
    data["linksarticle"][0]["title"] = HOSTILE
    data["linksbottom"][0]["title"] = HOSTILE
    data["readerlinks"] = [
        {"url": "javascript:alert(4)", "title": HOSTILE},
        {"url": "https://example.com/ok", "title": HOSTILE},
    ]
    tree = render(data, urls, renderer, url='"><script>alert(5)</script>', error=HOSTILE)
    assert tree.css("img") == []
    assert [s.attributes.get("type") for s in tree.css("script")] == [
        "application/ld+json"
    ] * 3  # NewsArticle, BreadcrumbList, FAQPage
    assert all(not name.startswith("on") for node in tree.css("*") for name in node.attributes)
    assert all("javascript:" not in (node.attributes.get("href") or "") for node in tree.css("a"))
    assert tree.css_first("h1").text() == HOSTILE
    assert tree.css_first("#link-url").attributes["value"] == '"><script>alert(5)</script>'
    for script in tree.css("script"):
        assert json.loads(script.text())  # still valid JSON: nothing broke out of it


def test_a_lead_apart_from_the_body_is_shown_once(urls: SiteURLs, renderer: Renderer) -> None:
    assert render(seed_data(), urls, renderer).css(".lead") == []  # the seed's lead is its first paragraph
    tree = render(seed_data(lead="A short guide to the sequel."), urls, renderer)
    assert [node.text() for node in tree.css(".lead")] == ["A short guide to the sequel."]


def test_the_page_language_is_the_domains(urls: SiteURLs, renderer: Renderer) -> None:
    french = Domain(7, "ecran.localhost", "Écran Q&R", "", "fr-CA")
    page = article_page(seed_data(), urls)
    assert page is not None
    tree = HTMLParser(article_html(renderer, french, urls, page, LinkForm(action=page.article.url, csrf="t")))
    assert tree.css_first("html").attributes["lang"] == "fr-CA"
    assert tree.css_first("meta[property='og:locale']").attributes["content"] == "fr_CA"
    ld = json.loads(tree.css_first("script[type='application/ld+json']").text())
    assert ld["inLanguage"] == "fr-CA" and ld["publisher"]["name"] == "Écran Q&R"


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
    )
)
def test_any_title_and_question_come_back_as_the_same_text(text: str) -> None:
    assume(text.strip())
    renderer = Renderer(StaticAssets())
    urls = SiteURLs(SCREEN, DIRECTORY, "https")
    tree = render(seed_data(title=text, faq=[{"question": text, "answer": text}]), urls, renderer)
    assert tree.css_first("h1").text() == text
    assert tree.css("script:not([type='application/ld+json'])") == []
    assert (
        json.loads(tree.css("script[type='application/ld+json']")[2].text())["mainEntity"][0]["name"]
        == text.strip()
    )


def test_each_site_has_its_own_chrome_rendered_once(urls: SiteURLs, renderer: Renderer) -> None:
    """The masthead, head links and footer are rendered once per site and kept with the directory; a site
    whose facts changed (a rename) gets its own."""
    first = renderer.chrome(SCREEN, urls)
    assert renderer.chrome(SCREEN, urls) is first
    assert "Screen Q&amp;A" in first.masthead and 'action="https://screen.localhost/search"' in first.masthead
    assert 'href="https://screen.localhost/feed.xml"' in first.feed_links
    renamed = Domain(SCREEN.id, SCREEN.host, "<Renamed> Screen", SCREEN.description)
    other = renderer.chrome(renamed, SiteURLs(renamed, DIRECTORY, "https"))
    assert "&lt;Renamed&gt; Screen" in other.masthead and "Screen Q&amp;A" not in other.masthead
    page = render(seed_data(), urls, renderer)
    assert page.css_first(".masthead .brand").text() == "Screen Q&A"
    assert page.css_first(".site-footer .network-strip") is not None
