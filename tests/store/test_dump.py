"""``export --all`` and its restore: the whole network through one JSON Lines stream, unchanged, between
any two stores (SQLite to PostgreSQL and back), without secrets, in constant memory."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.accounts.passwords import verify_password
from qapress.accounts.sessions import SessionPolicy, open_session, token_digest
from qapress.accounts.users import add_account
from qapress.store import migrate, open_engine
from qapress.store.demo import SEED_ARTICLE_ID, load_demo
from qapress.store.dump import DumpError, dump_network, dumped_tables, is_dump_header, restore_network
from qapress.store.schema import (
    account,
    account_session,
    account_site,
    domain,
    grounding_report,
    indexnow_ping,
    link,
    qa_ai,
    related_queue,
    source,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A second, empty, migrated store of either kind, to restore into."""
    if request.param == "sqlite":
        path = tmp_path / "target.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("qapress_dump")
    engine = open_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def network(engine: Engine) -> Engine:
    """The demo network (its sources and grounding reports) with a reader's link, so every table has rows."""
    load_demo(engine)
    with engine.begin() as connection:
        connection.execute(
            source.insert(),
            {"url": "https://news.example/1", "title": "News", "text": "Body.", "content_hash": "c" * 64},
        )
        article_id = connection.execute(sa.select(sa.func.min(qa_ai.c.id))).scalar_one()
        connection.execute(
            link.insert(),
            {
                "article_id": article_id,
                "url": "https://x.example/a",
                "url_key": "x.example/a",
                "ip_hash": "h",
            },
        )
        # The demo's pipeline wrote a grounding report for every article but the seed's two.
        assert connection.execute(sa.select(sa.func.count()).select_from(grounding_report)).scalar()
    return engine


def searched(engine: Engine, word: str) -> list[int]:
    if engine.dialect.name == "sqlite":
        sql = "SELECT rowid FROM qa_ai_fts WHERE qa_ai_fts MATCH websearch_to_fts5(:q)"
    else:
        sql = (
            "SELECT id FROM qa_ai WHERE qapress_search_vector(title, lead, text) @@ qapress_search_query(:q)"
        )
    with engine.connect() as connection:
        return list(connection.execute(sa.text(sql), {"q": word}).scalars())


def rows_of(lines: list[str]) -> list[str]:
    return lines[1:]  # the header names the tables; rows follow


def test_a_network_survives_export_and_restore_unchanged(network: Engine, empty_target: Engine) -> None:
    lines = list(dump_network(network, batch_size=7))  # small batches: the keyset paging is exercised
    header = json.loads(lines[0])
    assert header["format"] == "qapress-dump" and is_dump_header(lines[0])
    assert header["tables"] == [t.name for t in dumped_tables()]
    tables = {json.loads(line)["table"] for line in rows_of(lines)}
    assert {"domain", "source", "qa_ai", "link", "grounding_report"} <= tables

    report = restore_network(empty_target, lines)
    assert report.total == len(lines) - 1
    again = list(dump_network(empty_target, batch_size=1000))
    # Compared as JSON: PostgreSQL's jsonb keeps an object's keys in an order of its own.
    assert [json.loads(line) for line in again] == [json.loads(line) for line in lines]
    # The articles were restored as a bulk import: searchable, queued for their lists, no IndexNow pings.
    with empty_target.connect() as connection:
        published = set(
            connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.status == "published")).scalars()
        )
        queued = set(connection.execute(sa.select(related_queue.c.article_id)).scalars())
        pings = connection.execute(sa.select(sa.func.count()).select_from(indexnow_ping)).scalar_one()
        seed_title = connection.execute(
            sa.select(qa_ai.c.title).where(qa_ai.c.id == SEED_ARTICLE_ID)
        ).scalar_one()
    assert queued == published and pings == 0
    assert SEED_ARTICLE_ID in searched(empty_target, seed_title.split()[0])
    # New rows get new ids after the restored ones (PostgreSQL's sequences were moved on).
    with empty_target.begin() as connection:
        highest = connection.execute(sa.select(sa.func.max(qa_ai.c.id))).scalar_one()
        new_id = connection.execute(
            qa_ai.insert().returning(qa_ai.c.id), {"domain": 1, "title": "After the restore"}
        ).scalar_one()
    assert new_id > highest


