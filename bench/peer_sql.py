"""What a straightforward Python GraphQL server does per root field: one SQL statement from its arguments.

Shared by the graphql-core and strawberry peers so that both run the same SQL; only the GraphQL library
around it differs. The statement selects just the columns the field asks for (fair to the peers), with every
value bound, on one connection per process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg

from bench.data import Network

OPERATORS = {"_eq": "=", "_neq": "<>", "_lt": "<", "_lte": "<=", "_gt": ">", "_gte": ">="}
COLUMNS = ("id", "domain", "title", "text", "date")

Fetch = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def select_sql(
    columns: Sequence[str],
    where: Mapping[str, Mapping[str, Any]] | None,
    order_by: Sequence[Mapping[str, str]] | None,
    limit: int | None,
    *,
    mark: str,
    published_only: bool,
) -> tuple[str, list[Any]]:
    """``SELECT columns FROM qa_ai WHERE ... ORDER BY ... LIMIT n`` from Hasura-style arguments."""
    for column in columns:
        if column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
    conditions: list[str] = []
    params: list[Any] = []
    for column, comparison in (where or {}).items():
        if column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
        for operator, value in comparison.items():
            conditions.append(f"{column} {OPERATORS[operator]} {mark}")
            params.append(value)
    if published_only:
        conditions.append("status = 'published'")
    sql = f"SELECT {', '.join(columns)} FROM qa_ai"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    orders = [
        f"{column} {'DESC' if direction == 'desc' else 'ASC'}"
        for item in order_by or []
        for column, direction in item.items()
        if column in COLUMNS
    ]
    if orders:
        sql += " ORDER BY " + ", ".join(orders)
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, params


def connect(network: Network) -> tuple[Fetch, str, Callable[[], None]]:
    """A fetch function on one connection, its placeholder and its closer."""
    if network.backend == "sqlite":
        connection = sqlite3.connect(network.sqlite_path, check_same_thread=False)

        def fetch_sqlite(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            return connection.execute(sql, params).fetchall()

        return fetch_sqlite, "?", connection.close
    pg = psycopg.connect(network.pg_dsn, autocommit=True)

    def fetch_pg(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with pg.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return fetch_pg, "%s", pg.close
