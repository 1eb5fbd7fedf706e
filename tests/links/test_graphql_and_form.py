"""The two ways in share one set of rules: the GraphQL hook and the form reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from qapress.links import errors
from qapress.links.form import CONSENT_TEXT, HONEYPOT_FIELD, read_link_form
from qapress.links.graphql import client_ip_hash, insert_link_from_graphql
from qapress.links.ip_hash import ip_hash
from qapress.links.rules import LinkRules
from qapress.links.submit import Refused, submit_link
from qapress.settings import Settings

from .conftest import link_rows


def test_mutation_object_is_stored_with_the_session_ip_hash(engine: Engine, article: int) -> None:
    hashed = "a" * 64
    accepted = insert_link_from_graphql(
        engine,
        {"article_id": article, "url": "https://example.com/post", "consent": True},
        {"x-hasura-role": "anonymous", "x-hasura-ip-hash": hashed},
        rules=LinkRules(),
    )
    assert accepted.status == "pending"
    (row,) = link_rows(engine)
    assert row["id"] == accepted.id and row["ip_hash"] == hashed


@pytest.mark.parametrize(
    ("object_", "code"),
    [
        ({"url": "https://example.com/", "consent": False}, "link-consent-required"),
        ({"url": "https://example.com/"}, "link-consent-required"),
        ({"url": "https://example.com/", "consent": "true"}, "link-consent-required"),
        ({"url": 12, "consent": True}, "link-url-invalid"),
        ({"url": "http://10.0.0.1/", "consent": True}, "link-url-address"),
    ],
)
def test_mutation_refusals_carry_the_rule_codes(
    engine: Engine, article: int, object_: dict[str, object], code: str
) -> None:
    with pytest.raises(errors.LinkRuleError) as refused:
        insert_link_from_graphql(engine, {"article_id": article, **object_}, {}, rules=LinkRules())
    assert refused.value.code == code
    assert link_rows(engine) == []


def test_mutation_and_form_share_the_duplicate_and_rate_rules(engine: Engine, article: int) -> None:
    rules = LinkRules(rate_limit_per_hour=1)
    salt = "shared"
    session = {"x-hasura-ip-hash": ip_hash("203.0.113.5", salt)}
    insert_link_from_graphql(
        engine, {"article_id": article, "url": "https://example.com/a", "consent": True}, session, rules=rules
    )
    by_form = submit_link(
        engine, article, "https://example.com/b", True, "203.0.113.5", rules=rules, salt=salt
    )
    assert isinstance(by_form, Refused) and by_form.code == "link-rate-limited"
    with pytest.raises(errors.DuplicateLink):
        insert_link_from_graphql(
            engine,
            {"article_id": article, "url": "https://EXAMPLE.com/a#x", "consent": True},
            {},
            rules=rules,
        )


def test_bad_article_id_is_not_found(engine: Engine, site: int) -> None:
    for article_id in ("1", None, True, 404):
        with pytest.raises(errors.ArticleNotFound):
            insert_link_from_graphql(
                engine,
                {"article_id": article_id, "url": "https://example.com/", "consent": True},
                {},
                rules=LinkRules(),
            )


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
