"""jsonb update operators, key operators fed by session variables, and ltree's operators (docs: "Postgres:
Update mutation" jsonb operators, "Filter by jsonb", "Filter by Hierarchical ltree Data"). They are
PostgreSQL's: on SQLite the schema has none of them, so asking for one is Hasura's validation error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, field_names, run_ddl

TABLES: list[dict[str, Any]] = [
    {
        "table": "doc",
        "select_permissions": [
            {
                "role": "user",
                "permission": {
                    "columns": ["id"],
                    "filter": {
                        "_and": [
                            {"id": {"_in": "X-Hasura-Allowed-Ids"}},
                            {"data": {"_has_keys_any": "X-Hasura-Allowed-Keys"}},
                        ]
                    },
                },
            },
            {
                "role": "all_keys",
                "permission": {"columns": ["id"], "filter": {"data": {"_has_keys_all": "X-Hasura-Keys"}}},
            },
        ],
    },
    {"table": "tree"},
]


@pytest.fixture
def pg(pg_blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        pg_blank,
        [
            "CREATE EXTENSION IF NOT EXISTS ltree",
            "CREATE TABLE doc (id SERIAL PRIMARY KEY, data JSONB NOT NULL)",
            'INSERT INTO doc (data) VALUES (\'{"a": 1, "b": [1, 2, 3]}\'), (\'{"b": 2}\'), (\'{"c": {"d": 4}}\')',
            "CREATE TABLE tree (id SERIAL PRIMARY KEY, path LTREE NOT NULL)",
            "INSERT INTO tree (path) VALUES ('Top'), ('Top.Science'), ('Top.Science.Astronomy'), "
            "('Top.Science.Astronomy.Astrophysics'), ('Top.Hobbies'), ('Top.Hobbies.Amateurs_Astronomy')",
        ],
    )
    engine = engine_for(pg_blank, TABLES)
    yield engine
    engine.close()


def update(gql: GraphQLEngine, arguments: str) -> Any:
    query = "mutation { update_doc(where: {id: {_eq: 1}}, ARGS) { returning { data } } }".replace(
        "ARGS", arguments
    )
    return data(gql, query)["update_doc"]["returning"][0]["data"]


def test_jsonb_update_operators(pg: GraphQLEngine) -> None:
    assert update(pg, "_append: {data: {e: 5}}") == {"a": 1, "b": [1, 2, 3], "e": 5}
    assert update(pg, "_prepend: {data: {a: 0, z: 1}}") == {"a": 1, "b": [1, 2, 3], "e": 5, "z": 1}
    assert update(pg, '_delete_key: {data: "z"}') == {"a": 1, "b": [1, 2, 3], "e": 5}
    assert update(pg, '_delete_at_path: {data: ["b", "0"]}') == {"a": 1, "b": [2, 3], "e": 5}
    # _delete_elem on an object is PostgreSQL's error, answered in Hasura's shape.
    refused = error(
        pg, "mutation { update_doc(where: {id: {_eq: 1}}, _delete_elem: {data: 0}) { affected_rows } }"
    )
    assert "cannot delete from object using integer index" in refused["message"]
    by_variable = (
        "mutation($v: jsonb) { update_doc_by_pk(pk_columns: {id: 1}, _append: {data: $v}) { data } }"
    )
    assert data(pg, by_variable, {"v": {"f": [6]}})["update_doc_by_pk"]["data"]["f"] == [6]
    clash = error(
        pg,
        'mutation { update_doc(where: {}, _append: {data: {}}, _delete_key: {data: "a"}) { affected_rows } }',
    )
    assert clash["message"] == 'Column found in multiple operators: "data".'
    assert {"data"} == field_names(pg, "doc_delete_elem_input")


def test_delete_elem_on_arrays(pg: GraphQLEngine) -> None:
    update(pg, "_set: {data: [1, 2, 3]}")
    assert update(pg, "_delete_elem: {data: -1}") == [1, 2]


@pytest.mark.parametrize(
    ("ids", "keys", "expected"),
    [
        ("{1,2,3}", "{a,c}", [1, 3]),
        ("{1,2,3}", "{b}", [1, 2]),
        ("[2,3]", '["b","c"]', [2, 3]),
        ("{1}", "{zz}", []),
    ],
)
def test_array_literals_in_session_variables(
    pg: GraphQLEngine, ids: str, keys: str, expected: list[int]
) -> None:
    session = {"x-hasura-allowed-ids": ids, "x-hasura-allowed-keys": keys}
    answer = data(pg, "{ doc(order_by: {id: asc}) { id } }", role="user", session=session)
    assert [row["id"] for row in answer["doc"]] == expected


def test_has_keys_all_from_a_session_array(pg: GraphQLEngine) -> None:
    answer = data(pg, "{ doc { id } }", role="all_keys", session={"x-hasura-keys": "{a,b}"})
    assert answer == {"doc": [{"id": 1}]}
    literal = '{ doc(where: {data: {_has_keys_all: ["a", "b"]}}) { id } }'
    assert data(pg, literal) == {"doc": [{"id": 1}]}


def paths(
    gql: GraphQLEngine, where: str, variables: dict[str, Any] | None = None, decl: str = ""
) -> list[str]:
    query = "query DECL { tree(where: WHERE, order_by: {id: asc}) { path } }"
    query = query.replace("DECL", decl).replace("WHERE", where)
    return [row["path"] for row in data(gql, query, variables)["tree"]]


def test_ltree_operators(pg: GraphQLEngine) -> None:
    assert paths(pg, '{path: {_ancestor: "Top.Science.Astronomy"}}') == [
        "Top",
        "Top.Science",
        "Top.Science.Astronomy",
    ]
    assert paths(pg, '{path: {_descendant: "Top.Science"}}') == [
        "Top.Science",
        "Top.Science.Astronomy",
        "Top.Science.Astronomy.Astrophysics",
    ]
    assert paths(pg, '{path: {_ancestor_any: ["Top.Science", "Top.Hobbies"]}}') == [
        "Top",
        "Top.Science",
        "Top.Hobbies",
    ]
    assert paths(pg, '{path: {_descendant_any: ["Top.Science.Astronomy", "Top.Hobbies"]}}') == [
        "Top.Science.Astronomy",
        "Top.Science.Astronomy.Astrophysics",
        "Top.Hobbies",
        "Top.Hobbies.Amateurs_Astronomy",
    ]
    assert paths(pg, '{path: {_matches: "*.Astronomy.*"}}') == [
        "Top.Science.Astronomy",
        "Top.Science.Astronomy.Astrophysics",
    ]
    assert paths(pg, '{path: {_matches_any: ["*.Hobbies", "Top"]}}') == ["Top", "Top.Hobbies"]
    assert paths(pg, '{path: {_matches_fulltext: "Astro*"}}') == [
        "Top.Science.Astronomy",
        "Top.Science.Astronomy.Astrophysics",
    ]
    # ``%`` matches a label's underscore-separated words too.
    assert paths(pg, '{path: {_matches_fulltext: "Astro*% & !Astrophysics"}}') == [
        "Top.Science.Astronomy",
        "Top.Hobbies.Amateurs_Astronomy",
    ]
    as_variable = paths(pg, "{path: {_matches: $q}}", {"q": "Top.*{1}"}, "($q: lquery!)")
    assert as_variable == ["Top.Science", "Top.Hobbies"]
    assert paths(pg, '{path: {_eq: "Top.Hobbies"}}') == ["Top.Hobbies"]
    bad = error(pg, '{ tree(where: {path: {_matches: "***"}}) { id } }')
    assert bad["extensions"]["code"] in ("data-exception", "unexpected", "validation-failed", "bad-request")


def test_sqlite_has_none_of_them(sqlite_blank: Engine) -> None:
    run_ddl(
        sqlite_blank,
        ["CREATE TABLE doc (id INTEGER PRIMARY KEY, data JSON NOT NULL)", "INSERT INTO doc VALUES (1, '{}')"],
    )
    gql = engine_for(sqlite_blank, TABLES[:1])
    try:
        refused = error(gql, "mutation { update_doc(where: {}, _append: {data: {a: 1}}) { affected_rows } }")
        assert refused["message"] == '"update_doc" has no argument named "_append"'
        keys = error(gql, '{ doc(where: {data: {_has_keys_any: ["a"]}}) { id } }')
        assert keys["extensions"]["code"] == "validation-failed"
    finally:
        gql.close()