def test_secret_columns_and_private_tables_stay_out(network: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(link.c.ip_hash.info, "secret", True)
    monkeypatch.setitem(grounding_report.info, "dump", False)
    lines = list(dump_network(network))
    rows = [json.loads(line) for line in rows_of(lines)]
    links = [r["row"] for r in rows if r["table"] == "link"]
    assert links and all("ip_hash" not in row for row in links)
    assert not any(r["table"] == "grounding_report" for r in rows)


def test_restore_refuses_a_store_that_has_rows(network: Engine) -> None:
    lines = list(dump_network(network))
    with pytest.raises(DumpError, match="not empty"):
        restore_network(network, lines)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "empty"),
        (['{"domain": 1, "title": "an article, not a dump"}'], "not a qapress dump"),
        (['{"format": "qapress-dump", "version": 99}'], "version 99"),
        (['{"format": "qapress-dump", "version": 1}', "{oops"], "line 2: not JSON"),
        (['{"format": "qapress-dump", "version": 1}', '{"table": "nope", "row": {}}'], "unknown table"),
        (
            [
                '{"format": "qapress-dump", "version": 1}',
                '{"table": "domain", "row": {"id": 1, "colour": 2}}',
            ],
            "no column 'colour'",
        ),
        (
            [
                '{"format": "qapress-dump", "version": 1}',
                '{"table": "qa_ai", "row": {"id": 1, "domain": 99, "title": "orphan"}}',
            ],
            "qa_ai rows of line 2 were refused",
        ),
    ],
)
def test_a_bad_dump_names_its_line(engine: Engine, lines: list[str], message: str) -> None:
    with pytest.raises(DumpError, match=message):
        restore_network(engine, lines)


def test_accounts_travel_without_their_passwords_or_sessions(network: Engine, empty_target: Engine) -> None:
    """Users are part of the network (their roles and sites come back) but never their secrets: no password
    hash and no session is written, and a restored account cannot sign in until its password is reset."""
    password = "correct horse battery staple 15"
    with network.connect() as connection:
        host = connection.execute(sa.select(domain.c.host).order_by(domain.c.id).limit(1)).scalar_one()
    editor = add_account(network, "Editor@Example.org", "editor", password, sites=[host])
    with network.begin() as connection:
        stored_hash = connection.execute(
            sa.select(account.c.password_hash).where(account.c.id == editor.id)
        ).scalar_one()
        token = open_session(connection, editor.id, SessionPolicy())
    assert verify_password(stored_hash, password)

    lines = list(dump_network(network))
    text = "\n".join(lines)
    assert stored_hash not in text and token_digest(token) not in text and token not in text
    rows = [json.loads(line) for line in rows_of(lines)]
    accounts = [r["row"] for r in rows if r["table"] == "account"]
    assert [(a["email"], a["role"]) for a in accounts] == [("Editor@Example.org", "editor")]
    assert all("password_hash" not in a for a in accounts)
    assert not any(r["table"] == account_session.name for r in rows)

    restore_network(empty_target, lines)
    with empty_target.connect() as connection:
        restored = connection.execute(sa.select(account).where(account.c.id == editor.id)).mappings().one()
        sites = connection.execute(
            sa.select(account_site.c.domain_id).where(account_site.c.account_id == editor.id)
        ).scalars()
        sessions = connection.execute(sa.select(sa.func.count()).select_from(account_session)).scalar_one()
    assert (restored["email_key"], restored["role"]) == ("editor@example.org", "editor")
    assert list(sites) == list(editor.site_ids)
    assert sessions == 0
    assert not verify_password(restored["password_hash"], password)
