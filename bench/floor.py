"""The floor: the least work that answers the seed query, with nothing between Python and the database.

Two shapes per database, and the faster one is the floor:
- three prepared statements (stdlib ``sqlite3`` caches them by text; psycopg with ``prepare=True``), rows
  turned into dicts and the response encoded with orjson;
- one statement in which the database builds the whole ``data`` object as JSON text (SQLite's JSON1,
  PostgreSQL's ``json_build_object``/``json_agg``), wrapped in ``{"data": ...}`` as bytes.
Both read the same rows as the engine: when the engine runs as ``anonymous`` the rows are filtered on
``status = 'published'`` as its permission does.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import psycopg

from bench.contender import Contender, Variables
from bench.data import Network

SELF_COLUMNS = ("id", "title", "text", "date")
ARTICLE_COLUMNS = ("id", "title")
BOTTOM_COLUMNS = ("id", "title", "domain")


def _published(published_only: bool) -> str:
    return " AND status = 'published'" if published_only else ""


def statements(mark: str, published_only: bool) -> dict[str, str]:
    """The seed's reads as SQL with ``mark`` as placeholder (``?`` or ``%s``), keyed by root field."""
    p = _published(published_only)
    return {
        "self": f"SELECT id, title, text, date FROM qa_ai WHERE id = {mark}{p} LIMIT 1",
        "linksarticle": (
            f"SELECT id, title FROM qa_ai WHERE domain = {mark} AND id <> {mark}{p} ORDER BY id DESC LIMIT 8"
        ),
        "linksbottom": (
            f"SELECT id, title, domain FROM qa_ai WHERE domain <> {mark} AND id < {mark}{p} "
            "ORDER BY id DESC LIMIT 3"
        ),
        "source": f"SELECT id, title FROM qa_ai WHERE id = {mark}{p} LIMIT 1",
    }


COLUMNS = {
    "self": SELF_COLUMNS,
    "linksarticle": ARTICLE_COLUMNS,
    "linksbottom": BOTTOM_COLUMNS,
    "source": ARTICLE_COLUMNS,
}


def parameters(variables: Variables) -> list[tuple[str, tuple[Any, ...]]]:
    """The root fields the variables switch on, with each statement's parameters, in the query's order."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    if variables["hasSelf"]:
        out.append(("self", (variables["id"],)))
    out.append(("linksarticle", (variables["domain"], variables["id"])))
    out.append(("linksbottom", (variables["domain"], variables["id"])))
    if variables["hasSrc"]:
        out.append(("source", (variables["srcId"],)))
    return out


def _json_sql(dialect: str, mark: str, published_only: bool, fields: tuple[str, ...]) -> str:
    """One statement building ``{"self": [...], ...}`` for the root fields ``fields``."""
    sql = statements(mark, published_only)
    parts = []
    for name in fields:
        columns = COLUMNS[name]
        if dialect == "sqlite":
            pairs = ", ".join(f"'{c}', t.{c}" for c in columns)
            value = f"(SELECT json_group_array(json_object({pairs})) FROM ({sql[name]}) AS t)"
        else:
            value = f"(SELECT coalesce(json_agg(t), '[]'::json) FROM ({sql[name]}) AS t)"
        parts.append(f"'{name}', {value}")
    if dialect == "sqlite":
        return f"SELECT json_object({', '.join(parts)})"
    return f"SELECT json_build_object({', '.join(parts)})::text"


def sqlite_floors(network: Network, published_only: bool) -> list[Contender]:
    connection = sqlite3.connect(network.sqlite_path, check_same_thread=False, cached_statements=256)
    connection.execute("PRAGMA query_only = ON")
    sql = statements("?", published_only)
    dumps = orjson.dumps

    def three_statements(variables: Variables) -> bytes:
        data: dict[str, Any] = {}
        for name, params in parameters(variables):
            columns = COLUMNS[name]
            data[name] = [
                dict(zip(columns, row, strict=True)) for row in connection.execute(sql[name], params)
            ]
        return dumps({"data": data})

    json_sql: dict[tuple[str, ...], str] = {}

    def one_statement(variables: Variables) -> bytes:
        wanted = parameters(variables)
        fields = tuple(name for name, _ in wanted)
        text = json_sql.get(fields)
        if text is None:
            text = json_sql[fields] = _json_sql("sqlite", "?", published_only, fields)
        params = tuple(p for _, ps in wanted for p in ps)
        body: str = connection.execute(text, params).fetchone()[0]
        return b'{"data":' + body.encode() + b"}"

    return [
        Contender("floor: 3 prepared statements + orjson", "floor", three_statements),
        Contender("floor: 1 statement, JSON built by SQLite", "floor", one_statement, connection.close),
    ]


def pg_floors(network: Network, published_only: bool) -> list[Contender]:
    connection = psycopg.connect(network.pg_dsn, autocommit=True)
    cursor = connection.cursor()
    sql = statements("%s", published_only)
    dumps = orjson.dumps

    def three_statements(variables: Variables) -> bytes:
        data: dict[str, Any] = {}
        for name, params in parameters(variables):
            columns = COLUMNS[name]
            cursor.execute(sql[name], params, prepare=True)
            data[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return dumps({"data": data})

    json_sql: dict[tuple[str, ...], str] = {}

    def one_statement(variables: Variables) -> bytes:
        wanted = parameters(variables)
        fields = tuple(name for name, _ in wanted)
        text = json_sql.get(fields)
        if text is None:
            text = json_sql[fields] = _json_sql("postgresql", "%s", published_only, fields)
        params = tuple(p for _, ps in wanted for p in ps)
        cursor.execute(text, params, prepare=True)
        row = cursor.fetchone()
        assert row is not None
        body: str = row[0]
        return b'{"data":' + body.encode() + b"}"

    return [
        Contender("floor: 3 prepared statements + orjson", "floor", three_statements),
        Contender("floor: 1 statement, JSON built by PostgreSQL", "floor", one_statement, connection.close),
    ]


def floors(network: Network, published_only: bool) -> list[Contender]:
    if network.backend == "sqlite":
        return sqlite_floors(network, published_only)
    return pg_floors(network, published_only)
