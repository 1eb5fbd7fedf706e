"""Migration 0020: the full-text index holds each article's site (SQLite: FTS5's ``site`` column; PostgreSQL:
``qa_ai_search.domain`` under one GIN index with the vector). Articles from before it are found in their site,
a move to another site moves them in the index, a reader cannot search for the site's token, and it downgrades
to the index without sites."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from tests.search_index import found_in_site

from qapress.engine.sqlite_functions import fts5_in_site
from qapress.store import open_engine
from qapress.store.database import alembic_config


def write(engine: sa.Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_0020_indexes_each_articles_site_and_downgrades(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0019_search_page_index")
        write(
            engine,
            "INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A'), (2, 'b.example', 'B')",
            "INSERT INTO qa_ai (id, domain, title, text) VALUES (1, 1, 'Otters', 'rivers'), "
            "(2, 2, 'Herons', 'rivers'), (3, 1, 'Voles', 'site2 and site1 are words here')",
        )
        command.upgrade(config, "0020_search_site")
        assert found_in_site(engine, "rivers", 1) == [1]  # articles from before the migration
        assert found_in_site(engine, "rivers", 2) == [2]
        write(engine, "UPDATE qa_ai SET domain = 2 WHERE id = 1")
        assert found_in_site(engine, "rivers", 1) == [] and found_in_site(engine, "rivers", 2) == [1, 2]
        write(engine, "INSERT INTO qa_ai (id, domain, title, text) VALUES (4, 1, 'Beavers', 'rivers')")
        assert found_in_site(engine, "rivers", 1) == [4]
        # The site's token is not a reader's word: only an article whose text says it is found.
        assert found_in_site(engine, "site1", 1) == [3] and found_in_site(engine, "site2", 2) == []
        write(engine, "DELETE FROM qa_ai WHERE id = 4")
        assert found_in_site(engine, "beavers", 1) == []
        if engine.dialect.name == "sqlite":
            write(engine, "INSERT INTO qa_ai_fts(qa_ai_fts) VALUES ('integrity-check')")
        command.downgrade(config, "0019_search_page_index")
        write(engine, "UPDATE qa_ai SET title = 'Kingfishers' WHERE id = 2")
        if engine.dialect.name == "sqlite":
            write(engine, "INSERT INTO qa_ai_fts(qa_ai_fts) VALUES ('integrity-check')")
        command.upgrade(config, "head")
        assert found_in_site(engine, "kingfishers", 2) == [2]
    finally:
        engine.dispose()


def test_a_site_expression_keeps_readers_words_out_of_the_site_column() -> None:
    assert fts5_in_site('("otter")', 7) == 'site : "site7" AND {title lead text} : (("otter"))'
    assert fts5_in_site("", 7).endswith('{title lead text} : ("")')  # the empty phrase: no row
