"""``qapress sites``, ``qapress users`` and ``qapress audit`` through the real command, on both databases."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.cli.test_commands import assert_one_line_error, qapress

from qapress.accounts.passwords import verify_password
from qapress.store import open_engine
from qapress.store.schema import account, qa_ai


@pytest.fixture
def store_env(database_url: str) -> dict[str, str]:
    return {"QAPRESS_DATABASE_URL": database_url}


def test_sites_add_list_edit_remove(store_env: dict[str, str], database_url: str) -> None:
    added = qapress(
        "sites", "add", "News.Example.COM", "--name", "The News", "--tagline", "Daily", env=store_env
    )
    assert added.returncode == 0, added.stderr
    assert "news.example.com" in added.stderr
    assert (
        qapress(
            "sites", "add", "münchen.example", "--name", "München", "--lang", "de", env=store_env
        ).returncode
        == 0
    )
    listed = qapress("sites", "list", env=store_env)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [row[1] for row in rows] == ["news.example.com", "xn--mnchen-3ya.example (münchen.example)"]
    assert rows[1][2] == "de"
    edited = qapress(
        "sites",
        "edit",
        "news.example.com",
        "--name",
        "News Daily",
        "--host",
        "daily.example.com",
        env=store_env,
    )
    assert edited.returncode == 0, edited.stderr
    assert "daily.example.com\ten\tNews Daily" in qapress("sites", "list", env=store_env).stdout
    removed = qapress("sites", "remove", "xn--mnchen-3ya.example", env=store_env)
    assert removed.returncode == 0, removed.stderr
    assert "münchen" not in qapress("sites", "list", env=store_env).stdout
    audit = qapress("audit", env=store_env).stdout
    actions = [line.split("\t")[2] for line in audit.splitlines()]
    assert actions == ["site.remove", "site.edit", "site.add", "site.add"]


@pytest.mark.parametrize(
    ("host", "fragment"),
    [
        ("news.example.com:8080", "without a port"),
        ("http://news.example.com/", "not a URL"),
        ("bad\x01host.example", "control characters"),
        ("10.0.0.1", "IP address"),
        ("-bad.example", "not a valid host name"),
    ],
)
def test_a_bad_host_is_one_line(host: str, fragment: str, tmp_path: Path) -> None:
    env = {"QAPRESS_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    assert_one_line_error(qapress("sites", "add", "--name", "X", "--", host, env=env), fragment)


def test_remove_refuses_a_site_with_articles_unless_withdraw_all(
    store_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    qapress("sites", "add", "news.example.com", "--name", "News", env=store_env)
    articles = tmp_path / "a.jsonl"
    articles.write_text(
        "\n".join(json.dumps({"title": f"Story {n}", "text": "Body."}) for n in range(3)) + "\n", "utf-8"
    )
    imported = qapress("import", str(articles), "--site", "news.example.com", env=store_env)
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 articles" in imported.stderr
    assert_one_line_error(qapress("sites", "remove", "news.example.com", env=store_env), "has 3 articles")
    withdrawn = qapress("sites", "remove", "news.example.com", "--withdraw-all", env=store_env)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert "withdrew 3 articles" in withdrawn.stderr
    engine = open_engine(database_url)
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(qa_ai.c.status)).scalars().all()
    engine.dispose()
    assert statuses == ["withdrawn"] * 3
    assert "withdrawn 3" in qapress("sites", "list", env=store_env).stdout


def test_users_add_list_disable_enable_reset(store_env: dict[str, str], database_url: str) -> None:
    qapress("sites", "add", "news.example.com", "--name", "News", env=store_env)
    typed = qapress(
        "users",
        "add",
        "Owner@Example.com",
        "--role",
        "owner",
        env=store_env,
        stdin="a long password 1\na long password 1\n",
    )
    assert typed.returncode == 0, typed.stderr
    generated = qapress(
        "users",
        "add",
        "ed@example.com",
        "--role",
        "editor",
        "--site",
        "news.example.com",
        "--generate-password",
        env=store_env,
    )
    assert generated.returncode == 0, generated.stderr
    password = generated.stdout.strip()
    assert len(password) >= 20
    engine = open_engine(database_url)
    with engine.connect() as connection:
        hashes = dict(connection.execute(sa.select(account.c.email_key, account.c.password_hash)).all())
    engine.dispose()
    assert hashes["ed@example.com"].startswith("$argon2id$")
    assert verify_password(hashes["ed@example.com"], password)
    assert verify_password(hashes["owner@example.com"], "a long password 1")
    assert_one_line_error(
        qapress("users", "add", "OWNER@example.com", "--role", "owner", "--generate-password", env=store_env),
        "exists already",
    )
    mismatch = qapress(
        "users",
        "add",
        "m@example.com",
        "--role",
        "moderator",
        "--site",
        "news.example.com",
        env=store_env,
        stdin="a long password 1\nanother password\n",
    )
    assert_one_line_error(mismatch, "differ")
    assert_one_line_error(
        qapress("users", "add", "m@example.com", "--role", "moderator", "--generate-password", env=store_env),
        "--site",
    )
    assert_one_line_error(
        qapress("users", "add", "m@example.com", "--role", "boss", "--generate-password", env=store_env),
        "role",
    )
    listed = qapress("users", "list", env=store_env).stdout.splitlines()
    assert [line.split("\t")[1:] for line in listed] == [
        ["Owner@Example.com", "owner", "active", "*"],
        ["ed@example.com", "editor", "active", "news.example.com"],
    ]
    assert qapress("users", "disable", "ED@example.com", env=store_env).returncode == 0
    assert "\tdisabled\t" in qapress("users", "list", env=store_env).stdout
    assert qapress("users", "enable", "ed@example.com", env=store_env).returncode == 0
    reset = qapress("users", "reset-password", "ed@example.com", "--generate-password", env=store_env)
    assert reset.returncode == 0 and reset.stdout.strip() != password
    limited = qapress("audit", "--limit", "2", env=store_env).stdout.splitlines()
    assert [line.split("\t")[2] for line in limited] == ["user.reset-password", "user.enable"]


@pytest.mark.parametrize(
    "verb",
    [
        ["sites", "add"],
        ["sites", "list"],
        ["sites", "edit"],
        ["sites", "remove"],
        ["users", "add"],
        ["users", "list"],
        ["users", "disable"],
        ["users", "enable"],
        ["users", "reset-password"],
        ["audit"],
    ],
)
def test_every_new_verb_has_help(verb: list[str]) -> None:
    result = qapress(*verb, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_the_operator_path_needs_no_sql(store_env: dict[str, str], tmp_path: Path) -> None:
    """README: init, sites add, users add, import, serve (two workers), then sign in to the newsroom."""
    import re
    import subprocess
    import sys
    import time

    import httpx
    from tests.cli.test_commands import free_port

    port = free_port()
    env = {
        **store_env,
        "QAPRESS_PUBLIC_BASE_URL": f"http://{{host}}:{port}",
        "QAPRESS_DATA_DIR": str(tmp_path),
    }
    assert qapress("init", env=env).returncode == 0
    assert qapress("sites", "add", "news.localhost", "--name", "The News", env=env).returncode == 0
    owner = qapress("users", "add", "me@example.com", "--role", "owner", "--generate-password", env=env)
    password = owner.stdout.strip()
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"title": "First story", "slug": "first-story", "text": "Hello."}) + "\n", "utf-8"
    )
    assert qapress("import", str(articles), "--site", "news.localhost", env=env).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Host": f"news.localhost:{port}"}, timeout=10
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                client.get("/healthz")
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert "First story" in client.get("/").text
        origin = {"Origin": f"http://news.localhost:{port}"}
        # Several rounds: with two workers, the form of one and the post to the other must agree.
        for _ in range(4):
            form = client.get("/newsroom/sign-in")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token
            signed = client.post(
                "/newsroom/sign-in",
                data={"csrf": token.group(1), "email": "ME@example.com", "password": password},
                headers=origin,
            )
            assert signed.status_code == 303, signed.text
            dashboard = client.get("/newsroom/")
            assert dashboard.status_code == 200 and "The News" in dashboard.text
    finally:
        process.terminate()
        process.wait(timeout=20)
