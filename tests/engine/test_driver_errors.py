"""Database errors answer Hasura's codes, mapped in one place (``engine/driver_errors.py``): the ones the audit
found answering ``unexpected`` on PostgreSQL, the statement timeout, and a site host with a control character."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.driver_errors import map_driver_error
from qapress.engine.errors import DatabaseBusy, DatabaseUnavailable, QueryTimeout
from qapress.site.domains import host_refusal, load_domains
from qapress.store.schema import domain

INSERT_DOMAIN = "mutation($o: domain_insert_input!) { insert_domain_one(object: $o) { id } }"


def only_error(result: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in result, result
    (error,) = result["errors"]
    return error  # type: ignore[no-any-return]


@pytest.fixture
def admin(engine: Engine) -> Iterator[GraphQLEngine]:
    gql = GraphQLEngine(engine, qapress_metadata(), value_checks={"domain": {"host": host_refusal}})
    yield gql
    gql.close()


def test_duplicate_update_columns_are_a_validation_error(admin: GraphQLEngine) -> None:
    upsert = """mutation { insert_domain_one(object: {host: "a.localhost", name: "A"},
        on_conflict: {constraint: domain_host_key, update_columns: [name, name]}) { id } }"""
    error = only_error(admin.execute(upsert))
    assert error["extensions"]["code"] == "validation-failed"
    assert '"name"' in error["message"] and "more than once" in error["message"]


def test_a_value_too_long_for_its_column_is_a_data_exception(admin: GraphQLEngine, engine: Engine) -> None:
    result = admin.execute(INSERT_DOMAIN, {"o": {"host": "long.localhost", "name": "n" * 201}})
    if engine.dialect.name == "sqlite":  # SQLite keeps VARCHAR lengths as documentation only
        assert "data" in result
        return
    error = only_error(result)
    assert error["extensions"]["code"] == "data-exception"
    assert "character varying(200)" in error["message"]


def test_a_nul_character_in_text_is_a_data_exception(admin: GraphQLEngine, engine: Engine) -> None:
    inserted = admin.execute(INSERT_DOMAIN, {"o": {"host": "nul.localhost", "name": "a\x00b"}})
    queried = admin.execute("query($n: String!) { domain(where: {name: {_eq: $n}}) { id } }", {"n": "a\x00"})
    if engine.dialect.name == "sqlite":  # SQLite stores a NUL like any other character
        assert "data" in inserted and "data" in queried
        return
    for result in (inserted, queried):
        error = only_error(result)
        assert error["extensions"]["code"] == "data-exception"
        assert "NUL" in error["message"]


def test_the_statement_timeout_has_a_code_of_its_own(engine: Engine) -> None:
    gql = GraphQLEngine(engine, qapress_metadata(), statement_timeout_ms=1)
    slow = (
        "SELECT count(*) FROM generate_series(1, 50000000)" if engine.dialect.name == "postgresql" else None
    )
    try:
        if slow is None:  # SQLite: the progress handler's deadline, through the same mapping
            error = map_driver_error(sqlite3.OperationalError("interrupted"), 1)
        else:
            with pytest.raises(QueryTimeout) as raised:
                gql.connections.fetch_text(slow, ())
            error = raised.value
        assert error.code == "postgres-error" and "statement timeout of 1 ms" in error.message
    finally:
        gql.close()


@pytest.mark.parametrize(
    "host", ["evil\r\nset-cookie.localhost", "tab\t.localhost", "bell\x07.localhost", "a b"]
)
def test_control_characters_are_refused_in_site_hosts(admin: GraphQLEngine, host: str) -> None:
    inserted = only_error(admin.execute(INSERT_DOMAIN, {"o": {"host": host, "name": "X"}}))
    assert inserted["extensions"]["code"] == "constraint-violation"
    assert "control characters" in inserted["message"]
    created = admin.execute(INSERT_DOMAIN, {"o": {"host": "ok.localhost", "name": "OK"}})
    new_id = created["data"]["insert_domain_one"]["id"]
    update = "mutation($id: Int!, $h: String!) { update_domain_by_pk(pk_columns: {id: $id}, _set: {host: $h}) { id } }"
    updated = only_error(admin.execute(update, {"id": new_id, "h": host}))
    assert updated["extensions"]["code"] == "constraint-violation"
    upsert = """mutation($h: String!) { insert_domain_one(object: {host: $h, name: "Y"},
        on_conflict: {constraint: domain_host_key, update_columns: [host]}) { id } }"""
    assert only_error(admin.execute(upsert, {"h": host}))["extensions"]["code"] == "constraint-violation"


def test_a_host_written_around_the_checks_does_not_take_the_other_sites_down(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(domain.insert(), [{"host": "good.localhost", "name": "Good"},
                                             {"host": "bad\n.localhost", "name": "Bad"}])  # fmt: skip
        hosts = [site.host for site in load_domains(connection)]
    assert hosts == ["good.localhost"]


def test_connection_errors_map_to_unavailable_and_lock_errors_to_busy() -> None:
    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert isinstance(map_driver_error(refused), DatabaseUnavailable)
    wrapped = sa.exc.OperationalError("SELECT 1", (), refused)
    assert map_driver_error(wrapped).code == "postgres-error"
    assert isinstance(map_driver_error(sqlite3.OperationalError("database is locked")), DatabaseBusy)
    assert map_driver_error(sqlite3.OperationalError("database is locked")).code == "concurrent-update"
    pool_empty = sa.exc.TimeoutError("QueuePool limit of size 10 overflow 0 reached")
    assert map_driver_error(pool_empty).code == "concurrent-update"
    depth = map_driver_error(sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)"))
    assert depth.code == "not-supported" and "1000" in depth.message
