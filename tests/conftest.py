"""Fixtures shared by every test package: a real, migrated store on SQLite and on PostgreSQL.

Every test that takes ``engine`` runs twice, once per database. PostgreSQL comes from
``QAPRESS_TEST_PG_URL`` (default: the local server, trust auth); when it is unreachable the PostgreSQL half
skips with the reason, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import hypothesis.configuration
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.postgres_cluster import PostgresCluster, postgres_bin_dir

from qapress.store import migrate, open_engine
from qapress.store.schema import metadata

# Tests write only to temporary folders: hypothesis keeps its example database and caches (``.hypothesis/``)
# in one of its own, not in the checkout.
hypothesis.configuration.set_hypothesis_home_dir(tempfile.mkdtemp(prefix="qapress-hypothesis-"))
hypothesis.settings.register_profile("qapress", database=None)
hypothesis.settings.load_profile("qapress")

ROOT = Path(__file__).resolve().parents[1]
# The checkout on sys.path, so that processes the tests spawn (multiprocessing sends them this sys.path) can
# import ``tests.*`` helpers whichever way pytest was started (``.venv/bin/pytest`` puts only its bin/ there).
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

PG_ADMIN_URL = os.environ.get("QAPRESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def missing(reason: str) -> None:
    """Skip with a visible reason, or fail under CI, where every part must be there."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared Redis (``QAPRESS_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/0``); tests use a key
    prefix of their own in it."""
    import redis

    url = os.environ.get("QAPRESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        missing(f"no Redis at {url} ({exc}); start one or set QAPRESS_TEST_REDIS_URL")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout: the seeds and the conformance cases."""
    if not SHARED.is_dir():
        missing(
            f"no shared folder at {SHARED} (the project's seed files sit beside the checkout; a plain clone has none)"
        )
    return SHARED


class PostgresServer:
    """Creates throwaway databases on the test PostgreSQL server and drops them afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self, prefix: str = "qapress_t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(PG_ADMIN_URL)
    try:
        with server.admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        missing(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.orig}")
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def own_postgres() -> Iterator[PostgresCluster]:
    """A running PostgreSQL cluster of the tests' own, limited to 100 connections; tests that stop it must
    start it again. Skips (fails under CI=true) when initdb is not installed."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing(
            "initdb is not installed (PostgreSQL's server binaries), needed for a cluster of the tests' own"
        )
    assert bin_dir is not None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing("running as root without runuser: PostgreSQL refuses to run as root")
    cluster = PostgresCluster(bin_dir, max_connections=100)
    try:
        cluster.start()
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = sa.create_engine(cluster.url(), poolclass=sa.pool.NullPool)
                with probe.connect() as connection:
                    connection.exec_driver_sql("SELECT 1")
                probe.dispose()
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: faster than migrating each time."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_store_url(postgres_server: PostgresServer) -> str:
    url = postgres_server.create_database()
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated store: a fresh SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "qapress.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_store_url")
    engine = open_engine(url)
    truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A SQLAlchemy engine on an empty, migrated store (SQLite or PostgreSQL)."""
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_source_text() -> str:
    """The seed's news article as the package ships it for the demo."""
    from importlib import resources

    return resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that the same tests pass on both databases: outcome counts per database parameter."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            node = getattr(report, "nodeid", "")
            for name in ("sqlite", "postgresql"):
                if f"[{name}" in node or f"-{name}]" in node or f"-{name}-" in node:
                    counts.setdefault(name, {}).setdefault(outcome, 0)
                    counts[name][outcome] += 1
    if counts:
        terminalreporter.section("tests per database")
        for name, outcomes in sorted(counts.items()):
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
            terminalreporter.write_line(f"{name}: {summary}")


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database that no migration has touched: the migration tests walk it up from an old
    revision, fill it as that revision's code did, and upgrade."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return str(request.getfixturevalue("postgres_server").create_database("qapress_migration"))
