"""The datasette-graphql peer: Datasette serving the same SQLite file, called in-process through its client.

Its dialect cannot say the seed query as it is; ``DIFFERENCES`` lists how the nearest query differs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.contender import Contender, Variables
from bench.data import Network

DIFFERENCES = (
    "`filter: {id: {eq: $id}}` / `{not: ...}` / `{lt: ...}`, `sort_desc: id` and `first: n` stand for"
    " Hasura's `where`, `order_by` and `limit`, and rows come wrapped in `{nodes: [...]}`",
    "`domain` is a foreign key, so datasette-graphql exposes it as an object: `domain { id }`",
    "`date` is left out of `self`: datasette-graphql types SQLite's DATE column as Float and fails on"
    " its ISO text",
    "the `source` field and its `$srcId`/`$hasSrc` variables are left out (the seed's variables switch it"
    " off, and GraphQL rejects unused variables)",
)

NEAREST_QUERY = """query Q($id: Int!, $domain: Int!, $hasSelf: Boolean!) {
  self: qa_ai(filter: {id: {eq: $id}%(published)s}, first: 1) @include(if: $hasSelf) {
    nodes { id title text }
  }
  linksarticle: qa_ai(filter: {domain: {eq: $domain}, id: {not: $id}%(published)s}, sort_desc: id, first: 8) {
    nodes { id title }
  }
  linksbottom: qa_ai(filter: {domain: {not: $domain}, id: {lt: $id}%(published)s}, sort_desc: id, first: 3) {
    nodes { id title domain { id } }
  }
}
"""


def nearest_query(published_only: bool) -> str:
    return NEAREST_QUERY % {"published": ', status: {eq: "published"}' if published_only else ""}


def normalize(response: Any) -> Any:
    """Datasette's answer in the seed's shape (nodes unwrapped, ``domain {id}`` back to an id)."""
    if response.get("errors"):
        return response
    data = {}
    for name, value in response["data"].items():
        rows = value["nodes"]
        data[name] = [{k: (v["id"] if k == "domain" else v) for k, v in row.items()} for row in rows]
    return {"data": data}


def comparable_floor(response: Any) -> Any:
    """The floor's answer less what the nearest query cannot ask for (``self.date``)."""
    data = dict(response["data"])
    if "self" in data:
        data["self"] = [{k: v for k, v in row.items() if k != "date"} for row in data["self"]]
    data.pop("source", None)
    return {"data": data}


def datasette_peer(network: Network, published_only: bool) -> Contender:
    # Datasette first: it loads its plugins (datasette-graphql among them) when it is imported, and a
    # plugin module imported before Datasette would be registered half-initialized, without its routes.
    from datasette.app import Datasette  # isort: skip
    import datasette_graphql.utils  # isort: skip

    # datasette-graphql caches each database's schema by name, process-wide, together with the Datasette
    # that built it; a second Datasette on the same file would reach the first one's closed connections.
    datasette_graphql.utils._schema_cache.clear()
    loop = asyncio.new_event_loop()
    # Datasette stops SQL after 1 s by default; on a busy machine that would turn slowness into errors.
    datasette = Datasette(files=[str(network.sqlite_path)], settings={"sql_time_limit_ms": 60_000})
    loop.run_until_complete(datasette.invoke_startup())
    query = nearest_query(published_only)

    def run(variables: Variables) -> bytes:
        payload = {"query": query, "variables": {k: variables[k] for k in ("id", "domain", "hasSelf")}}
        response = loop.run_until_complete(datasette.client.post("/graphql", json=payload))
        content: bytes = response.content
        return content

    return Contender(
        "datasette-graphql, nearest query (in-process client)",
        "peer",
        run,
        loop.close,
        note="nearest query: filter/sort_desc/first, domain{id}, no self.date (DATE typed as Float)",
        normalize=normalize,
        reference=comparable_floor,
    )
