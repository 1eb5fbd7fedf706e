"""The ``qapress`` command as a user runs it: a real process, plain one-line errors, non-zero exits."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

VERBS = [
    "init",
    "import",
    "export",
    "serve",
    "demo",
    "publish",
    "unpublish",
    "withdraw",
    "revisions",
    "revert",
    "backup",
    "restore",
]


def qapress(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qapress", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def store_env(database_url: str) -> dict[str, str]:
    return {"QAPRESS_DATABASE_URL": database_url}


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("qapress: error:")]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb: str) -> None:
    result = qapress(verb, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_bad_database_url_is_one_line() -> None:
    result = qapress("init", env={"QAPRESS_DATABASE_URL": "mysql://x@y/z"})
    assert_one_line_error(result, "unsupported database")


def test_unreachable_database_is_one_line() -> None:
    result = qapress(
        "init", env={"QAPRESS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x?connect_timeout=2"}
    )
    assert_one_line_error(result, "cannot reach the database")


def test_unreadable_import_file_is_one_line(store_env: dict[str, str], tmp_path: Path) -> None:
    result = qapress("import", str(tmp_path / "missing.jsonl"), env=store_env)
    assert_one_line_error(result, "cannot read")


def test_import_export_round_trip(store_env: dict[str, str], tmp_path: Path) -> None:
    qapress("init", env=store_env)
    source = tmp_path / "in.jsonl"
    # Domains come with the demo network; import only articles.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from qapress.cli.context import open_store; from qapress.store.demo import load_demo; load_demo(open_store())",
        ],
        env={**os.environ, **store_env},
        check=True,
    )
    source.write_text(
        "\n".join(json.dumps({"id": 900 + n, "domain": 2, "title": f"Imported {n}"}) for n in range(3))
        + "\n{bad\n",
        encoding="utf-8",
    )
    aborted = qapress("import", str(source), env=store_env)
    assert_one_line_error(aborted, "line 4: not JSON")
    out = tmp_path / "out.jsonl"
    exported = qapress("export", "--output", str(out), env=store_env)
    assert exported.returncode == 0, exported.stderr
    titles = [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert titles[:3] == ["Imported 0", "Imported 1", "Imported 2"]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        "\n".join(
            [
                json.dumps({"id": 900, "domain": 2, "title": "Again"}),
                "{bad",
                json.dumps({"domain": 2, "title": "New"}),
            ]
        ),
        encoding="utf-8",
    )
    skipped = qapress("import", "--on-error", "skip", str(mixed), env=store_env)
    assert skipped.returncode == 0, skipped.stderr
    assert "line 1: article 900 already exists with other content" in skipped.stderr
    assert "line 2: not JSON" in skipped.stderr
    assert "imported 1 articles, skipped 2" in skipped.stderr
    nothing = qapress("import", "--on-error", "skip", str(source), env=store_env)
    assert nothing.returncode == 1, "a file of which nothing could be imported is an error"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_port_in_use_is_one_line(store_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = qapress("serve", "--port", str(port), env=store_env)
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use")


def test_demo_creates_loads_and_serves(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "QAPRESS_DATA_DIR": str(tmp_path / "data")}
    env.pop("QAPRESS_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "demo", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "demo server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert (tmp_path / "data" / "qapress.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)
    again = qapress("export", env={"QAPRESS_DATA_DIR": str(tmp_path / "data")})
    assert again.returncode == 0
    ids = [json.loads(line)["id"] for line in again.stdout.splitlines()]
    assert 6646098 in ids
