"""The wal-index header moves with every commit to a WAL database, whoever commits, and with nothing else;
the change watch built on it stays exact, and without WAL it falls back to ``PRAGMA data_version``.

Real SQLite files; commits from this process's other connections and from another process.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qapress.site.invalidation import DataVersionWatch
from qapress.site.wal_index import open_wal_index

LOG_TABLE = "CREATE TABLE cache_invalidation (seq INTEGER PRIMARY KEY AUTOINCREMENT, tag TEXT NOT NULL)"


def database(tmp_path: Path, journal: str = "wal") -> str:
    path = str(tmp_path / "store.db")
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA journal_mode={journal}")
    connection.execute(LOG_TABLE)
    connection.close()
    return path


def log_tag(path: str, tag: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("INSERT INTO cache_invalidation (tag) VALUES (?)", (tag,))
    connection.close()


def log_tag_elsewhere(path: str, tag: str) -> None:
    """The same insert, committed by another process (a second worker, the CLI)."""
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
        " c.execute('INSERT INTO cache_invalidation (tag) VALUES (?)', (sys.argv[2],))"
    )
    subprocess.run([sys.executable, "-c", code, path, tag], check=True)


def test_the_header_moves_with_each_commit_and_only_then(tmp_path: Path) -> None:
    path = database(tmp_path)
    keeper = sqlite3.connect(path, isolation_level=None)  # holds the -shm open, as the watch's probe does
    keeper.execute("SELECT 1 FROM cache_invalidation").fetchall()
    header = open_wal_index(path)
    assert header is not None
    try:
        before = header.read()
        keeper.execute("SELECT * FROM cache_invalidation").fetchall()
        assert header.read() == before, "a read commits nothing"
        log_tag(path, "a1")
        after_local = header.read()
        assert after_local != before
        log_tag_elsewhere(path, "a2")
        assert header.read() != after_local
        keeper.execute("BEGIN IMMEDIATE")
        keeper.execute("INSERT INTO cache_invalidation (tag) VALUES ('a3')")
        keeper.execute("ROLLBACK")
        unchanged = header.read()
        keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log_tag(path, "a4")  # after a checkpoint the log restarts from its first frame
        assert header.read() != unchanged
    finally:
        header.close()
        keeper.close()


def test_a_database_named_through_a_symbolic_link_maps_the_real_files_header(tmp_path: Path) -> None:
    path = database(tmp_path)
    link = tmp_path / "linked.db"
    link.symlink_to(path)
    keeper = sqlite3.connect(str(link), isolation_level=None)
    keeper.execute("SELECT 1 FROM cache_invalidation").fetchall()
    (tmp_path / "linked.db-shm").write_bytes(bytes(32768))  # a stray file SQLite does not use
    header = open_wal_index(str(link))
    assert header is not None
    try:
        before = header.read()
        log_tag_elsewhere(path, "a1")
        assert header.read() != before
    finally:
        header.close()
        keeper.close()


@pytest.mark.parametrize("journal", ["delete", "truncate"])
def test_no_header_without_wal(tmp_path: Path, journal: str) -> None:
    path = database(tmp_path, journal)
    assert open_wal_index(path) is None
    assert open_wal_index(str(tmp_path / "missing.db")) is None


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_the_watch_sees_every_commit_with_or_without_the_header(tmp_path: Path, journal: str) -> None:
    path = database(tmp_path, journal)
    seen: list[list[str]] = []
    watch = DataVersionWatch(path, seen.append)
    try:
        assert watch.sync() and watch.sync()  # the first call starts at the log's head
        for round_ in range(3):
            log_tag_elsewhere(path, f"x{round_}")
            assert watch.sync()
            assert seen[-1] == [f"x{round_}"], "the very next check applies the commit"
            log_tag(path, f"y{round_}")
            assert watch.sync()
            assert seen[-1] == [f"y{round_}"]
        calls = len(seen)
        for _ in range(5):
            assert watch.sync()
        assert len(seen) == calls, "nothing committed, nothing applied"
    finally:
        watch.stop()
