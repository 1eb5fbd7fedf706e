"""The two ways in share one set of rules: the GraphQL hook and the form reader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.links.form import CONSENT_TEXT, HONEYPOT_FIELD, read_link_form
from qapress.links.graphql import client_ip_hash, link_insert_hook
from qapress.links.ip_hash import ip_hash
from qapress.links.rules import LinkRules
from qapress.links.submit import Refused, submit_link
from qapress.settings import Settings

from .conftest import link_rows

INSERT = """mutation($object: link_insert_input!) { insert_link_one(object: $object) { id status url } }"""


@pytest.fixture
def gql(engine: Engine) -> Iterator[GraphQLEngine]:
    """The real engine with the link rules as its insert hook, as the site builds it."""
    graphql = GraphQLEngine(engine, qapress_metadata(), insert_hooks={"link": link_insert_hook(LinkRules())})
    yield graphql
    graphql.close()


def insert(gql: GraphQLEngine, object_: dict[str, object], ip_hash_value: str = "a" * 64) -> dict[str, Any]:
    session = {"x-hasura-role": "anonymous", "x-hasura-ip-hash": ip_hash_value}
    return gql.execute(INSERT, {"object": object_}, role="anonymous", session=session)


def test_mutation_object_is_stored_with_the_session_ip_hash(
    gql: GraphQLEngine, engine: Engine, article: int
) -> None:
    hashed = "b" * 64
    result = insert(
        gql, {"article_id": article, "url": "https://Example.com/post?utm_source=x", "consent": True}, hashed
    )
    link = result["data"]["insert_link_one"]
    assert link["status"] == "pending"
    (row,) = link_rows(engine)
    assert row["id"] == link["id"] and row["ip_hash"] == hashed
    assert row["url_key"] == "https://example.com/post"


@pytest.mark.parametrize(
    ("object_", "code"),
    [
        ({"url": "https://example.com/", "consent": False}, "link-consent-required"),
        ({"url": "https://example.com/"}, "link-consent-required"),
        ({"url": "not a url", "consent": True}, "link-url-invalid"),
        ({"url": "http://10.0.0.1/", "consent": True}, "link-url-address"),
    ],
)
def test_mutation_refusals_carry_the_rule_codes(
    gql: GraphQLEngine, engine: Engine, article: int, object_: dict[str, object], code: str
) -> None:
    result = insert(gql, {"article_id": article, **object_})
    assert result["errors"][0]["extensions"]["code"] == code
    assert "data" not in result
    assert link_rows(engine) == []


def test_anonymous_cannot_set_the_status_or_the_ip_hash(gql: GraphQLEngine, article: int) -> None:
    result = insert(
        gql, {"article_id": article, "url": "https://example.com/", "consent": True, "status": "live"}
    )
    assert result["errors"][0]["extensions"]["code"] == "validation-failed"


def test_mutation_and_form_share_the_duplicate_and_rate_rules(engine: Engine, article: int) -> None:
    rules = LinkRules(rate_limit_per_hour=1)
    gql = GraphQLEngine(engine, qapress_metadata(), insert_hooks={"link": link_insert_hook(rules)})
    salt = "shared"
    accepted = insert(
        gql,
        {"article_id": article, "url": "https://example.com/a", "consent": True},
        ip_hash("203.0.113.5", salt),
    )
    assert "data" in accepted, accepted
    by_form = submit_link(
        engine, article, "https://example.com/b", True, "203.0.113.5", rules=rules, salt=salt
    )
    assert isinstance(by_form, Refused) and by_form.code == "link-rate-limited"
    duplicate = insert(
        gql, {"article_id": article, "url": "https://EXAMPLE.com/a#x", "consent": True}, "c" * 64
    )
    assert duplicate["errors"][0]["extensions"]["code"] == "link-duplicate"
    gql.close()


def test_bad_article_id_is_not_found(gql: GraphQLEngine, site: int) -> None:
    result = insert(gql, {"article_id": 404, "url": "https://example.com/", "consent": True})
    assert result["errors"][0]["extensions"]["code"] == "link-article-not-found"


def test_client_ip_hash_matches_what_the_form_stores(tmp_path: Path) -> None:
    settings = Settings(ip_hash_salt="pepper", data_dir=tmp_path)
    assert client_ip_hash("203.0.113.5", settings) == ip_hash("203.0.113.5", "pepper")


def test_form_fields() -> None:
    form = read_link_form({"url": " https://example.com/ ", "consent": "on", HONEYPOT_FIELD: ""})
    assert form.url == " https://example.com/ " and form.consent and form.honeypot == ""
    assert not read_link_form({"url": "x"}).consent
    assert not read_link_form({"url": "x", "consent": "off"}).consent
    assert read_link_form({"url": "x", HONEYPOT_FIELD: "bot"}).honeypot == "bot"
    assert "right to share this link" in CONSENT_TEXT
