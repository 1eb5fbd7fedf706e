"""The GraphQL side of the link rules: what the engine calls for ``insert_link_one`` by a non-admin role.

The anonymous role may insert a link with the columns ``article_id``, ``url`` and ``consent``; the status
(``pending``) and the IP hash are presets. Instead of inserting the row itself, the engine hands the object
and the session to ``insert_link_from_graphql``, *before* its own ``check`` ({consent: {_eq: true}}), so a
reader gets the rule's own code (``link-consent-required``) rather than a generic permission error:

    try:
        accepted = insert_link_from_graphql(engine, object_, session)
    except LinkRuleError as error:
        return {"errors": [graphql_error(error, path="$.selectionSet.insert_link_one.args.object")]}
    # then select the requested fields of link `accepted.id` as that role

The session variable ``x-hasura-ip-hash`` carries the reader's hashed IP (the site's HTTP layer sets it with
``client_ip_hash``); without it the per-IP rate limit does not apply. The HTTP layer must set it from the
connection's address and drop any ``X-Hasura-Ip-Hash`` header a client sent, or a client could pick its own
hash and step around the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Engine

from qapress.links.errors import ArticleNotFound, ConsentRequired, InvalidURL, LinkRuleError
from qapress.links.ip_hash import ip_hash, resolve_salt
from qapress.links.rules import LinkRules
from qapress.links.submit import Accepted, graphql_error, submit_link
from qapress.settings import Settings

IP_HASH_SESSION_VARIABLE = "x-hasura-ip-hash"
INSERT_COLUMNS = ("article_id", "url", "consent")


def insert_link_from_graphql(
    engine: Engine,
    object_: Mapping[str, object],
    session: Mapping[str, str] | None = None,
    *,
    rules: LinkRules | None = None,
) -> Accepted:
    """Apply every link rule to a mutation's ``object`` and store it; raises the ``LinkRuleError`` it breaks."""
    article_id = object_.get("article_id")
    url = object_.get("url")
    consent = object_.get("consent")
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise ArticleNotFound()
    if not isinstance(url, str):
        raise InvalidURL()
    if consent is not True:
        raise ConsentRequired()
    hashed = (session or {}).get(IP_HASH_SESSION_VARIABLE) or None
    result = submit_link(engine, article_id, url, True, None, None, ip_hash=hashed, rules=rules)
    if isinstance(result, Accepted):
        return result
    raise result.error


def client_ip_hash(ip: str, settings: Settings) -> str:
    """The value of ``x-hasura-ip-hash`` for a client at ``ip``: the same hash the form's path stores."""
    return ip_hash(ip, resolve_salt(settings))


__all__ = [
    "INSERT_COLUMNS",
    "IP_HASH_SESSION_VARIABLE",
    "LinkRuleError",
    "client_ip_hash",
    "graphql_error",
    "insert_link_from_graphql",
]
