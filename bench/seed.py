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
#: A verbatim copy, used when ``../shared`` is not beside the checkout.
SEED_QUERY_COPY = Path(__file__).with_name("page-query.graphql")

Variables = dict[str, Any]


def seed_query() -> str:
    path = SEEDS / "page-query.graphql"
    return (path if path.exists() else SEED_QUERY_COPY).read_text("utf-8")


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
