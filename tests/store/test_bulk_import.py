"""The bulk import (migration 0015, ``store.bulk_import``): the per-row insert triggers are off inside the
import's transactions only, and each batch is indexed, tagged and queued at once, so that readers' search,
pages and caches are exactly right after an import, and every other writer keeps its triggers."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from tests.invalidation_log import log_position, tags_since
from tests.search_index import found, found_in_site
from tests.site.live import serve_site

from qapress.store import open_engine
from qapress.store.articles import ImportLineError, import_articles
from qapress.store.bulk_import import ImportedArticle, batch_tags, bulk_transaction
from qapress.store.database import alembic_config
from qapress.store.schema import domain, indexnow_ping, qa_ai, related_queue

HOST = "bulk.localhost"


@pytest.fixture
def site(engine: Engine) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                domain.insert().returning(domain.c.id), {"host": HOST, "name": "Bulk"}
            ).scalar_one()
        )


def line(article_id: int, site: int, title: str, **fields: object) -> str:
    text = f"The {title.lower()} article's own words, line {article_id}."
    return json.dumps({"id": article_id, "domain": site, "title": title, "text": text, **fields})


def column(engine: Engine, table: sa.Table, name: str) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(table.c[name])).scalars())


def insert_one(engine: Engine, article_id: int, site: int, title: str) -> None:
    """An ordinary writer's insert (the newsroom's, a migration's): outside any import."""
    with engine.begin() as connection:
        connection.execute(qa_ai.insert(), {"id": article_id, "domain": site, "title": title, "slug": "x"})


def test_a_batch_logs_two_tags_a_site_and_one_a_range_not_five_a_row() -> None:
    articles = [ImportedArticle(i, 1 + i % 3, "published") for i in range(1, 1001)]
    articles += [ImportedArticle(5000, 9, "draft"), ImportedArticle(9000, 2, "withdrawn")]
    tags = batch_tags(articles)
    assert tags[:6] == ["n1", "u1", "n2", "u2", "n3", "u3"]
    assert tags[6:] == [f"r{bucket}" for bucket in range(16)] + ["r140", "rwide", "tqa_ai"]  # 1..1000, 9000
    assert batch_tags([ImportedArticle(1, 1, "draft"), ImportedArticle(2, 1, "scheduled")]) == []


