"""The revision counters of migration 0004 (site) move with exactly the changes pages can show."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.site.revision import RevisionReader, read_revisions
from qapress.store.schema import domain, link, qa_ai


def write(engine: Engine, statement: sa.Executable) -> None:
    with engine.begin() as connection:
        connection.execute(statement)


def test_changes_to_articles_domains_and_live_links_move_the_revision(engine: Engine) -> None:
    start = read_revisions(engine)
    write(engine, domain.insert().values(id=1, host="news.localhost", name="News"))
    after_domain = read_revisions(engine)
    assert after_domain.domain > start.domain and after_domain.content > start.content

    write(engine, qa_ai.insert().values(id=10, domain=1, title="First"))
    after_article = read_revisions(engine)
    assert after_article.content > after_domain.content and after_article.domain == after_domain.domain

    write(engine, qa_ai.update().where(qa_ai.c.id == 10).values(title="First, renamed"))
    after_title = read_revisions(engine)
    assert after_title.content > after_article.content

    write(engine, link.insert().values(id=1, article_id=10, url="https://e.com/", url_key="e.com/"))
    assert read_revisions(engine) == after_title  # a pending link shows nowhere

    write(engine, link.update().where(link.c.id == 1).values(status="live"))
    after_live = read_revisions(engine)
    assert after_live.content > after_title.content

    write(
        engine, link.update().where(link.c.id == 1).values(attempts=2, checked_at=sa.func.current_timestamp())
    )
    assert read_revisions(engine) == after_live  # a re-check that changes nothing shown

    write(engine, link.update().where(link.c.id == 1).values(title="Now with a title"))
    after_link_title = read_revisions(engine)
    assert after_link_title.content > after_live.content
    after_live = after_link_title

    write(engine, link.delete().where(link.c.id == 1))
    assert read_revisions(engine).content > after_live.content


def test_a_rolled_back_change_leaves_the_revision(engine: Engine) -> None:
    write(engine, domain.insert().values(id=1, host="news.localhost", name="News"))
    before = read_revisions(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(qa_ai.insert().values(domain=1, title="never"))
        transaction.rollback()
    assert read_revisions(engine) == before


def test_the_fast_reader_reads_what_sqlalchemy_reads(engine: Engine) -> None:
    reader = RevisionReader.for_engine(engine)
    try:
        assert reader.read() == read_revisions(engine)
        write(engine, domain.insert().values(id=1, host="news.localhost", name="News"))
        assert reader.read() == read_revisions(engine)  # a new statement sees the committed change
    finally:
        reader.connections.close_all()
