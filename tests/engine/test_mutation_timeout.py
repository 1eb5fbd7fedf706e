"""A mutation is bounded by the engine's statement timeout on PostgreSQL, and a cancelled one changes nothing."""

from __future__ import annotations

from typing import Any

from qapress.engine import GraphQLEngine, Metadata
from qapress.store import open_engine


def test_a_slow_mutation_is_cancelled_and_rolled_back(postgres_server: Any) -> None:
    engine = open_engine(postgres_server.create_database(prefix="qapress_timeout"))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id serial PRIMARY KEY, body text)")
        connection.exec_driver_sql(
            "CREATE FUNCTION slow_insert() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER slow BEFORE INSERT ON note FOR EACH ROW WHEN (NEW.body = 'slow') "
            "EXECUTE FUNCTION slow_insert()"
        )
    gql = GraphQLEngine(
        engine,
        Metadata.from_hasura([{"table": {"schema": "public", "name": "note"}}]),
        statement_timeout_ms=200,
    )
    try:
        quick = gql.execute('mutation { insert_note(objects: [{body: "quick"}]) { affected_rows } }')
        assert quick == {"data": {"insert_note": {"affected_rows": 1}}}
        slow = gql.execute(
            'mutation { a: insert_note(objects: [{body: "kept?"}]) { affected_rows } '
            'b: insert_note(objects: [{body: "slow"}]) { affected_rows } }'
        )
        assert slow["errors"][0]["message"] == (
            "query took longer than the statement timeout of 200 ms and was cancelled"
        )
        bodies = gql.execute("{ note(order_by: {id: asc}) { body } }")["data"]["note"]
        assert bodies == [{"body": "quick"}]  # the whole request was rolled back, "kept?" included
    finally:
        gql.close()
        engine.dispose()
