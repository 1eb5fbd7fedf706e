"""What a compiled plan says its answer reads (``engine/reads.py``): tables, keys, fixed columns, where the
selected columns show; on the small data set of ``engine_rows.py``, both databases."""

from __future__ import annotations

from typing import Any

from qapress.engine import GraphQLEngine
from qapress.engine.reads import Reads, TableRead, resolve, rows_at
from qapress.engine.values import VarRef

ARTICLES, SITES = ("public", "qa_ai"), ("public", "domain")


def reads_of(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None) -> Reads:
    prepared = gql.prepare(query, variables or {}, None, "admin", {"x-hasura-role": "admin"})
    assert prepared.plan is not None and prepared.plan.reads is not None
    return prepared.plan.reads


def test_a_read_by_key_keeps_the_key_and_where_columns_show(small: GraphQLEngine) -> None:
    reads = reads_of(small, "query ($id: Int!) { qa_ai_by_pk(id: $id) { id heading: title } }", {"id": 1})
    (read,) = reads.tables
    assert read.table == ARTICLES and read.keys == (VarRef("id"),)
    assert dict(read.selected) == {"id": ("qa_ai_by_pk", "id"), "title": ("qa_ai_by_pk", "heading")}
    assert resolve(read.keys[0], {"id": 4}) == [4] and not reads.opaque


def test_a_filter_fixes_keys_and_columns_and_the_enclosing_key_reaches_relationships(
    small: GraphQLEngine,
) -> None:
    (read,) = reads_of(small, "{ qa_ai(where: {id: {_in: [2, 3]}, domain: {_eq: 1}}) { title } }").tables
    assert read.keys == (2, 3) and dict(read.equals) == {"domain": 1}
    assert read.columns == {"id", "domain", "title"}
    articles, site = reads_of(small, "{ domain_by_pk(id: 2) { name articles { id } } }").tables
    assert site == TableRead(SITES, (2,), (), (("name", ("domain_by_pk", "name")),), frozenset({"name"}))
    assert articles.table == ARTICLES and dict(articles.equals) == {"domain": 2} and articles.keys is None
    assert dict(articles.selected) == {"id": ("domain_by_pk", "articles", "id")}


def test_tables_reached_only_by_a_filter_or_an_order_are_read_too(small: GraphQLEngine) -> None:
    query = '{ qa_ai(where: {site: {name: {_eq: "Beta"}}}, order_by: {site: {host: asc}}) { id } }'
    reads = reads_of(small, query)
    assert sorted(r.table for r in reads.tables) == [SITES, SITES, ARTICLES]
    assert {c for r in reads.tables if r.table == SITES for c in r.columns} == {"id", "name", "host"}


def test_rows_at_steps_through_lists() -> None:
    data = {"a": [{"b": [{"id": 1}, {"id": 2}]}, {"b": None}, {"b": {"id": 3}}]}
    assert list(rows_at(data, ("a", "b", "id"))) == [1, 2, 3]
    assert list(rows_at({"a": None}, ("a", "id"))) == []
