"""The store opens, migrates and enforces its constraints the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store import StoreError, begin_write, check_connection, migrate, open_engine, revision_is_known
from qapress.store.schema import domain, link, qa_ai


def add_domain(engine: Engine, host: str = "a.example") -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                domain.insert().returning(domain.c.id), {"host": host, "name": host}
            ).scalar_one()
        )


def test_migrate_is_idempotent(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"domain", "source", "qa_ai", "link", "alembic_version"} <= tables


def test_sqlite_pragmas_are_set(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'sub' / 'q.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    assert (tmp_path / "sub" / "q.db").exists()


def test_article_needs_an_existing_domain(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(qa_ai.insert(), {"domain": 999, "title": "Orphan"})


def test_article_status_is_checked(engine: Engine) -> None:
    site = add_domain(engine)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(qa_ai.insert(), {"domain": site, "title": "T", "status": "lost"})


def test_a_url_key_is_unique_per_article(engine: Engine) -> None:
    site = add_domain(engine)
    with engine.begin() as connection:
        article = connection.execute(
            qa_ai.insert().returning(qa_ai.c.id), {"domain": site, "title": "T", "date": dt.date(2026, 2, 25)}
        ).scalar_one()
        connection.execute(
            link.insert(), {"article_id": article, "url": "https://x.example/", "url_key": "k"}
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(link.insert(), {"article_id": article, "url": "https://x.example", "url_key": "k"})
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(link)).scalar() == 1


def test_faq_and_date_round_trip(engine: Engine) -> None:
    site = add_domain(engine)
    faq = [{"question": "Is there a date?", "answer": "Not yet."}]
    with engine.begin() as connection:
        connection.execute(
            qa_ai.insert(), {"domain": site, "title": "T", "faq": faq, "date": dt.date(2026, 2, 25)}
        )
    with engine.connect() as connection:
        row = connection.execute(sa.select(qa_ai.c.faq, qa_ai.c.date)).one()
    assert row.faq == faq
    assert row.date == dt.date(2026, 2, 25)


def test_begin_write_commits_and_rolls_back(engine: Engine) -> None:
    with begin_write(engine) as connection:
        connection.execute(domain.insert(), {"host": "w.example", "name": "W"})
    with pytest.raises(RuntimeError), begin_write(engine) as connection:
        connection.execute(domain.insert(), {"host": "x.example", "name": "X"})
        raise RuntimeError("refused")
    with engine.connect() as connection:
        hosts = connection.execute(sa.select(domain.c.host)).scalars().all()
    assert hosts == ["w.example"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "unsupported database"),
        ("not a url", "invalid database URL"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_engine(url)


def test_unreachable_postgres_is_a_store_error() -> None:
    engine = open_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot reach the database"):
        check_connection(engine)


def test_a_revision_this_code_has_is_known(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    try:
        assert revision_is_known(engine)  # unstamped: nothing to upgrade from
        migrate(engine)
        assert revision_is_known(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0016_renamed_since'")
        assert not revision_is_known(engine)
    finally:
        engine.dispose()
