"""qapress behind a real PgBouncer in transaction mode (Debian's 1.18: no protocol-level prepared statements
across transactions), in front of the shared PostgreSQL server.

PgBouncer lends one server connection to two client connections here, so a statement psycopg prepared on
one client (after ``prepare_threshold`` runs) would collide with or miss the other's: the control test shows
that without ``QAPRESS_DATABASE_POOLER=transaction`` it breaks, the others that with it pages, queries and
mutations all work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.conftest import PostgresServer, missing
from tests.postgres_cluster import free_port
from tests.site.live import demo_store, serve_site

from qapress.engine.connections import ThreadConnections, behind_transaction_pooler
from qapress.store import open_engine
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import link

QUERY = "query($d: Int!) { qa_ai(where: {domain: {_eq: $d}}, limit: 3, order_by: {id: asc}) { id title } }"
INSERT = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"


class PgBouncer:
    """A PgBouncer of the test's own: transaction pooling, trust auth, one server connection per database."""

    def __init__(self, server_host: str, server_port: int) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="qapress-pgbouncer-"))
        self.port = free_port()
        (self.directory / "userlist.txt").write_text('"postgres" ""\n')
        (self.directory / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={server_host} port={server_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.directory / 'userlist.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 100\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.directory / 'pgbouncer.log'}\n"
        )
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_postgres:
            shutil.chown(self.directory, "postgres")
            for path in self.directory.iterdir():
                shutil.chown(path, "postgres")
        pgbouncer = shutil.which("pgbouncer") or "pgbouncer"
        self.process = subprocess.Popen([*as_postgres, pgbouncer, str(self.directory / "pgbouncer.ini")])
        deadline = time.monotonic() + 20
        while True:
            try:
                psycopg.connect(self.conninfo("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.1)

    def conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def bouncer(postgres_server: PostgresServer) -> Iterator[tuple[PgBouncer, str]]:
    if shutil.which("pgbouncer") is None:
        missing("pgbouncer is not installed (apt-get install pgbouncer)")
    url = postgres_server.create_database("qapress_bouncer")
    demo_store(url).dispose()  # migrated and filled directly; everything after goes through PgBouncer
    admin = sa.engine.make_url(postgres_server.admin.url)
    pgbouncer = PgBouncer(admin.host or "127.0.0.1", admin.port or 5432)
    try:
        yield pgbouncer, sa.engine.make_url(url).database or ""
    finally:
        pgbouncer.stop()


def hammer(engine: Engine, runs: int = 40) -> list[str]:
    """The same statement on two hot-path connections at once, more often than psycopg's prepare
    threshold; the errors met."""
    connections = ThreadConnections(engine, 5000)
    sql = "SELECT CAST(count(*) AS TEXT) FROM qa_ai WHERE domain = %s"

    def run(i: int) -> str:
        try:
            connections.fetch_text(sql, [i % 3])
            return ""
        except Exception as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        errors = [e for e in pool.map(run, range(runs)) if e]
    connections.close_all()
    return errors


def test_without_the_setting_prepared_statements_break_behind_pgbouncer(
    bouncer: tuple[PgBouncer, str],
) -> None:
    pgbouncer, database = bouncer
    engine = open_engine(pgbouncer.url(database), pool_size=2)
    errors = hammer(engine)
    engine.dispose()
    assert errors, "expected prepared-statement errors from a transaction pooler"


def test_with_the_setting_the_hot_path_prepares_nothing(bouncer: tuple[PgBouncer, str]) -> None:
    pgbouncer, database = bouncer
    engine = open_engine(pgbouncer.url(database), pool_size=2, pooler="transaction")
    assert behind_transaction_pooler(engine)
    assert hammer(engine, runs=200) == []
    engine.dispose()


def test_pages_queries_and_mutations_through_pgbouncer(bouncer: tuple[PgBouncer, str]) -> None:
    pgbouncer, database = bouncer
    engine = open_engine(pgbouncer.url(database), pool_size=4, pooler="transaction")
    with serve_site(engine, database_pooler="transaction", page_cache_size=0) as live:
        for _ in range(3):
            for path in (
                "/",
                "/?page=2",
                f"/a/{SEED_ARTICLE_ID}",
                "/search?q=heat",
                "/feed.xml",
                "/sitemap.xml",
            ):
                page = live.get(path)
                while page.status_code == 301:
                    page = live.get(httpx.URL(page.headers["location"]).path)
                assert page.status_code == 200, (path, page.text[:300])

        def query(i: int) -> dict[str, object]:
            body = {"query": QUERY, "variables": {"d": 1 + i % 3}}
            answer: dict[str, object] = live.request("POST", "/v1/graphql", json=body).json()
            return answer

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(query, range(60)))
        assert all("errors" not in a for a in answers), [a for a in answers if "errors" in a][:1]
        for n in range(3):
            url = f"https://fans.example.org/through-pgbouncer-{n}"
            variables = {"o": {"article_id": SEED_ARTICLE_ID, "url": url, "consent": True}}
            posted = live.request("POST", "/v1/graphql", json={"query": INSERT, "variables": variables})
            assert "errors" not in posted.json(), posted.text
    with engine.connect() as connection:
        stored = connection.execute(sa.select(link.c.url).where(link.c.url.like("%through-pgbouncer%")))
        assert len(stored.all()) == 3
    engine.dispose()
