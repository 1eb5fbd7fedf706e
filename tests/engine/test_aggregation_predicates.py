"""Hasura's aggregation predicates (v2.16+, docs: "Filter based on aggregates"): in a boolean expression,
``<array relationship>_aggregate: {count | bool_and | bool_or: {arguments, distinct, filter, predicate}}``
holds when the aggregate over the related rows (those matching ``filter``, among those the role may read)
satisfies ``predicate``; in queries, in mutations' ``where``, in permission filters, and in introspection as
``T_aggregate_bool_exp``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, field_names, run_ddl

PUBLISHED = {"is_published": {"_eq": True}}

TABLES: list[dict[str, Any]] = [
    {
        "table": "author",
        "array_relationships": [
            {
                "name": "articles",
                "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}},
            }
        ],
        "select_permissions": [
            {"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}},
            {"role": "counted_out", "permission": {"columns": ["id", "name"], "filter": {}}},
            {
                # Authors with at least two published articles (a permission's aggregation predicate).
                "role": "prolific",
                "permission": {
                    "columns": ["id", "name"],
                    "filter": {
                        "articles_aggregate": {"count": {"predicate": {"_gte": 2}, "filter": PUBLISHED}}
                    },
                },
            },
            {
                # Authors with some unpublished article, the bound read from the session.
                "role": "drafting",
                "permission": {
                    "columns": ["id", "name"],
                    "filter": {
                        "articles_aggregate": {
                            "bool_and": {
                                "arguments": "is_published",
                                "predicate": {"_eq": "X-Hasura-All-Published"},
                            }
                        }
                    },
                },
            },
        ],
    },
    {
        "table": "article",
        "select_permissions": [
            {
                "role": "user",
                "permission": {
                    "columns": ["id", "title", "rating", "is_published"],
                    "filter": PUBLISHED,
                    "allow_aggregations": True,
                },
            },
            {"role": "counted_out", "permission": {"columns": ["id", "title"], "filter": {}}},
        ],
    },
]

AUTHORS = "query($w: author_bool_exp) { author(where: $w, order_by: {id: asc}) { name } }"


def names(gql: GraphQLEngine, where: dict[str, Any], **kw: Any) -> list[str]:
    """The names of the authors ``where`` selects, in id order (``where`` passed as a variable)."""
    return [row["name"] for row in data(gql, AUTHORS, {"w": where}, **kw)["author"]]


def articles(predicate: dict[str, Any]) -> dict[str, Any]:
    return {"articles_aggregate": predicate}


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    key = "SERIAL PRIMARY KEY" if blank.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    true, false = ("true", "false") if blank.dialect.name == "postgresql" else ("1", "0")
    run_ddl(
        blank,
        [
            f"CREATE TABLE author (id {key}, name TEXT NOT NULL)",
            f"CREATE TABLE article (id {key}, title TEXT NOT NULL, rating INTEGER, "
            "is_published BOOLEAN NOT NULL, author_id INTEGER NOT NULL REFERENCES author(id))",
            "INSERT INTO author (name) VALUES ('Ann'), ('Bob'), ('Cy'), ('Dee')",
            "INSERT INTO article (title, rating, is_published, author_id) VALUES "
            f"('A1', 5, {true}, 1), ('A2', 3, {true}, 1), ('A3', 3, {false}, 1), "
            f"('B1', 4, {true}, 2), ('B2', NULL, {true}, 2), ('D1', 2, {false}, 4)",
        ],
    )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


def test_count_of_related_rows(gql: GraphQLEngine) -> None:
    assert names(gql, articles({"count": {"predicate": {"_gt": 2}}})) == ["Ann"]
    assert names(gql, articles({"count": {"predicate": {"_eq": 0}}})) == ["Cy"]
    # Several comparisons at once, all of them must hold.
    assert names(gql, articles({"count": {"predicate": {"_gte": 1, "_lt": 3}}})) == ["Bob", "Dee"]
    assert names(gql, articles({"count": {"predicate": {"_in": [0, 3]}}})) == ["Ann", "Cy"]


def test_count_of_the_rows_matching_filter(gql: GraphQLEngine) -> None:
    rated = {"count": {"filter": {"rating": {"_gt": 3}}, "predicate": {"_eq": 1}}}
    assert names(gql, articles(rated)) == ["Ann", "Bob"]
    # The filter is a boolean expression of its own, here with _not.
    nested = {"count": {"filter": {"title": {"_like": "A%"}, "_not": PUBLISHED}, "predicate": {"_eq": 1}}}
    assert names(gql, articles(nested)) == ["Ann"]


def test_count_of_set_values_and_distinct_ones(gql: GraphQLEngine) -> None:
    # count(rating) counts the rows whose rating is set; with distinct, the distinct ratings.
    assert names(gql, articles({"count": {"arguments": ["rating"], "predicate": {"_eq": 1}}})) == [
        "Bob",
        "Dee",
    ]
    both = {"count": {"arguments": ["rating"], "distinct": True, "predicate": {"_eq": 2}}}
    assert names(gql, articles(both)) == ["Ann"]
    several = {"count": {"arguments": ["rating", "title"], "predicate": {"_eq": 3}}}
    assert names(gql, articles(several)) == ["Ann"]


def test_distinct_from_a_variable(gql: GraphQLEngine) -> None:
    query = """query($d: Boolean!) { author(where: {articles_aggregate: {count:
                 {arguments: [rating], distinct: $d, predicate: {_eq: 2}}}}, order_by: {id: asc}) { name } }"""
    assert data(gql, query, {"d": True}) == {"author": [{"name": "Ann"}]}
    assert data(gql, query, {"d": False}) == {"author": []}


def test_bool_and_and_bool_or_of_a_boolean_column(gql: GraphQLEngine) -> None:
    all_published = {"bool_and": {"arguments": "is_published", "predicate": {"_eq": True}}}
    assert names(gql, articles(all_published)) == ["Bob"]
    none_published = {"bool_or": {"arguments": "is_published", "predicate": {"_eq": False}}}
    assert names(gql, articles(none_published)) == ["Dee"]
    # Over no rows the aggregate is null.
    assert names(
        gql, articles({"bool_or": {"arguments": "is_published", "predicate": {"_is_null": True}}})
    ) == ["Cy"]
    filtered = {
        "bool_and": {
            "arguments": "is_published",
            "filter": {"rating": {"_gte": 3}},
            "predicate": {"_eq": True},
        }
    }
    assert names(gql, articles(filtered)) == ["Bob"]
    inline = "{ author(where: {articles_aggregate: {bool_or: {arguments: is_published, predicate: {_eq: true}}}}) { name } }"
    assert sorted(r["name"] for r in data(gql, inline)["author"]) == ["Ann", "Bob"]


def test_combined_with_other_conditions(gql: GraphQLEngine) -> None:
    where = {"_or": [articles({"count": {"predicate": {"_eq": 0}}}), {"name": {"_eq": "Dee"}}]}
    assert names(gql, where) == ["Cy", "Dee"]
    assert names(gql, {"_not": articles({"count": {"predicate": {"_gt": 0}}})}) == ["Cy"]


def test_a_role_aggregates_only_the_rows_it_may_read(gql: GraphQLEngine) -> None:
    two = articles({"count": {"predicate": {"_eq": 2}}})
    assert names(gql, two) == ["Bob"]  # Ann has three articles
    assert names(gql, two, role="user") == ["Ann", "Bob"]  # of which the role reads two


def test_in_permission_filters(gql: GraphQLEngine) -> None:
    assert names(gql, {}, role="prolific") == ["Ann", "Bob"]
    session = {"x-hasura-all-published": "false"}
    assert names(gql, {}, role="drafting", session=session) == ["Ann", "Dee"]
    session = {"x-hasura-all-published": "true"}
    assert names(gql, {}, role="drafting", session=session) == ["Bob"]


def test_in_mutations(gql: GraphQLEngine) -> None:
    mutation = """mutation { update_author(where: {articles_aggregate: {count: {predicate: {_eq: 0}}}},
                   _set: {name: "Nobody"}) { affected_rows returning { id } } }"""
    assert data(gql, mutation) == {"update_author": {"affected_rows": 1, "returning": [{"id": 3}]}}


def test_exactly_one_predicate(gql: GraphQLEngine) -> None:
    query = """{ author(where: {articles_aggregate: {count: {predicate: {_eq: 0}},
                 bool_and: {arguments: is_published, predicate: {_eq: true}}}}) { name } }"""
    assert error(gql, query)["message"] == "exactly one predicate should be specified"


def test_introspection_names_the_types_as_hasura(gql: GraphQLEngine) -> None:
    assert "articles_aggregate" in field_names(gql, "author_bool_exp")
    assert field_names(gql, "article_aggregate_bool_exp") == {"bool_and", "bool_or", "count"}
    fields = {"arguments", "distinct", "filter", "predicate"}
    assert field_names(gql, "article_aggregate_bool_exp_count") == fields
    assert field_names(gql, "article_aggregate_bool_exp_bool_and") == fields
    enum = "article_select_column_article_aggregate_bool_exp_bool_and_arguments_columns"
    assert field_names(gql, enum) == {"is_published"}
    query = """{ __type(name: "article_aggregate_bool_exp_bool_or") { inputFields { name type {
                   kind name ofType { kind name ofType { name } } } } } }"""
    types = {f["name"]: f["type"] for f in data(gql, query)["__type"]["inputFields"]}
    assert types["predicate"] == {
        "kind": "NON_NULL",
        "name": None,
        "ofType": {"kind": "INPUT_OBJECT", "name": "Boolean_comparison_exp", "ofType": None},
    }
    assert types["arguments"]["ofType"]["name"] == enum.replace("bool_and", "bool_or")
    count = """{ __type(name: "article_aggregate_bool_exp_count") { inputFields { name type {
                   kind name ofType { kind name ofType { kind name } } } } } }"""
    types = {f["name"]: f["type"] for f in data(gql, count)["__type"]["inputFields"]}
    assert types["predicate"]["ofType"]["name"] == "Int_comparison_exp"
    assert types["arguments"]["ofType"]["ofType"] == {"kind": "ENUM", "name": "article_select_column"}


def test_only_for_roles_that_may_aggregate(gql: GraphQLEngine) -> None:
    assert "articles_aggregate" in field_names(gql, "author_bool_exp", role="user")
    # No allow_aggregations on article: no aggregation predicate over it.
    assert "articles_aggregate" not in field_names(gql, "author_bool_exp", role="counted_out")
    query = "{ author(where: {articles_aggregate: {count: {predicate: {_eq: 0}}}}) { name } }"
    assert "articles_aggregate" in error(gql, query, role="counted_out")["message"]


# --- the aggregates of float8 columns (avg, sum, max, min, stddev_samp, var_samp; corr and covar_samp of two)

GAMES: list[dict[str, Any]] = [
    {
        "table": "player",
        "array_relationships": [
            {
                "name": "games",
                "using": {"foreign_key_constraint_on": {"table": "game", "column": "player_id"}},
            }
        ],
    },
    {"table": "game"},
]


@pytest.fixture
def games(blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        blank,
        [
            "CREATE TABLE player (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
            "CREATE TABLE game (id INTEGER PRIMARY KEY, score DOUBLE PRECISION, bonus DOUBLE PRECISION, "
            "player_id INTEGER NOT NULL REFERENCES player(id))",
            "INSERT INTO player VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cy')",
            "INSERT INTO game VALUES (1, 1.0, 2.0, 1), (2, 2.0, 4.0, 1), "
            "(3, 3.0, 1.0, 2), (4, 3.0, 5.0, 2), (5, NULL, 7.0, 2)",
        ],
    )
    engine = engine_for(blank, GAMES)
    yield engine
    engine.close()


PLAYERS = "query($w: player_bool_exp) { player(where: $w, order_by: {id: asc}) { name } }"


def players(
    gql: GraphQLEngine, function: str, arguments: Any, predicate: dict[str, Any], **spec: Any
) -> list[str]:
    where = {"games_aggregate": {function: {"arguments": arguments, "predicate": predicate, **spec}}}
    return [row["name"] for row in data(gql, PLAYERS, {"w": where})["player"]]


def test_statistics_of_a_float_column(games: GraphQLEngine) -> None:
    assert players(games, "avg", "score", {"_gt": 2}) == ["Bob"]  # nulls left out: (3 + 3) / 2
    assert players(games, "sum", "score", {"_eq": 3}) == ["Ann"]
    assert players(games, "max", "bonus", {"_gte": 5}) == ["Bob"]
    assert players(games, "min", "score", {"_lt": 2}) == ["Ann"]
    assert players(games, "var_samp", "score", {"_gt": 0.1}) == ["Ann"]  # Ann's 0.5, Bob's 0
    assert players(games, "stddev_samp", "score", {"_is_null": True}) == ["Cy"]
    assert players(games, "avg", "score", {"_eq": 3}, distinct=True) == ["Bob"]


def test_statistics_of_two_float_columns(games: GraphQLEngine) -> None:
    pair = {"X": "score", "Y": "bonus"}
    assert players(games, "covar_samp", pair, {"_gte": 0.99, "_lte": 1.01}) == ["Ann"]
    assert players(games, "corr", pair, {"_gt": 0.99}) == ["Ann"]
    # No spread in Bob's scores, no games of Cy's: no correlation.
    assert players(games, "corr", pair, {"_is_null": True}) == ["Bob", "Cy"]


def test_distinct_statistics(games: GraphQLEngine, blank: Engine) -> None:
    query = """{ player(where: {games_aggregate: {var_samp: {arguments: score, distinct: true,
                 predicate: {_eq: 0.5}}}}) { name } }"""
    result = games.execute(query)
    if blank.dialect.name == "postgresql":
        assert result == {"data": {"player": [{"name": "Ann"}]}}
    else:  # emulated from sums, which distinct values would not give
        assert result["errors"][0]["extensions"]["code"] == "not-supported"


def test_float_aggregates_in_the_schema(games: GraphQLEngine) -> None:
    statistics = {"avg", "max", "min", "stddev_samp", "sum", "var_samp", "corr", "covar_samp"}
    assert field_names(games, "game_aggregate_bool_exp") == {"count", *statistics}
    assert field_names(games, "game_aggregate_bool_exp_corr_arguments") == {"X", "Y"}
    enum = "game_select_column_game_aggregate_bool_exp_avg_arguments_columns"
    assert field_names(games, enum) == {"score", "bonus"}
    query = (
        '{ __type(name: "game_aggregate_bool_exp_sum") { inputFields { name type { ofType { name } } } } }'
    )
    types = {f["name"]: f["type"] for f in data(games, query)["__type"]["inputFields"]}
    assert types["predicate"] == {"ofType": {"name": "float8_comparison_exp"}}
