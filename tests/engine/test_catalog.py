"""The catalog reads tracked tables from the live database the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from qapress.engine.catalog import read_catalog, scalar_name
from qapress.engine.errors import MetadataError


def test_qapress_tables_as_hasura_sees_them(engine: Engine) -> None:
    catalog = read_catalog(engine, [("public", "qa_ai"), ("public", "link"), ("public", "domain")])
    article = catalog.table("public", "qa_ai")
    scalars = {name: column.scalar for name, column in article.columns.items()}
    assert scalars["id"] == "Int"
    assert scalars["title"] == "String"
    assert scalars["date"] == "date"
    assert scalars["faq"] == "jsonb"
    assert scalars["created_at"] == "timestamptz"
    assert article.primary_key == ("id",)
    assert not article.columns["title"].nullable and article.columns["image_url"].nullable
    assert {(fk.columns, fk.remote_table, fk.remote_columns) for fk in article.foreign_keys} == {
        (("domain",), "domain", ("id",)),
        (("source_id",), "source", ("id",)),
    }
    assert catalog.table("public", "link").columns["consent"].scalar == "Boolean"
    assert catalog.table("public", "domain").unique_constraints == {
        "domain_pkey": ("id",),
        "domain_host_key": ("host",),
    }


def test_missing_table_is_a_metadata_error(engine: Engine) -> None:
    with pytest.raises(MetadataError, match='table "nope" does not exist'):
        read_catalog(engine, [("public", "nope")])


@pytest.mark.parametrize(
    ("declared", "dialect", "scalar"),
    [
        ("INTEGER", "sqlite", "Int"),
        ("VARCHAR(20)", "sqlite", "String"),
        ("DATETIME", "sqlite", "timestamptz"),
        ("JSON", "sqlite", "jsonb"),
        ("BIGINT", "postgresql", "bigint"),
        ("character varying(3)", "postgresql", "String"),
        ("numeric(5,2)", "postgresql", "numeric"),
        ("double precision", "postgresql", "float8"),
        ("real", "postgresql", "Float"),
        ("REAL", "sqlite", "Float"),
        ("integer[]", "postgresql", "_int4"),
        ("interval", "postgresql", "interval"),
        ("public.complex", "postgresql", "complex"),
    ],
)
def test_scalar_names_follow_hasura(declared: str, dialect: str, scalar: str) -> None:
    assert scalar_name(declared, dialect) == scalar


def test_views_postgresql_cannot_write_through_are_read_only(engine: Engine) -> None:
    views = {"qa_ai_titles": "SELECT id, title FROM qa_ai", "qa_ai_first": "SELECT * FROM qa_ai LIMIT 5"}
    with engine.begin() as connection:
        for name, select in views.items():
            connection.exec_driver_sql(f"CREATE VIEW {name} AS {select}")
    catalog = read_catalog(engine, [("public", "qa_ai"), *(("public", name) for name in views)])
    table = catalog.table("public", "qa_ai")
    assert (table.insertable, table.updatable, table.deletable) == (True, True, True)
    if engine.dialect.name == "postgresql":  # the catalog asks PostgreSQL only
        simple, limited = catalog.table("public", "qa_ai_titles"), catalog.table("public", "qa_ai_first")
        assert (simple.insertable, simple.updatable, simple.deletable) == (True, True, True)
        assert (limited.insertable, limited.updatable, limited.deletable) == (False, False, False)
