"""submit_link against real SQLite and PostgreSQL: each rule refuses with its code and stores nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from qapress.links import errors
from qapress.links.ip_hash import ip_hash
from qapress.links.rules import LinkRules
from qapress.links.submit import Accepted, Refused, graphql_error, submit_link
from qapress.store.schema import link

from .conftest import add_article, link_rows

RULES = LinkRules()
SALT = "test-salt"


def submit(engine: Engine, article_id: int, url: str, **kwargs: object) -> Accepted | Refused:
    options: dict[str, object] = {
        "consent": True,
        "ip": "203.0.113.7",
        "rules": RULES,
        "salt": SALT,
        **kwargs,
    }
    return submit_link(engine, article_id, url, **options)  # type: ignore[arg-type]


def test_accepted_link_is_stored_pending_with_its_key_and_hashed_ip(engine: Engine, article: int) -> None:
    result = submit(engine, article, "HTTPS://Example.com/review?utm_source=x#top")
    assert isinstance(result, Accepted)
    assert result.status == "pending" and result.url_key == "https://example.com/review"
    (row,) = link_rows(engine)
    assert row["id"] == result.id and row["article_id"] == article and row["consent"] is True
    assert row["url"] == "HTTPS://Example.com/review?utm_source=x#top"
    assert row["ip_hash"] == ip_hash("203.0.113.7", SALT) and "203.0.113.7" not in row["ip_hash"]


@pytest.mark.parametrize(
    ("url", "kwargs", "code"),
    [
        ("https://example.com/", {"consent": False}, "link-consent-required"),
        ("https://example.com/", {"honeypot": "x"}, "link-honeypot"),
        ("example.com", {}, "link-url-invalid"),
        ("https://user:pw@example.com/", {}, "link-url-credentials"),
        ("https://localhost/", {}, "link-url-host"),
        ("http://169.254.169.254/", {}, "link-url-address"),
        ("https://example.com:8443/", {}, "link-url-port"),
        ("https://example.com/" + "a" * 2_100, {}, "link-url-too-long"),
    ],
)
def test_each_rule_refuses_with_its_code(
    engine: Engine, article: int, url: str, kwargs: dict[str, object], code: str
) -> None:
    result = submit(engine, article, url, **kwargs)
    assert isinstance(result, Refused) and result.code == code and result.message
    assert link_rows(engine) == []


def test_unknown_and_unpublished_articles_take_no_links(engine: Engine, site: int) -> None:
    draft = add_article(engine, site, status="draft")
    for article_id in (draft, 999_999, 0, -1, 2**31, 10**30):
        result = submit(engine, article_id, "https://example.com/")
        assert isinstance(result, Refused) and result.code == "link-article-not-found"
    assert link_rows(engine) == []


def test_duplicate_after_normalization(engine: Engine, article: int) -> None:
    assert isinstance(submit(engine, article, "https://example.com/a?b=1&a=2"), Accepted)
    again = submit(engine, article, "https://EXAMPLE.com:443/x/../a?a=2&b=1&fbclid=9#f")
    assert isinstance(again, Refused) and again.code == "link-duplicate"
    assert len(link_rows(engine)) == 1


def test_a_trailing_slash_makes_another_url_unless_the_network_says_otherwise(
    engine: Engine, article: int, new_article: Callable[[], int]
) -> None:
    assert isinstance(submit(engine, article, "https://example.com/a/b"), Accepted)
    assert isinstance(submit(engine, article, "https://example.com/a/b/"), Accepted)  # by default: two pages
    other = new_article()
    same = LinkRules(trailing_slash_matters=False)
    assert isinstance(submit(engine, other, "https://example.com/c/d/?x=1", rules=same), Accepted)
    refused = submit(engine, other, "https://example.com/c/d?x=1", rules=same)
    assert isinstance(refused, Refused) and refused.code == "link-duplicate"
    assert isinstance(submit(engine, other, "https://example.com/", rules=same), Accepted)  # the root stays


def test_same_url_on_another_page_is_fine_unless_site_wide(
    engine: Engine, article: int, new_article: Callable[[], int]
) -> None:
    other = new_article()
    assert isinstance(submit(engine, article, "https://example.com/a"), Accepted)
    assert isinstance(submit(engine, other, "https://example.com/a"), Accepted)
    third = new_article()
    refused = submit(engine, third, "https://example.com/a", rules=LinkRules(duplicates_site_wide=True))
    assert isinstance(refused, Refused) and refused.code == "link-duplicate" and "site" in refused.message


def test_rejected_link_frees_its_url_and_its_place(engine: Engine, article: int) -> None:
    first = submit(engine, article, "https://example.com/a")
    assert isinstance(first, Accepted)
    with engine.begin() as connection:
        connection.execute(link.update().values(status="rejected").where(link.c.id == first.id))
    assert isinstance(submit(engine, article, "https://example.com/a"), Accepted)


def test_five_links_per_page_pending_live_and_hidden_counted(engine: Engine, article: int) -> None:
    ids = []
    for number in range(5):
        result = submit(engine, article, f"https://example.com/{number}", ip=f"203.0.113.{number}")
        assert isinstance(result, Accepted)
        ids.append(result.id)
    with engine.begin() as connection:
        connection.execute(link.update().values(status="live").where(link.c.id == ids[0]))
        connection.execute(link.update().values(status="hidden").where(link.c.id == ids[1]))
    full = submit(engine, article, "https://example.com/6")
    assert isinstance(full, Refused) and full.code == "link-page-full" and "5 links" in full.message
    with engine.begin() as connection:
        connection.execute(link.update().values(status="rejected").where(link.c.id == ids[2]))
    assert isinstance(submit(engine, article, "https://example.com/6"), Accepted)


def test_rate_limit_per_ip_an_hour(engine: Engine, new_article: Callable[[], int]) -> None:
    rules = LinkRules(rate_limit_per_hour=3)
    articles = [new_article() for _ in range(3)]
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    for number in range(3):
        accepted = submit(engine, articles[number], "https://example.com/", rules=rules, now=start)
        assert isinstance(accepted, Accepted)
    limited = submit(engine, articles[0], "https://example.com/x", rules=rules, now=start)
    assert isinstance(limited, Refused) and limited.code == "link-rate-limited"
    other_reader = submit(
        engine, articles[0], "https://example.com/x", rules=rules, ip="198.51.100.1", now=start
    )
    assert isinstance(other_reader, Accepted)
    later = submit(
        engine, articles[1], "https://example.com/y", rules=rules, now=start + dt.timedelta(minutes=61)
    )
    assert isinstance(later, Accepted)


def test_ipv6_readers_are_limited_by_their_64(engine: Engine, new_article: Callable[[], int]) -> None:
    rules = LinkRules(rate_limit_per_hour=1)
    assert isinstance(
        submit(engine, new_article(), "https://example.com/", rules=rules, ip="2001:db8:1:2::1"), Accepted
    )
    refused = submit(engine, new_article(), "https://example.com/", rules=rules, ip="2001:db8:1:2:ffff::9")
    assert isinstance(refused, Refused) and refused.code == "link-rate-limited"


def test_graphql_error_shape() -> None:
    assert graphql_error(errors.PageFull("full")) == {
        "message": "full",
        "extensions": {"path": "$", "code": "link-page-full"},
    }
