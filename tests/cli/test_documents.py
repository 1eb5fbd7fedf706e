"""``qapress documents add|list|remove`` as a user runs them, and a running ``qapress serve`` with
``QAPRESS_TRUSTED_DOCUMENTS_ONLY`` picking up what they change (another process, the same database)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
from tests.cli.test_commands import assert_one_line_error, qapress
from tests.served import qapress_serve

QUERY = "query Sites { domain { id } }\n"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()


def allowed(base: str) -> bool:
    answer = httpx.post(f"{base}/v1/graphql", json={"query": QUERY}, timeout=10).json()
    return "data" in answer


def eventually(check: bool, probe: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe() is check:  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"still not {check} after {seconds} s")


def test_documents_add_list_remove_against_a_running_server(database_url: str, tmp_path: Path) -> None:
    env = {"QAPRESS_DATABASE_URL": database_url}
    document = tmp_path / "sites.graphql"
    document.write_text(QUERY, encoding="utf-8")
    with qapress_serve(
        database_url, tmp_path, clean_env=True, QAPRESS_TRUSTED_DOCUMENTS_ONLY="true"
    ) as served:
        base = served.base
        assert not allowed(base)
        added = qapress("documents", "add", str(document), env=env)
        assert added.returncode == 0, added.stderr
        assert added.stdout.split() == [SHA, str(document)]
        eventually(True, lambda: allowed(base))
        by_hash = httpx.post(
            f"{base}/v1/graphql",
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": SHA}}},
            timeout=10,
        ).json()
        assert by_hash == {"data": {"domain": []}}
        listed = qapress("documents", "list", env=env)
        assert f"{SHA}  trusted    sites.graphql  query Sites {{ domain {{ id }} }}" in listed.stdout
        assert "site:home.graphql" in listed.stdout  # the server registered the site's own queries
        removed = qapress("documents", "remove", SHA, env=env)
        assert removed.returncode == 0, removed.stderr
        eventually(False, lambda: allowed(base))


def test_documents_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    env = {"QAPRESS_DATABASE_URL": database_url}
    broken = tmp_path / "broken.graphql"
    broken.write_text("query { domain { id }", encoding="utf-8")
    assert_one_line_error(qapress("documents", "add", str(broken), env=env), "is not a GraphQL document")
    assert_one_line_error(qapress("documents", "add", str(tmp_path / "nope.graphql"), env=env), "cannot read")
    assert_one_line_error(qapress("documents", "remove", "0" * 64, env=env), "no document with hash")
    assert qapress("documents", "--help").returncode == 0
