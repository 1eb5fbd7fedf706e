"""Readers' links: the page's rules, URL keys, the safe fetcher, the backlink worker, moderation.

One set of rules, two ways in: the page's form (the site calls ``submit_link``) and the GraphQL mutation
``insert_link_one`` (the engine runs ``link_insert_hook`` in its transaction). Both return or raise the same
``LinkRuleError``s, each with a GraphQL ``code`` and a reader-facing ``message``.

Modules, pure first: ``url_key`` (normalization), ``addresses`` (which IPs and ports may be fetched),
``validation`` (is it a URL we take), ``rules`` (limits over counts), ``backlink`` (does the HTML link back);
then the I/O: ``submit`` (the store transaction), ``transport`` and ``fetcher`` (safe HTTP), ``checker`` and
``worker`` (verification), ``moderation``, ``form``, ``graphql``.
"""

from qapress.links.errors import FetchError, LinkRuleError, LinksError
from qapress.links.graphql import client_ip_hash, link_insert_hook
from qapress.links.rules import LinkRules
from qapress.links.submit import Accepted, Refused, graphql_error, submit_link
from qapress.links.url_key import url_key
from qapress.links.worker import LinkWorker, link_worker_lifespan, start_link_worker

__all__ = [
    "Accepted",
    "FetchError",
    "LinkRuleError",
    "LinkRules",
    "LinkWorker",
    "LinksError",
    "Refused",
    "client_ip_hash",
    "graphql_error",
    "link_insert_hook",
    "link_worker_lifespan",
    "start_link_worker",
    "submit_link",
    "url_key",
]