def test_an_import_is_searchable_tagged_and_queued_per_batch(engine: Engine, site: int) -> None:
    insert_one(engine, 1, site, "Wombat burrows")  # before the import, through the triggers
    assert found(engine, "wombat") == [1]
    pings, seq = column(engine, indexnow_ping, "article_id"), log_position(engine)
    lines = [line(i, site, f"Quokka island {i}") for i in range(2, 2502)]
    lines.append(line(2502, site, "Quokka draft", status="draft"))
    report = import_articles(engine, lines)
    assert report.imported == 2501 and not report.skipped
    assert found(engine, "quokka") == list(range(2, 2503))  # drafts too, as the trigger indexed them
    assert found_in_site(engine, "quokka", site) == list(range(2, 2503))  # and under their site (0020)
    assert found(engine, "wombat") == [1]
    # Three batches (1,000 lines each): per batch the site's two tags, the ranges of its ids, rwide and the
    # articles' table tag (GraphQL answers).
    logged = tags_since(engine, seq)
    expected = []
    for first, last in ((2, 1001), (1002, 2001), (2002, 2501)):  # the draft logs nothing
        expected += (
            [f"n{site}", f"u{site}"]
            + [f"r{b}" for b in range(first // 64, last // 64 + 1)]
            + ["rwide", "tqa_ai"]
        )
    assert logged == expected
    assert column(engine, indexnow_ping, "article_id") == pings  # no ping per imported row
    assert column(engine, related_queue, "article_id") == list(range(1, 2502))  # published ones, once each


def test_imported_pages_render_and_the_pages_of_before_are_purged(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        with engine.begin() as connection:
            site = connection.execute(
                domain.insert().returning(domain.c.id), {"host": HOST, "name": "Bulk"}
            ).scalar_one()
        with serve_site(engine) as live:
            missing = live.get("/a/70/old-slug", host=HOST)
            assert missing.status_code == 404
            home = live.get("/", host=HOST)
            assert home.status_code == 200 and "Platypus" not in home.text
            before = {
                path: set(r.headers["surrogate-key"].split()) for path, r in (("404", missing), ("/", home))
            }
            seq = log_position(engine)
            titles = {i: f"Platypus {'lagoon' if i == 65 else 'river'} {i}" for i in range(60, 80)}
            report = import_articles(engine, [line(i, site, title) for i, title in titles.items()])
            assert report.imported == 20
            purged = set(tags_since(engine, seq))
            assert before["404"] & purged and before["/"] & purged  # both old pages are dropped
            page = live.get("/a/70/old-slug", host=HOST)
            assert page.status_code == 301
            canonical = page.headers["location"].split(str(live.port), 1)[1]
            article = live.get(canonical, host=HOST)
            assert article.status_code == 200 and "Platypus river 70" in article.text
            assert "Platypus river 79" in live.get("/", host=HOST).text
            search = live.get("/search?q=lagoon", host=HOST)
            assert search.status_code == 200 and "Platypus lagoon 65" in search.text
            # An edit after the import goes through the triggers again: the page shows it at once.
            seq = log_position(engine)
            with engine.begin() as connection:
                connection.execute(qa_ai.update().where(qa_ai.c.id == 70).values(title="Echidna river 70"))
            assert "a70" in tags_since(engine, seq)
            assert "Echidna river 70" in live.get(canonical, host=HOST).text
            assert found(engine, "echidna") == [70]
    finally:
        engine.dispose()


def test_a_failed_batch_loses_nothing_and_leaves_the_triggers_on(engine: Engine, site: int) -> None:
    insert_one(engine, 1, site, "Wombat burrows")
    with pytest.raises(RuntimeError), bulk_transaction(engine) as connection:
        connection.execute(qa_ai.insert(), {"id": 2, "domain": site, "title": "Lost numbat", "slug": "x"})
        raise RuntimeError("the import died mid-batch")
    lines = [line(3, site, "Kept numbat"), "not json"]
    with pytest.raises(ImportLineError):
        import_articles(engine, lines)  # the batch before the bad line is committed, then it stops
    assert column(engine, qa_ai, "id") == [1, 3]
    assert found(engine, "numbat") == [3] and found(engine, "wombat") == [1]
    seq, pings = log_position(engine), column(engine, indexnow_ping, "article_id")
    insert_one(engine, 4, site, "Bilby dunes")  # a writer after the import: every trigger fires
    assert found(engine, "bilby") == [4]
    assert {"a4", f"n{site}", f"u{site}", "r0", "rwide"} <= set(tags_since(engine, seq))
    assert column(engine, indexnow_ping, "article_id") == sorted([*pings, 4])
    assert 4 in column(engine, related_queue, "article_id")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM qapress_bulk_import").scalar() == 0


def test_the_switch_is_the_import_transactions_own(engine: Engine, site: int) -> None:
    """While an import's transaction is open another connection never sees the switch: on PostgreSQL a
    concurrent writer's insert fires its triggers; on SQLite (one writer) readers do not see the marker."""
    seq = log_position(engine)
    with bulk_transaction(engine) as connection:
        connection.execute(qa_ai.insert(), {"id": 1, "domain": site, "title": "Imported koala", "slug": "x"})
        if engine.dialect.name == "postgresql":
            assert connection.execute(sa.text("SELECT qapress_bulk_import()")).scalar() is True
            other = threading.Thread(target=insert_one, args=(engine, 2, site, "Concurrent koala"))
            other.start()
            other.join(timeout=30)
            assert not other.is_alive()
            with engine.connect() as reader:
                assert reader.execute(sa.text("SELECT qapress_bulk_import()")).scalar() is False
        else:
            with engine.connect() as reader:
                assert reader.exec_driver_sql("SELECT count(*) FROM qapress_bulk_import").scalar() == 0
        # The import's own batch bookkeeping is left out here: only the triggers are being watched.
    if engine.dialect.name == "sqlite":
        insert_one(engine, 2, site, "Concurrent koala")
    logged = tags_since(engine, seq)
    assert "a2" in logged and "a1" not in logged  # the other writer's row was tagged, the import's was not
    # Both databases' search indexes are kept by triggers (off for the import's row, whose batch would
    # index it set-wise).
    assert found(engine, "koala") == [2]
    assert column(engine, indexnow_ping, "article_id") == [2]


def test_migration_0015_up_and_down(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0014_related")
        before = trigger_definitions(engine)
        command.upgrade(config, "0015_bulk_import")
        assert trigger_definitions(engine) != before
        command.downgrade(config, "0014_related")
        assert trigger_definitions(engine) == before
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def trigger_definitions(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'qa_ai'"
            )
        else:
            rows = connection.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'qa_ai'::regclass AND NOT tgisinternal"
            )
        return {str(name): str(sql) for name, sql in rows}
