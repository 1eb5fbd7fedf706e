import json

from tests.site.conftest import SCREEN, seed_data

from qapress.site import jsonld
from qapress.site.urls import SiteURLs
from qapress.site.views import article_page


def test_script_json_cannot_close_its_script_element() -> None:
    text = str(jsonld.script_json({"headline": "</script><script>alert(1)</script> & \u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"headline": "</script><script>alert(1)</script> & \u2028"}


def test_news_article_follows_googles_article_fields(urls: SiteURLs) -> None:
    page = article_page(seed_data(), urls)
    assert page is not None
    data = jsonld.news_article(page, SCREEN, urls.home())
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["datePublished"] == "2026-02-25"
    assert data["dateModified"] == "2026-02-25T10:00:00+00:00"
    assert len(data["headline"]) <= jsonld.HEADLINE_MAX and data["headline"].endswith("…")
    assert data["mainEntityOfPage"]["@id"] == page.article.url
    assert data["author"]["name"] == "Screen Q&A" and data["publisher"]["name"] == "Screen Q&A"
    assert data["image"] == [page.article.share_image]


def test_date_modified_is_the_last_edit(urls: SiteURLs) -> None:
    edited = article_page(seed_data(version=2), urls)
    assert edited is not None
    assert jsonld.news_article(edited, SCREEN, urls.home())["dateModified"] == "2026-02-25T10:00:00+00:00"
    # As made or imported (version 1), updated_at is when it came into the store: the date stands.
    unedited = article_page(seed_data(version=1), urls)
    assert unedited is not None
    assert jsonld.news_article(unedited, SCREEN, urls.home())["dateModified"] == "2026-02-25"


def test_faq_page_lists_answered_questions(urls: SiteURLs) -> None:
    page = article_page(seed_data(), urls)
    assert page is not None
    data = jsonld.faq_page(page)
    assert data is not None and data["@type"] == "FAQPage"
    assert data["mainEntity"][0]["name"] == "Is there a Heat 2 release date?"
    assert data["mainEntity"][0]["acceptedAnswer"]["text"].startswith("Not yet.")
    unanswered = article_page(seed_data(faq=[{"question": "Why?"}]), urls)
    assert unanswered is not None and jsonld.faq_page(unanswered) is None
