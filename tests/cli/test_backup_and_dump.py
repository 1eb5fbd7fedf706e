"""``qapress backup``, ``restore``, ``export --all`` and a streaming ``import``, as a user runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from qapress.store import open_engine
from qapress.store.schema import domain, qa_ai

from .test_commands import assert_one_line_error, qapress


def sqlite_env(tmp_path: Path, name: str = "live") -> dict[str, str]:
    return {"QAPRESS_DATABASE_URL": f"sqlite:///{tmp_path / name / 'qapress.db'}"}


def articles_in(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM qa_ai").fetchone()[0])


def demo_store(env: dict[str, str]) -> None:
    code = "from qapress.cli.context import open_store; from qapress.store.demo import load_demo; load_demo(open_store(create=True))"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, check=True, timeout=120)


def test_backup_then_restore_brings_the_articles_back(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    demo_store(env)
    live = Path(env["QAPRESS_DATABASE_URL"].removeprefix("sqlite:///"))
    before = articles_in(live)
    backup = tmp_path / "backups" / "copy.db"
    done = qapress("backup", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    assert articles_in(backup) == before and not list(backup.parent.glob(".*partial"))

    with sqlite3.connect(live) as connection:
        connection.execute("DELETE FROM link")
        connection.execute("DELETE FROM qa_ai WHERE id IN (SELECT id FROM qa_ai ORDER BY id LIMIT 5)")
    assert articles_in(live) < before
    refused = qapress("restore", str(backup), env=env)
    assert_one_line_error(refused, "add --force")
    restored = qapress("restore", str(backup), "--force", env=env)
    assert restored.returncode == 0, restored.stderr
    assert articles_in(live) == before


def test_backup_and_restore_say_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert qapress("init", env=env).returncode == 0
    live = env["QAPRESS_DATABASE_URL"].removeprefix("sqlite:///")
    assert_one_line_error(qapress("backup", live, env=env), "live database itself")
    assert_one_line_error(qapress("restore", str(tmp_path / "missing.db"), env=env), "no backup file")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello, this is not a database" * 100)
    assert_one_line_error(qapress("restore", str(not_sqlite), env=env), "not a SQLite database")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    assert_one_line_error(qapress("restore", str(foreign), env=env), "not a qapress store")


@pytest.mark.postgres
def test_backup_on_postgresql_points_to_pg_dump(postgres_store_url: str) -> None:
    result = qapress("backup", "/tmp/never-written.db", env={"QAPRESS_DATABASE_URL": postgres_store_url})
    assert_one_line_error(result, "pg_dump")


def test_export_all_then_import_fills_an_empty_store(tmp_path: Path) -> None:
    source_env = sqlite_env(tmp_path, "source")
    demo_store(source_env)
    dump = tmp_path / "network.jsonl"
    exported = qapress("export", "--all", "-o", str(dump), env=source_env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(dump.read_text().splitlines()[0])["format"] == "qapress-dump"

    target_env = sqlite_env(tmp_path, "target")
    assert qapress("init", env=target_env).returncode == 0
    imported = qapress("import", str(dump), env=target_env)
    assert imported.returncode == 0, imported.stderr
    assert "restored" in imported.stderr
    again = tmp_path / "again.jsonl"
    assert qapress("export", "--all", "-o", str(again), env=target_env).returncode == 0
    assert again.read_text() == dump.read_text()
    # A second restore into the now full store is refused, and nothing is lost.
    twice = qapress("import", str(dump), env=target_env)
    assert_one_line_error(twice, "not empty")


def peak_rss_of_import(tmp_path: Path, lines: int) -> int:
    """The peak RSS (KiB) of a ``qapress import`` of ``lines`` articles, run in its own process."""
    folder = tmp_path / f"import-{lines}"
    folder.mkdir()
    data = folder / "articles.jsonl"
    text = "x" * 400
    with data.open("w") as out:
        for number in range(lines):
            out.write(json.dumps({"domain": 1, "title": f"Article {number}", "text": text}) + "\n")
    env = {**os.environ, "QAPRESS_DATABASE_URL": f"sqlite:///{folder / 'qapress.db'}"}
    prepare = (
        "from qapress.cli.context import open_store\n"
        "from qapress.store.schema import domain\n"
        "with open_store(create=True).begin() as connection:\n"
        "    connection.execute(domain.insert(), {'host': 'a.example', 'name': 'A'})\n"
    )
    subprocess.run([sys.executable, "-c", prepare], env=env, check=True, timeout=60)
    measure = (
        "import resource, subprocess, sys;"
        f"subprocess.run([sys.executable, '-m', 'qapress', 'import', {str(data)!r}], check=True,"
        " stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure], env=env, capture_output=True, text=True, check=True, timeout=600
    )
    return int(result.stdout.strip())


def test_import_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """A ten-times larger file (4 MB against 40 MB) costs no more memory: the file is streamed."""
    small = peak_rss_of_import(tmp_path, 8_000)
    large = peak_rss_of_import(tmp_path, 80_000)
    assert large - small < 12_000, (small, large)  # KiB; reading the file whole would add ~60 MB


def peak_rss_kib(args: list[str], env: dict[str, str]) -> int:
    """The peak RSS (KiB) of ``qapress ARGS``, run in a process of its own."""
    measure = (
        "import resource, subprocess, sys;"
        f"subprocess.run([sys.executable, '-m', 'qapress', *{args!r}], check=True, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return int(result.stdout.strip())


def add_articles(url: str, first: int, count: int) -> None:
    """``count`` published articles of 400 characters each on site 1 (made if missing), ids from ``first``."""
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            if connection.execute(sa.select(domain.c.id).where(domain.c.id == 1)).first() is None:
                connection.execute(domain.insert(), {"id": 1, "host": "a.example", "name": "A"})
        for start in range(first, first + count, 5_000):
            rows = [
                {"id": n, "domain": 1, "title": f"Article {n}", "text": "x" * 400, "status": "published"}
                for n in range(start, min(start + 5_000, first + count))
            ]
            with engine.begin() as connection:
                connection.execute(qa_ai.insert(), rows)
    finally:
        engine.dispose()


def test_export_memory_does_not_grow_with_the_network(database_url: str, tmp_path: Path) -> None:
    """Ten times the articles (8,000 against 88,000) cost ``export`` and ``export --all`` no more memory: both
    read in batches and write as they go. Holding 88,000 articles would add well over 30 MB."""
    env = {"QAPRESS_DATABASE_URL": database_url, "QAPRESS_DATA_DIR": str(tmp_path / "data")}
    add_articles(database_url, 1, 8_000)
    small = [
        peak_rss_kib(["export", *flag, "-o", str(tmp_path / "small.jsonl")], env) for flag in ([], ["--all"])
    ]
    add_articles(database_url, 8_001, 80_000)
    large = [
        peak_rss_kib(["export", *flag, "-o", str(tmp_path / "large.jsonl")], env) for flag in ([], ["--all"])
    ]
    assert (tmp_path / "large.jsonl").stat().st_size > 30_000_000  # the dump really is large
    for before, after in zip(small, large, strict=True):
        assert after - before < 12_000, (small, large)  # KiB
