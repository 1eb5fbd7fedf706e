"""The seed query (``shared/seeds/page-query.graphql``) and variables of random existing articles.

The variables keep the seed's shape (``hasSelf`` on, ``hasSrc`` off, ``srcId`` 0): the page reads the
article, 8 newest of its domain and 3 newest of other domains below its id, so every contender runs the same
three reads the seed page ran.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import psycopg

from bench.data import Network

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
#: A copy of the seed query, used when ``../shared`` is not beside the checkout (a fresh CI clone has it).
SEED_QUERY = """query Q($id: Int!, $domain: Int!, $srcId: Int!, $hasSrc: Boolean!, $hasSelf: Boolean!) {
  self: qa_ai(where: {id: {_eq: $id}}, limit: 1) @include(if: $hasSelf) { id title text date }
  linksarticle: qa_ai(where: {domain: {_eq: $domain}, id: {_neq: $id}}, order_by: {id: desc}, limit: 8) { id title }
  linksbottom: qa_ai(where: {domain: {_neq: $domain}, id: {_lt: $id}}, order_by: {id: desc}, limit: 3) { id title domain }
  source: qa_ai(where: {id: {_eq: $srcId}}, limit: 1) @include(if: $hasSrc) { id title }
}
"""

Variables = dict[str, Any]


def seed_query() -> str:
    path = SEEDS / "page-query.graphql"
    return path.read_text("utf-8") if path.exists() else SEED_QUERY


def seed_variables() -> Variables:
    path = SEEDS / "page-variables.json"
    if path.exists():
        loaded: Variables = orjson.loads(path.read_bytes())
        return loaded
    return {"id": 6646098, "domain": 7, "srcId": 0, "hasSrc": False, "hasSelf": True}


def random_variables(network: Network, count: int, seed: int = 5) -> list[Variables]:
    """``count`` variable sets for random existing articles of ``network``, in the seed's shape."""
    rng = random.Random(seed)
    ids = [rng.randint(1, network.articles) for _ in range(count)]
    domains = article_domains(network, ids)
    template = seed_variables()
    return [{**template, "id": i, "domain": domains[i]} for i in ids if i in domains]


def article_domains(network: Network, ids: list[int]) -> dict[int, int]:
    if network.backend == "sqlite":
        with sqlite3.connect(network.sqlite_path) as connection:
            marks = ",".join("?" * len(ids))
            rows = connection.execute(f"SELECT id, domain FROM qa_ai WHERE id IN ({marks})", ids).fetchall()
    else:
        with psycopg.connect(network.pg_dsn) as connection:
            rows = connection.execute("SELECT id, domain FROM qa_ai WHERE id = ANY(%s)", (ids,)).fetchall()
    return {int(i): int(d) for i, d in rows}
