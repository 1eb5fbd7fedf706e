"""Reading the full-text index straight, for tests of what the triggers, migrations and imports keep in it."""

from __future__ import annotations

import sqlalchemy as sa


def found(engine: sa.Engine, words: str) -> list[int]:
    """Article ids the search index finds for ``words`` (each database's own index), in id order."""
    if engine.dialect.name == "sqlite":
        sql = "SELECT rowid FROM qa_ai_fts WHERE qa_ai_fts MATCH websearch_to_fts5(:q) ORDER BY rowid"
    else:
        sql = "SELECT id FROM qa_ai_search WHERE vector @@ qapress_search_query(:q) ORDER BY id"
    with engine.connect() as connection:
        return list(connection.execute(sa.text(sql), {"q": words}).scalars())


def found_in_site(engine: sa.Engine, words: str, site: int) -> list[int]:
    """The ids the index finds for ``words`` among ``site``'s articles, read from the index alone."""
    if engine.dialect.name == "sqlite":
        sql = "SELECT rowid FROM qa_ai_fts WHERE qa_ai_fts MATCH fts5_in_site(websearch_to_fts5(:q), :site)"
    else:
        sql = "SELECT id FROM qa_ai_search WHERE domain = :site AND vector @@ qapress_search_query(:q)"
    with engine.connect() as connection:
        return sorted(
            int(i)
            for i in connection.execute(sa.text(sql + " ORDER BY 1"), {"q": words, "site": site}).scalars()
        )
