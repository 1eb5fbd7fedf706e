"""Migration 0019: ``qa_ai``'s ``(domain, id)`` index becomes ``(domain, id, status)``, the search page's
check of each match; it downgrades and upgrades again. And the migrated indexes of every table are the ones
``store/schema.py`` declares, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from qapress.store import migrate, open_engine
from qapress.store.database import alembic_config
from qapress.store.schema import metadata


def qa_ai_indexes(engine: sa.Engine) -> dict[str, list[str]]:
    return {
        str(ix["name"]): [str(c) for c in ix["column_names"]]
        for ix in sa.inspect(engine).get_indexes("qa_ai")
    }


def test_0019_swaps_the_site_index_and_downgrades(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0018_table_tags")
        assert qa_ai_indexes(engine)["qa_ai_domain_id_idx"] == ["domain", "id"]
        command.upgrade(config, "0019_search_page_index")
        indexes = qa_ai_indexes(engine)
        assert indexes["qa_ai_domain_id_status_idx"] == ["domain", "id", "status"]
        assert "qa_ai_domain_id_idx" not in indexes
        command.downgrade(config, "0018_table_tags")
        indexes = qa_ai_indexes(engine)
        assert "qa_ai_domain_id_status_idx" not in indexes and "qa_ai_domain_id_idx" in indexes
    finally:
        engine.dispose()


def test_the_migrated_indexes_are_the_schemas(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    try:
        migrate(engine)
        inspector = sa.inspect(engine)
        for table in metadata.sorted_tables:
            declared = {str(index.name) for index in table.indexes}
            migrated = {str(ix["name"]) for ix in inspector.get_indexes(table.name)}
            assert declared <= migrated, (table.name, declared - migrated)
    finally:
        engine.dispose()
