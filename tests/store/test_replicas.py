"""Read replicas against a real streaming replica: a primary cluster of the tests' own and a hot standby made
from it with ``pg_basebackup -R``, both on this machine.

The proof that a read went to the replica is a change the replica has not replayed: with replay paused
(``pg_wal_replay_pause()``), an edit on the primary is invisible there, so an answer without it came from
the replica and one with it from the primary. The standby's own ``pg_stat_database.xact_commit`` counts
the statements it ran. SQLite has no replicas: the setting does not apply there (``open_settings_replicas``
returns None), so these tests are PostgreSQL-only.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.conftest import missing
from tests.postgres_cluster import PostgresCluster, StandbyCluster, postgres_bin_dir
from tests.site.live import LiveSite, demo_store, serve_site

from qapress.settings import Settings
from qapress.store.database import open_settings_replicas
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.replicas import ReplicaSet
from qapress.store.schema import domain, qa_ai

ADMIN = {"x-hasura-admin-secret": "replica-test"}
TITLE = f"query {{ qa_ai_by_pk(id: {SEED_ARTICLE_ID}) {{ title }} }}"
INSERT = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"
SET_LEAD = (
    "mutation($id: Int!, $lead: String!) "
    "{ update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {lead: $lead}) { id } }"
)
MINE = 'query { link(where: {url: {_eq: "%s"}}) { url status } }'


@dataclass
class Replicated:
    primary: PostgresCluster
    standby: StandbyCluster
    engine: Engine
    database: str

    @property
    def standby_url(self) -> str:
        return self.standby.url(self.database)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not (bin_dir / "pg_basebackup").exists():
        missing("initdb/pg_basebackup are not installed (PostgreSQL's server binaries)")
    assert bin_dir is not None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing("running as root without runuser: PostgreSQL refuses to run as root")
    primary = PostgresCluster(bin_dir)
    standby: StandbyCluster | None = None
    try:
        primary.start()
        url = primary.create_database("qapress_replica")
        engine = demo_store(url)
        standby = StandbyCluster(bin_dir, primary)
        standby.start()
        database = engine.url.database or ""
        replicated = Replicated(primary, standby, engine, database)
        wait_for(lambda: standby_title(replicated) is not None, "the standby to replay the demo store")
        yield replicated
        engine.dispose()
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


def standby_column(replicated: Replicated, column: sa.Column[str], article_id: int) -> str | None:
    """``column`` of article ``article_id`` as the standby reads it, or None (no row, or the standby is down)."""
    probe = sa.create_engine(replicated.standby_url, poolclass=sa.pool.NullPool)
    try:
        with probe.connect() as connection:
            value = connection.execute(sa.select(column).where(qa_ai.c.id == article_id)).scalar()
            return None if value is None else str(value)
    except sa.exc.OperationalError:
        return None
    finally:
        probe.dispose()


def standby_title(replicated: Replicated) -> str | None:
    return standby_column(replicated, qa_ai.c.title, SEED_ARTICLE_ID)


def standby_commits(replicated: Replicated) -> int:
    probe = sa.create_engine(replicated.standby.url(), poolclass=sa.pool.NullPool)
    with probe.connect() as connection:
        value = connection.exec_driver_sql(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = %(name)s", {"name": replicated.database}
        ).scalar_one()
    probe.dispose()
    return int(value)


def retitle(engine: Engine, title: str) -> None:
    with engine.begin() as connection:
        connection.execute(qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title))


def title_via(live: LiveSite, headers: dict[str, str] | None = None) -> str:
    answer = live.request("POST", "/v1/graphql", json={"query": TITLE}, headers=headers or {}).json()
    return str(answer["data"]["qa_ai_by_pk"]["title"])


def replicas_of(live: LiveSite) -> ReplicaSet:
    replicas = live.site.gql.connections.replicas
    assert replicas is not None
    return replicas


@contextmanager
def replay_paused(replicated: Replicated) -> Iterator[None]:
    """The standby stops replaying (it still receives WAL); afterwards it replays everything again."""
    replicated.standby.pause_replay()
    try:
        yield
    finally:
        replicated.standby.resume_replay()


def serve(replicated: Replicated, max_lag: float = 60.0, check: float = 0.1) -> Any:
    return serve_site(
        replicated.engine,
        admin_secret=ADMIN["x-hasura-admin-secret"],
        database_replica_urls=replicated.standby_url,
        replica_max_lag_seconds=max_lag,
        replica_check_seconds=check,
    )


def test_sqlite_has_no_replicas(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_replica_urls="postgresql://postgres@127.0.0.1:1/x")
    engine = sa.create_engine(settings.resolved_database_url())
    assert open_settings_replicas(settings, engine) is None


def test_anonymous_reads_go_to_the_replica_other_roles_and_pages_behind_it_to_the_primary(
    replicated: Replicated,
) -> None:
    with serve(replicated) as live:
        wait_for(lambda: bool(replicas_of(live).usable()), "the replica to be in use")
        before = standby_commits(replicated)
        for _ in range(20):
            assert title_via(live) == standby_title(replicated)
        # The standby ran them: its own transaction counter moved by at least one per query.
        wait_for(lambda: standby_commits(replicated) >= before + 20, "the standby's statistics")
        with replay_paused(replicated):
            retitle(replicated.engine, "Edited on the primary")
            assert title_via(live) != "Edited on the primary"  # anonymous: the replica, not replayed yet
            assert title_via(live, ADMIN) == "Edited on the primary"  # admin: the primary
            # The process was told of the edit, which the replica has not replayed: a page is built on the
            # primary and shows the edit (the cache stays exact).
            wait_for(lambda: replicas_of(live).current_since(live.site.cache.changed_at) is None, "told")
            page = article_page(live)
            assert "Edited on the primary" in page.text
            assert "set-cookie" not in page.headers  # reading commits nothing: no read-from-primary window
        wait_for(lambda: title_via(live) == "Edited on the primary", "the replica to replay the edit")


def retitle_untold(engine: Engine, title: str) -> None:
    """An edit the triggers do not see (``session_replication_role``): nothing is logged or notified, so
    no process is told of it; only what a page is built from decides whether it shows."""
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.execute(qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title))


def article_page(live: LiveSite) -> httpx.Response:
    page = live.get(f"/a/{SEED_ARTICLE_ID}")
    while page.status_code == 301:
        page = live.get(httpx.URL(page.headers["location"]).path)
    return page


def test_pages_are_built_on_a_replica_that_has_replayed_every_change_told(replicated: Replicated) -> None:
    with serve(replicated) as live:
        replicas = replicas_of(live)
        retitle(replicated.engine, "Told to every process")
        wait_for(lambda: standby_title(replicated) == "Told to every process", "the standby to replay it")
        cache = live.site.cache
        wait_for(lambda: replicas.current_since(cache.changed_at) is not None, "a replica past the change")
        with replay_paused(replicated):
            # The primary has an edit nobody was told of; the replica has replayed all that was told.
            retitle_untold(replicated.engine, "Only on the primary")
            page = article_page(live)
            assert page.status_code == 200
            assert (
                "Told to every process" in page.text and "Only on the primary" not in page.text
            )  # the replica
            # Once a change is told that the replica has not replayed, pages are built on the primary.
            retitle(replicated.engine, "Told while the replica waits")
            wait_for(lambda: replicas.current_since(cache.changed_at) is None, "the process to be told")
            assert "Told while the replica waits" in article_page(live).text


def test_a_lagging_replica_is_skipped_then_used_again(replicated: Replicated) -> None:
    with serve(replicated, max_lag=1.0, check=0.1) as live:
        replicas = replicas_of(live)
        wait_for(lambda: bool(replicas.usable()), "the replica to be in use")
        with replay_paused(replicated):
            started = time.monotonic()
            retitle(replicated.engine, "Lagging behind")
            assert title_via(live) != "Lagging behind"
            wait_for(lambda: not replicas.usable(), "the lagging replica to be skipped")
            skipped_after = time.monotonic() - started
            assert "lagging" in replicas.replicas[0].reason
            assert title_via(live) == "Lagging behind"  # the primary answers now
        wait_for(lambda: bool(replicas.usable()), "the replica to be used again once it caught up")
        assert replicas.replicas[0].lag_seconds <= 1.0
        # Skipped once the lag passed the bound, within a few check intervals (more under a loaded machine).
        assert skipped_after <= 4.0, skipped_after


def test_read_your_writes_a_reader_sees_their_own_pending_link(replicated: Replicated) -> None:
    url = "https://fans.example.org/replica-pending"
    with serve(replicated) as live:
        wait_for(lambda: bool(replicas_of(live).usable()), "the replica to be in use")
        with replay_paused(replicated):
            writer = httpx.Client(
                base_url=f"http://127.0.0.1:{live.port}", headers={"Host": "screen.localhost"}
            )
            variables = {"o": {"article_id": SEED_ARTICLE_ID, "url": url, "consent": True}}
            posted = writer.post("/v1/graphql", json={"query": INSERT, "variables": variables})
            assert "errors" not in posted.json(), posted.text
            assert "qapress_read_primary=1" in posted.headers.get("set-cookie", "")
            # The same reader (their cookie) reads the primary; another client, the replica without it.
            mine = writer.post("/v1/graphql", json={"query": MINE % url}).json()
            assert mine["data"]["link"] == [{"url": url, "status": "pending"}]
            other = live.request("POST", "/v1/graphql", json={"query": MINE % url}).json()
            assert other["data"]["link"] == []
            writer.close()


def test_a_stopped_replica_is_skipped_at_once(replicated: Replicated) -> None:
    # Checks are rare here: the first read after the stop finds the replica down itself.
    with serve(replicated, check=30.0) as live:
        replicas = replicas_of(live)
        assert replicas.usable()
        retitle(replicated.engine, "Read while the replica is down")
        wait_for(lambda: standby_title(replicated) == "Read while the replica is down", "replay")
        replicated.standby.stop("immediate")
        try:
            assert title_via(live) == "Read while the replica is down"
            assert not replicas.usable()
            assert title_via(live) == "Read while the replica is down"
            replicas.check()
            assert "unreachable" in replicas.replicas[0].reason
        finally:
            replicated.standby.start()


def test_read_your_writes_an_editor_sees_their_own_just_saved_draft(replicated: Replicated) -> None:
    """An editor signed in to the newsroom saves a draft's lead while the replica replays nothing: their next
    GraphQL read and the newsroom's draft page show it (the primary), the replica still has the old one."""
    from tests.newsroom.world import PASSWORD, Staff

    from qapress.accounts.users import add_account

    email = "replica-editor@example.com"
    add_account(replicated.engine, email, "editor", PASSWORD, ["screen.localhost"])
    with replicated.engine.begin() as connection:
        site_id = connection.execute(
            sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
        ).scalar()
        draft = connection.execute(
            qa_ai.insert()
            .values(domain=site_id, title="A replica's draft", lead="The first lead.", status="draft")
            .returning(qa_ai.c.id)
        ).scalar_one()
    wait_for(lambda: standby_lead(replicated, draft) == "The first lead.", "the standby to replay the draft")
    with serve(replicated) as live:
        wait_for(lambda: bool(replicas_of(live).usable()), "the replica to be in use")
        editor = Staff(live.port, host="screen.localhost")
        try:
            assert editor.sign_in(email).status_code == 303
            with replay_paused(replicated):
                saved = editor.graphql(SET_LEAD, {"id": draft, "lead": "The lead just saved."})
                assert "errors" not in saved, saved
                read = editor.graphql(f"query {{ qa_ai_by_pk(id: {draft}) {{ lead }} }}")
                assert read == {"data": {"qa_ai_by_pk": {"lead": "The lead just saved."}}}
                page = editor.client.get(f"/newsroom/articles/{draft}")
                assert page.status_code == 200 and "The lead just saved." in page.text
                assert standby_lead(replicated, draft) == "The first lead."  # the replica is behind
        finally:
            editor.close()


def standby_lead(replicated: Replicated, article_id: int) -> str | None:
    return standby_column(replicated, qa_ai.c.lead, article_id)
