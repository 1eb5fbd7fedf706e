"""Writing through views (PostgreSQL's auto-updatable views, as Hasura's "insertable views"): a view has no
key and no ctid, so the engine finds the written rows again by all their columns to answer ``returning``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, root_fields, run_ddl


@pytest.fixture
def gql(pg_blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        pg_blank,
        [
            "CREATE TABLE person (id SERIAL PRIMARY KEY, details JSONB, note JSON, age INTEGER)",
            "CREATE VIEW person_view AS SELECT * FROM person",
            "CREATE VIEW person_count AS SELECT count(*) AS n FROM person",
        ],
    )
    engine = engine_for(pg_blank, [{"table": "person_view"}, {"table": "person_count"}])
    yield engine
    engine.close()


def test_insert_update_delete_through_a_view(gql: GraphQLEngine) -> None:
    inserted = data(
        gql,
        'mutation { insert_person_view(objects: [{details: {name: {first: "json", last: "murphy"}}, note: [1], age: 3},'
        " {details: null, age: 4}]) { affected_rows returning { id details note age } } }",
    )
    assert inserted == {
        "insert_person_view": {
            "affected_rows": 2,
            "returning": [
                {"id": 1, "details": {"name": {"first": "json", "last": "murphy"}}, "note": [1], "age": 3},
                {"id": 2, "details": None, "note": None, "age": 4},
            ],
        }
    }
    one = data(gql, "mutation { insert_person_view_one(object: {age: 5}) { id age } }")
    assert one == {"insert_person_view_one": {"id": 3, "age": 5}}
    updated = data(
        gql,
        "mutation { update_person_view(where: {age: {_gte: 4}}, _inc: {age: 10}) { returning { id age } } }",
    )
    assert sorted(r["age"] for r in updated["update_person_view"]["returning"]) == [14, 15]
    deleted = data(gql, "mutation { delete_person_view(where: {age: {_eq: 3}}) { returning { id } } }")
    assert deleted == {"delete_person_view": {"returning": [{"id": 1}]}}
    assert data(gql, "{ person_count { n } }") == {"person_count": [{"n": 2}]}


def test_a_view_postgresql_cannot_write_through_has_no_mutations(gql: GraphQLEngine) -> None:
    mutations = root_fields(gql, "mutationType")
    assert "insert_person_view" in mutations
    assert not any("person_count" in name for name in mutations)


def test_sqlite_views_are_read_only(sqlite_blank: Engine) -> None:
    run_ddl(
        sqlite_blank,
        [
            "CREATE TABLE person (id INTEGER PRIMARY KEY, age INTEGER)",
            "INSERT INTO person VALUES (1, 3)",
            "CREATE VIEW person_view AS SELECT * FROM person",
        ],
    )
    gql = engine_for(sqlite_blank, [{"table": "person"}, {"table": "person_view"}])
    try:
        # No insert_/update_/delete_ fields for a view SQLite cannot write through, as Hasura does.
        assert not any("person_view" in name for name in root_fields(gql, "mutationType"))
        assert "insert_person" in root_fields(gql, "mutationType")
        assert data(gql, "{ person_view { age } }") == {"person_view": [{"age": 3}]}
    finally:
        gql.close()
