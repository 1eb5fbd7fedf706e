"""A PostgreSQL cluster of the tests' own, for outage tests and the outage bench: no pytest here, so the bench
can use it too (``from tests.postgres_cluster import PostgresCluster, postgres_bin_dir``)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa


class PostgresCluster:
    """A PostgreSQL cluster of the tests' own (initdb into a temporary folder, its own port): one that outage
    tests may stop and start without touching the shared server other work uses.

    Runs as the ``postgres`` user when the tests run as root (PostgreSQL refuses root). Trust auth, on
    127.0.0.1 only."""

    def __init__(self, bin_dir: Path, max_connections: int = 100, listen: str = "127.0.0.1") -> None:
        """``listen``: the addresses to listen on, comma-separated; URLs name the first."""
        self.bin_dir = bin_dir
        self.max_connections = max_connections
        self.listen = listen
        self.directory = Path(tempfile.mkdtemp(prefix="qapress-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.directory, "postgres")
        self._create()

    def _create(self) -> None:
        # initdb's pg_hba.conf trusts replication connections from 127.0.0.1 too, and wal_level is
        # "replica" by default: ``StandbyCluster`` can stream from any cluster made here.
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def trust_network(self, network: str) -> None:
        """Let clients from ``network`` in (trust auth), for servers reached over other interfaces."""
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {network} trust\n")

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.bin_dir / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses={self.listen} "
            f"-c max_connections={self.max_connections} -c fsync=off -c shared_buffers=16MB"
        )
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; ``immediate`` is a crash as clients see it (connections cut mid-way)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.listen.split(',')[0]}:{self.port}/{database}"

    def create_database(self, prefix: str = "qapress_own") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class StandbyCluster(PostgresCluster):
    """A hot standby of ``primary``: ``pg_basebackup -R`` (a base backup that streams the primary's WAL
    from then on, ``primary_conninfo`` written for it) into a folder of its own, started on its own port."""

    def __init__(self, bin_dir: Path, primary: PostgresCluster) -> None:
        self.primary = primary
        super().__init__(bin_dir, primary.max_connections)

    def _create(self) -> None:
        self._run(
            "pg_basebackup",
            *("-D", str(self.data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"),
            *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
        )

    def pause_replay(self) -> None:
        self._sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._sql("SELECT pg_wal_replay_resume()")

    def _sql(self, statement: str) -> None:
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None
