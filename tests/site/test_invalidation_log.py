"""The triggers of migrations 0012 and 0015 log exactly the cache tags of what a change shows (SQLite and
PostgreSQL): pages' tags, and ``tqa_ai`` beside every article's (the GraphQL answers listing articles)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.schema import cache_invalidation, domain, link, purge_queue, qa_ai


def write(engine: Engine, *statements: sa.Executable) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)


def logged(engine: Engine) -> list[str]:
    """The tags logged since the last call (and empties the log)."""
    with engine.begin() as connection:
        tags = [
            str(t) for t in connection.execute(sa.select(cache_invalidation.c.tag).order_by("seq")).scalars()
        ]
        connection.execute(sa.delete(cache_invalidation))
    return tags


@pytest.fixture
def store(engine: Engine) -> Engine:
    write(
        engine,
        domain.insert().values(id=7, host="screen.example", name="Screen"),
        domain.insert().values(id=8, host="news.example", name="News"),
        qa_ai.insert().values(id=700, domain=7, title="Published", status="published"),
        qa_ai.insert().values(id=701, domain=7, title="Draft", status="draft"),
    )
    logged(engine)
    return engine


def test_an_edit_of_a_published_article_names_it_and_its_site(store: Engine) -> None:
    write(store, qa_ai.update().where(qa_ai.c.id == 700).values(title="Retitled"))
    assert sorted(logged(store)) == ["a700", "tqa_ai", "u7"]


def test_a_change_of_membership_names_the_listing_and_id_range(store: Engine) -> None:
    write(store, qa_ai.update().where(qa_ai.c.id == 700).values(status="withdrawn"))
    assert sorted(logged(store)) == ["a700", "n7", "r10", "rwide", "tqa_ai", "u7"]
    write(store, qa_ai.update().where(qa_ai.c.id == 701).values(status="published"))
    assert sorted(logged(store)) == ["a701", "n7", "r10", "rwide", "tqa_ai", "u7"]
    write(store, qa_ai.update().where(qa_ai.c.id == 701).values(domain=8))  # moved to another site
    assert sorted(logged(store)) == ["a701", "n7", "n8", "r10", "rwide", "tqa_ai", "u7", "u8"]
    write(store, qa_ai.insert().values(id=6400, domain=8, title="New", status="published"))
    assert sorted(logged(store)) == ["a6400", "n8", "r100", "rwide", "tqa_ai", "u8"]


def test_changes_no_page_shows_log_nothing(store: Engine) -> None:
    write(
        store,
        qa_ai.update().where(qa_ai.c.id == 701).values(title="A draft's edit"),  # drafts show nowhere
        qa_ai.update().where(qa_ai.c.id == 700).values(scheduled_at=None, source_id=None),  # shown nowhere
        qa_ai.insert().values(id=702, domain=7, title="Another draft", status="draft"),
        link.insert().values(id=1, article_id=700, url="https://e.example/", url_key="e", status="pending"),
        link.update().where(link.c.id == 1).values(attempts=2),  # a pending link's re-check
    )
    assert logged(store) == []


def test_a_column_only_graphql_shows_names_the_article_too(store: Engine) -> None:
    """The anonymous role reads ``version`` and ``created_at``: a change to them alone logs the article."""
    write(store, qa_ai.update().where(qa_ai.c.id == 700).values(version=qa_ai.c.version + 1))
    assert sorted(logged(store)) == ["a700", "tqa_ai", "u7"]


def test_reader_links_name_their_article_when_live(store: Engine) -> None:
    write(
        store,
        link.insert().values(id=1, article_id=700, url="https://e.example/", url_key="e", status="pending"),
    )
    write(store, link.update().where(link.c.id == 1).values(status="live"))
    assert sorted(logged(store)) == ["k7", "l700"]  # its article's page; its site's counts (the home page)
    write(store, link.update().where(link.c.id == 1).values(checked_at=sa.func.current_timestamp()))
    assert logged(store) == []  # a live link's re-check that changes nothing shown
    write(store, link.update().where(link.c.id == 1).values(status="hidden"))
    assert sorted(logged(store)) == ["k7", "l700"]


def test_a_change_to_the_sites_names_everything(store: Engine) -> None:
    write(store, domain.update().where(domain.c.id == 7).values(name="Screen Answers"))
    assert logged(store) == ["all"]


def test_a_rolled_back_change_logs_nothing_and_every_tag_is_queued_for_purging(store: Engine) -> None:
    with pytest.raises(RuntimeError), store.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == 700).values(title="Never"))
        raise RuntimeError
    assert logged(store) == []
    with store.begin() as connection:
        connection.execute(sa.delete(purge_queue))
    write(store, qa_ai.update().where(qa_ai.c.id == 700).values(title="Queued"))
    with store.connect() as connection:
        queued = sorted(str(t) for t in connection.execute(sa.select(purge_queue.c.tag)).scalars())
    assert queued == sorted(logged(store)) == ["a700", "tqa_ai", "u7"]


def test_concurrent_edits_of_different_articles_do_not_wait_for_each_other(store: Engine) -> None:
    """The 0004 counter row made every writer wait for the one before it to commit; the log does not."""
    if store.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    write(store, qa_ai.insert().values(id=703, domain=7, title="Second", status="published"))
    first = store.connect()
    transaction = first.begin()
    try:
        first.execute(qa_ai.update().where(qa_ai.c.id == 700).values(title="First writer, not committed"))
        with store.begin() as second:
            second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            second.execute(qa_ai.update().where(qa_ai.c.id == 703).values(title="Second writer"))
    finally:
        transaction.rollback()
        first.close()
