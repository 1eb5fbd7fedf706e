"""Migration 0011 (GraphQL documents): on a store at 0010 with content, it adds ``graphql_document`` and
touches nothing else; the table takes persisted and trusted documents; it downgrades and upgrades again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from qapress.engine.documents import DocumentStore, document_hash
from qapress.store import open_engine
from qapress.store.database import alembic_config
from qapress.store.dump import dumped_tables


def test_0011_adds_the_documents_table_and_downgrades(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0010_search")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
        connection.exec_driver_sql("INSERT INTO qa_ai (id, domain, title, text) VALUES (1, 1, 'Otters', 'x')")
    command.upgrade(config, "head")
    documents = DocumentStore(engine, max_persisted=1)
    query = "{ domain { id } }"
    documents.persist(document_hash(query), query)
    (trusted,) = documents.add_trusted([("{ qa_ai { id } }", "test")])
    assert DocumentStore(engine).lookup(document_hash(query)) == query
    assert {d.sha256 for d in documents.documents()} == {trusted, document_hash(query)}
    assert "graphql_document" not in {t.name for t in dumped_tables()}  # a cache and configuration
    command.downgrade(config, "0010_search")
    assert "graphql_document" not in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT title FROM qa_ai").scalar() == "Otters"
    command.upgrade(config, "head")
    assert "graphql_document" in sa.inspect(engine).get_table_names()
    engine.dispose()
