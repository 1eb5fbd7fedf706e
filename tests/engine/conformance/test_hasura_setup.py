"""Hasura fixture files as SQL and metadata: examples, and every fixture folder on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from qapress.store import open_engine

from .corpus import CORPUS, NO_CORPUS_ID
from .harness import available_extensions, run_statements
from .hasura_setup import FixtureError, HasuraMetadata, plan_fixture
from .hasura_sql import SqlTranslator, split_sql


def test_split_sql_keeps_semicolons_inside_strings_and_dollar_bodies() -> None:
    sql = """
    -- a comment; with a semicolon
    insert into t values ('a;b');
    CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
    select 2
    """
    assert split_sql(sql) == [
        "insert into t values ('a;b')",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
        "select 2",
    ]


def test_sqlite_translation_of_serial_casts_and_defaults() -> None:
    translator = SqlTranslator("sqlite")
    statements = translator.translate(
        """
        create table author(id serial primary key, emails text[] not null default '{}'::text[],
                            created timestamp not null default now(), tz time with time zone);
        SET TIME ZONE 'UTC';
        CREATE EXTENSION IF NOT EXISTS citext;
        SELECT setval('author_id_seq', 1, FALSE);
        """
    )
    assert statements[0] == (
        "CREATE TABLE author (\n  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n"
        "  emails TEXT not null default '{}',\n"
        "  created timestamp not null default CURRENT_TIMESTAMP,\n  tz TIMETZ\n)"
    )
    assert len(statements) == 2
    assert statements[1].startswith("DELETE FROM sqlite_sequence")


def test_sqlite_bigserial_key_stays_bigint_and_is_filled_by_a_trigger() -> None:
    created, trigger = SqlTranslator("sqlite").translate(
        'CREATE TABLE "user" (id BIGSERIAL PRIMARY KEY, name TEXT)'
    )
    assert (
        created == 'CREATE TABLE "user" (\n  id BIGINT PRIMARY KEY,\n  name TEXT\n)'
    )  # nullable until the trigger runs
    assert trigger.startswith('CREATE TRIGGER "user_id_serial" AFTER INSERT ON "user"')


def test_sqlite_translation_drops_functions_and_their_computed_fields() -> None:
    translator = SqlTranslator("sqlite")
    document = {
        "type": "bulk",
        "args": [
            {
                "type": "run_sql",
                "args": {
                    "sql": "create table t (id serial primary key, n int);\n"
                    "create function f(r t) returns int as $$ select r.n $$ language sql"
                },
            },
            {"type": "track_table", "args": "t"},
            {
                "type": "add_computed_field",
                "args": {"table": "t", "name": "f", "definition": {"function": "f"}},
            },
            {
                "type": "create_select_permission",
                "args": {
                    "table": "t",
                    "role": "user",
                    "permission": {"columns": "*", "filter": {}, "computed_fields": ["f"]},
                },
            },
        ],
    }
    plan = plan_fixture(document, translator)
    assert [s.text.split("(")[0].strip() for s in plan.statements] == ["CREATE TABLE t"]
    metadata = HasuraMetadata()
    for op in plan.metadata_ops:
        metadata.apply(op)
    assert metadata.tables == [
        {
            "table": {"schema": "public", "name": "t"},
            "select_permissions": [{"role": "user", "permission": {"columns": "*", "filter": {}}}],
        }
    ]


def test_postgresql_without_postgis_keeps_geography_as_a_jsonb_domain() -> None:
    translator = SqlTranslator("postgresql", frozenset({"citext"}))
    statements = translator.translate(
        "CREATE EXTENSION IF NOT EXISTS postgis;\n"
        "create table author (id serial primary key, location GEOGRAPHY(Point));\n"
        "insert into author (location) values (ST_GeomFromEWKT('SRID=4326;POINT(1 2)'))"
    )
    assert statements == [
        "DO $$ BEGIN CREATE DOMAIN geography AS jsonb; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "CREATE TABLE author (\n  id serial primary key,\n  location geography\n)",
    ]
    plan = plan_fixture(
        {
            "type": "insert",
            "args": {"table": "author", "objects": [{"id": 1, "location": {"type": "Point"}}]},
        },
        translator,
    )
    assert [(s.text, dict(s.params)) for s in plan.statements] == [
        (
            'INSERT INTO "public"."author" ("id", "location") VALUES (:p0, :p1)',
            {"p0": "1", "p1": '{"type": "Point"}'},
        )
    ]


def test_metadata_operations_in_every_spelling() -> None:
    document = {
        "type": "bulk",
        "args": [
            {"type": "track_table", "args": {"schema": "public", "name": "author"}},
            {"type": "track_table", "args": {"table": "article"}},
            {"type": "pg_track_table", "args": {"table": {"name": "tag", "schema": "public"}}},
            {"type": "track_table", "args": "plain"},
            {
                "type": "create_array_relationship",
                "args": {
                    "table": "author",
                    "name": "articles",
                    "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}},
                },
            },
            {
                "type": "pg_create_object_relationship",
                "args": {
                    "table": "article",
                    "name": "writer",
                    "using": {
                        "manual_configuration": {
                            "remote_table": "author",
                            "column_mapping": {"author_id": "id"},
                        }
                    },
                },
            },
            {"type": "drop_relationship", "args": {"table": "author", "relationship": "articles"}},
            {"type": "add_inherited_role", "args": {"role_name": "both", "role_set": ["a", "b"]}},
        ],
    }
    metadata = HasuraMetadata()
    for op in plan_fixture(document, SqlTranslator("postgresql")).metadata_ops:
        metadata.apply(op)
    assert [t["table"]["name"] for t in metadata.tables] == ["author", "article", "tag", "plain"]
    assert metadata.table("author")["array_relationships"] == []
    assert metadata.table("article")["object_relationships"] == [
        {
            "name": "writer",
            "using": {
                "manual_configuration": {
                    "remote_table": {"schema": "public", "name": "author"},
                    "column_mapping": {"author_id": "id"},
                }
            },
        }
    ]
    assert metadata.inherited_roles == [{"role_name": "both", "role_set": ["a", "b"]}]


def test_unknown_operations_are_refused_by_name() -> None:
    with pytest.raises(FixtureError, match="create_remote_schema"):
        plan_fixture({"type": "create_remote_schema", "args": {}}, SqlTranslator("sqlite"))


FOLDERS = (
    sorted(
        str(p.parent.relative_to(CORPUS))
        for p in CORPUS.glob("**/*setup.yaml")
        if p.name in ("setup.yaml", "schema_setup.yaml")
    )
    if CORPUS.is_dir()
    else [NO_CORPUS_ID]  # one test, which skips with the reason (fails under CI=true)
)


@pytest.fixture(params=["sqlite", "postgresql"])
def fixture_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fixtures.db'}"
    return str(request.getfixturevalue("postgres_server").create_database(prefix="qapress_fixture"))


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_fixture_folder_sets_up_and_tears_down(
    corpus: Path, folder: str, fixture_database: str
) -> None:
    base = corpus / folder
    engine = open_engine(fixture_database)
    translator = SqlTranslator(engine.dialect.name, available_extensions(fixture_database))  # type: ignore[arg-type]
    metadata = HasuraMetadata()
    try:
        for name in ("schema_setup.yaml", "setup.yaml", "values_setup.yaml"):
            if (base / name).exists():
                plan = plan_fixture(yaml.safe_load((base / name).read_text()), translator)
                run_statements(engine, plan.statements)
                for op in plan.metadata_ops:
                    metadata.apply(op)
        existing = set(sa.inspect(engine).get_table_names()) | set(sa.inspect(engine).get_view_names())
        tracked = {t["table"]["name"] for t in metadata.tables}
        assert tracked and tracked <= existing
        for name in ("values_teardown.yaml", "teardown.yaml", "schema_teardown.yaml"):
            if (base / name).exists():
                run_statements(
                    engine, plan_fixture(yaml.safe_load((base / name).read_text()), translator).statements
                )
        assert not set(sa.inspect(engine).get_table_names()) & tracked
    finally:
        engine.dispose()


def test_sqlite_folds_a_later_foreign_key_into_its_table_and_defaults_into_nulls() -> None:
    statements = SqlTranslator("sqlite").translate(
        "CREATE TABLE message (id int PRIMARY KEY, parent_id INT NULL);\n"
        "INSERT INTO message (id, parent_id) VALUES (1, default), (2, 1);\n"
        "alter table message add constraint parent_fk foreign key (parent_id) references message(id);"
    )
    assert statements == [
        "CREATE TABLE message (\n  id int NOT NULL PRIMARY KEY,\n  parent_id INT NULL,\n"
        "  constraint parent_fk foreign key (parent_id) references message(id)\n)",
        "INSERT INTO message (id, parent_id) VALUES (1, NULL), (2, 1)",
    ]


def test_sqlite_runs_the_ddl_a_dropped_plpgsql_function_would_have_run() -> None:
    statements = SqlTranslator("sqlite").translate(
        "CREATE FUNCTION create_author() RETURNS int AS $$ BEGIN "
        "execute $c$create table author(id int generated always as identity primary key, name text)$c$; "
        "RETURN 0; END; $$ LANGUAGE plpgsql;\n"
        "select from create_author();"
    )
    assert statements == [
        "CREATE TABLE author (\n  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n  name text\n)"
    ]
