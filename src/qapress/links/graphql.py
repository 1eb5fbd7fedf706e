"""The GraphQL side of the link rules: the engine's insert hook for table ``link``.

The anonymous role may insert a link with the columns ``article_id``, ``url`` and ``consent``; the status
(``pending``) and the IP hash (session variable ``x-hasura-ip-hash``) are presets. The engine calls
``link_insert_hook()`` for every row it is about to insert into ``link``, inside the mutation's own
transaction (the write lock is already held on SQLite; the hook locks the article row on PostgreSQL), so the
same rules as the form's hold under concurrency, and a refusal carries the rule's own code
(``link-consent-required``, ``link-page-full`` ...) instead of a generic permission error.

The HTTP layer sets ``x-hasura-ip-hash`` from the connection's address (``client_ip_hash``) and drops any
``X-Hasura-Ip-Hash`` header a client sent, so a client cannot pick its own hash to step around the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from qapress.engine.errors import EngineError
from qapress.links.errors import ArticleNotFound, ConsentRequired, InvalidURL, LinkRuleError
from qapress.links.ip_hash import ip_hash, resolve_salt
from qapress.links.rules import LinkRules
from qapress.links.submit import MAX_ARTICLE_ID, check_new_link, graphql_error, utc_now
from qapress.links.validation import validate_url
from qapress.settings import Settings, get_settings

IP_HASH_SESSION_VARIABLE = "x-hasura-ip-hash"
INSERT_COLUMNS = ("article_id", "url", "consent")

LinkInsertHook = Callable[[sa.Connection, dict[str, Any], Mapping[str, str]], dict[str, Any]]


class LinkRefused(EngineError):
    """A link rule refused a GraphQL insert; ``code`` is the rule's own."""


def link_insert_hook(rules: LinkRules | None = None) -> LinkInsertHook:
    """The link rules as the engine's insert hook for table ``link`` (``GraphQLEngine(insert_hooks=...)``)."""

    def apply_link_rules(
        connection: sa.Connection, values: dict[str, Any], session: Mapping[str, str]
    ) -> dict[str, Any]:
        active = rules or LinkRules.from_settings(get_settings())
        try:
            return {**values, **checked_link_values(connection, values, session, active)}
        except LinkRuleError as error:
            raise LinkRefused(error.message, "$", error.code) from error

    return apply_link_rules


def checked_link_values(
    connection: sa.Connection, values: Mapping[str, Any], session: Mapping[str, str], rules: LinkRules
) -> dict[str, Any]:
    """Every rule applied to a row about to be inserted; returns the columns the rules decide."""
    article_id = values.get("article_id")
    url = values.get("url")
    if (
        isinstance(article_id, bool)
        or not isinstance(article_id, int)
        or not 1 <= article_id <= MAX_ARTICLE_ID
    ):
        raise ArticleNotFound()
    if not isinstance(url, str):
        raise InvalidURL()
    if values.get("consent") is not True:
        raise ConsentRequired()
    valid = validate_url(
        url, rules.policy, rules.max_url_length, trailing_slash_matters=rules.trailing_slash_matters
    )
    hashed = session.get(IP_HASH_SESSION_VARIABLE) or values.get("ip_hash") or None
    now = utc_now()
    check_new_link(connection, article_id, valid, hashed, rules, now)
    return {"url": valid.url, "url_key": valid.key, "ip_hash": hashed, "created_at": now}


def client_ip_hash(ip: str, settings: Settings) -> str:
    """The value of ``x-hasura-ip-hash`` for a client at ``ip``: the same hash the form's path stores."""
    return ip_hash(ip, resolve_salt(settings))


__all__ = [
    "INSERT_COLUMNS",
    "IP_HASH_SESSION_VARIABLE",
    "LinkRefused",
    "LinkRuleError",
    "client_ip_hash",
    "graphql_error",
    "link_insert_hook",
]
