"""Hasura's metadata directory (version 3, "Metadata format reference" in Hasura's docs): read with its
``!include`` files, written back in the same layout, compared."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.errors import MetadataError
from qapress.engine.metadata_dir import (
    applied_metadata,
    current_metadata,
    metadata_diff,
    packaged_metadata,
    read_metadata_dir,
    save_applied,
    write_metadata_dir,
)

from .hasura_db import data, run_ddl

AUTHOR = """table:
  name: author
  schema: public
configuration:
  custom_root_fields:
    select: Authors
  column_config:
    name:
      custom_name: authorName
array_relationships:
  - name: articles
    using:
      foreign_key_constraint_on:
        column: author_id
        table:
          name: article
          schema: public
select_permissions:
  - role: user
    permission:
      columns:
        - id
        - name
      filter:
        id:
          _eq: X-Hasura-User-Id
"""
ARTICLE = """table:
  name: article
  schema: public
select_permissions:
  - role: user
    permission:
      columns: '*'
      filter: {}
"""


def hasura_dir(root: Path) -> Path:
    """A directory as ``hasura metadata export`` writes it (quoted includes), and one include as a YAML tag."""
    (root / "databases" / "default" / "tables").mkdir(parents=True)
    (root / "version.yaml").write_text("version: 3\n")
    (root / "databases" / "databases.yaml").write_text(
        "- name: default\n  kind: postgres\n  configuration:\n    connection_info:\n      database_url:\n"
        '        from_env: PG_DATABASE_URL\n  tables: "!include default/tables/tables.yaml"\n'
    )
    (root / "databases" / "default" / "tables" / "tables.yaml").write_text(
        '- "!include public_author.yaml"\n- !include public_article.yaml\n'
    )
    (root / "databases" / "default" / "tables" / "public_author.yaml").write_text(AUTHOR)
    (root / "databases" / "default" / "tables" / "public_article.yaml").write_text(ARTICLE)
    (root / "inherited_roles.yaml").write_text("- role_name: reader\n  role_set:\n    - user\n")
    (root / "actions.graphql").write_text("")  # other parts of a Hasura project are left alone
    return root


def test_read_a_hasura_directory(tmp_path: Path) -> None:
    raw = read_metadata_dir(hasura_dir(tmp_path / "metadata"))
    assert raw["version"] == 3
    source = raw["sources"][0]
    assert source["name"] == "default" and source["kind"] == "postgres"
    assert [t["table"]["name"] for t in source["tables"]] == ["author", "article"]
    metadata = Metadata.from_hasura(raw)
    author = metadata.tables[0]
    assert author.custom_root_fields == {"select": "Authors"}
    assert author.custom_column_names == {"name": "authorName"}
    assert metadata.inherited_roles == {"reader": ("user",)}


def test_the_metadata_serves_queries(tmp_path: Path, blank: Engine) -> None:
    run_ddl(
        blank,
        [
            "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER REFERENCES author(id))",
            "INSERT INTO author VALUES (1, 'ann'), (2, 'bob')",
            "INSERT INTO article VALUES (1, 'a1', 1)",
        ],
    )
    gql = GraphQLEngine(blank, Metadata.from_hasura(read_metadata_dir(hasura_dir(tmp_path / "m"))))
    try:
        query = "{ Authors { authorName articles { title } } }"
        session = {"x-hasura-user-id": "1"}
        assert data(gql, query, role="reader", session=session) == {
            "Authors": [{"authorName": "ann", "articles": [{"title": "a1"}]}]
        }
    finally:
        gql.close()


def test_export_writes_the_same_layout_and_reads_back(tmp_path: Path) -> None:
    raw = read_metadata_dir(hasura_dir(tmp_path / "in"))
    out = tmp_path / "out"
    write_metadata_dir(raw, out)
    assert (out / "version.yaml").read_text() == "version: 3\n"
    assert (out / "databases" / "default" / "tables" / "public_author.yaml").exists()
    assert (
        "!include public_author.yaml"
        in (out / "databases" / "default" / "tables" / "tables.yaml").read_text()
    )
    assert read_metadata_dir(out) == raw
    assert metadata_diff(raw, read_metadata_dir(out)) == ""


def test_diff_shows_what_changes(tmp_path: Path) -> None:
    directory = hasura_dir(tmp_path / "m")
    before = read_metadata_dir(directory)
    path = directory / "databases" / "default" / "tables" / "public_article.yaml"
    path.write_text(ARTICLE.replace("filter: {}", "filter: {id: {_gt: 0}}"))
    diff = metadata_diff(before, read_metadata_dir(directory))
    assert diff.startswith("--- server\n+++ directory\n")
    assert "+          _gt: 0" in diff or "+        filter:" in diff


def test_applied_metadata_replaces_the_packaged_one(tmp_path: Path) -> None:
    assert applied_metadata(tmp_path) is None
    assert current_metadata(tmp_path) == packaged_metadata()
    raw = read_metadata_dir(hasura_dir(tmp_path / "m"))
    save_applied(raw, tmp_path / "data")
    assert current_metadata(tmp_path / "data") == raw


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({}, "version 3"),
        ({"version.yaml": "version: 2\n"}, "version 3"),
        ({"version.yaml": "version: 3\n", "databases/databases.yaml": "- tables: x\n"}, "needs a name"),
        (
            {
                "version.yaml": "version: 3\n",
                "databases/databases.yaml": '- name: d\n  tables: "!include nope.yaml"\n',
            },
            "cannot read metadata file",
        ),
        (
            {
                "version.yaml": "version: 3\n",
                "databases/databases.yaml": '- name: d\n  tables: "!include databases.yaml"\n',
            },
            "includes itself",
        ),
        ({"version.yaml": "version: [3\n"}, "not valid YAML"),
    ],
)
def test_broken_directories_are_metadata_errors(tmp_path: Path, layout: dict[str, str], message: str) -> None:
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pytest.raises(MetadataError, match=message):
        read_metadata_dir(tmp_path)


NATIVE_QUERY = """  logical_models:
    - name: author_initial
      fields:
        - {name: id, type: {scalar: integer, nullable: false}}
        - {name: initial, type: {scalar: text, nullable: false}}
      select_permissions:
        - role: user
          permission: {columns: [initial], filter: {}}
  native_queries:
    - root_field_name: author_initials
      arguments:
        starting: {type: text, nullable: false}
      code: "SELECT id, substr(name, 1, 1) AS initial FROM author WHERE name >= {{starting}}"
      returns: author_initial
"""


def test_a_users_native_query_over_their_own_table(tmp_path: Path, blank: Engine) -> None:
    # Hasura (v2.28+) keeps a source's logical models and native queries in databases.yaml.
    root = hasura_dir(tmp_path / "m")
    databases = root / "databases" / "databases.yaml"
    databases.write_text(databases.read_text() + NATIVE_QUERY)
    run_ddl(
        blank,
        [
            "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER REFERENCES author(id))",
            "INSERT INTO author VALUES (1, 'ann'), (2, 'bob')",
        ],
    )
    gql = GraphQLEngine(blank, Metadata.from_hasura(read_metadata_dir(root)))
    try:
        query = '{ author_initials(args: {starting: "b"}) { initial } }'
        assert data(gql, query, role="user") == {"author_initials": [{"initial": "b"}]}
        # A bound value: as SQL text this would list every author.
        hostile = (
            '{ author_initials(args: {starting: "z\\u0027 OR \\u00271\\u0027 = \\u00271"}) { initial } }'
        )
        assert data(gql, hostile, role="user") == {"author_initials": []}
    finally:
        gql.close()
