import datetime as dt

from tests.site.conftest import seed_data

from qapress.site.urls import SiteURLs
from qapress.site.views import article_page, long_date, parse_faq, parse_timestamp, safe_href
from qapress.store import demo


def test_the_seed_article_becomes_its_page(urls: SiteURLs) -> None:
    page = article_page(seed_data(), urls)
    assert page is not None
    article = page.article
    assert article.title == demo.SEED_TITLE
    assert long_date(article.date) == "February 25, 2026"
    assert article.image_credit == "gettyimages"
    assert [block.text for block in article.blocks] == demo.SEED_TEXT.split("\n\n")
    assert [item.question for item in article.faq] == [
        "Is there a Heat 2 release date?",
        "Is Leonardo DiCaprio joining the Heat 2 cast?",
        "What Heat 2 is about",
    ]
    assert (
        article.url == "https://screen.localhost/a/6646098/heat-2-michael-mann-s-long-awaited-heat-follow-up"
    )
    assert len(page.related) == 8
    assert page.related[0].url == "https://screen.localhost/a/6646090/screen-story-0"
    assert next(item.url for item in page.network) == "https://news.localhost/a/6646080/news-story-0"
    assert page.source is None
    assert page.reader_links[0].href == "https://example.com/heat"


def test_no_self_means_no_page(urls: SiteURLs) -> None:
    assert article_page({"self": [], "linksarticle": []}, urls) is None


def test_the_source_article_is_linked_on_its_own_site(urls: SiteURLs) -> None:
    data = seed_data(src_id=6646097)
    data["source"] = [{"id": 6646097, "title": "Heat 2 inches closer", "slug": "heat-2", "domain": 1}]
    page = article_page(data, urls)
    assert page is not None and page.source is not None
    assert page.source.url == "https://news.localhost/a/6646097/heat-2"
    assert page.article.src_id == 6646097


def test_faq_is_read_from_json_text_and_bad_entries_are_left_out() -> None:
    items = parse_faq('[{"question": "Q?", "answer": "A."}, {"answer": "no question"}, 3, {"question": " "}]')
    assert [(item.question, item.answer) for item in items] == [("Q?", "A.")]
    assert parse_faq("not json") == [] and parse_faq(None) == []


def test_only_http_urls_become_links() -> None:
    assert safe_href("https://example.com/x") == "https://example.com/x"
    for hostile in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "//evil",
        "http:x",
    ):
        assert safe_href(hostile) is None


def test_timestamps_from_both_databases_are_aware() -> None:
    assert parse_timestamp("2026-02-25T10:00:00+00:00") == dt.datetime(2026, 2, 25, 10, tzinfo=dt.UTC)
    assert parse_timestamp("2026-02-25 10:00:00") == dt.datetime(2026, 2, 25, 10, tzinfo=dt.UTC)
    assert parse_timestamp("garbage") is None
