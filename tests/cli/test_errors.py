"""Every failure a user can cause, through the real command: one ``qapress: error:`` line, a non-zero exit.

Also the help every verb prints (an example, no Python types), ``--version``, Ctrl+C and the last-resort
handler for errors nobody foresaw.
"""

from __future__ import annotations

import importlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer

from qapress.cli import app, run

if TYPE_CHECKING:
    from tests.conftest import PostgresServer

cli_app = importlib.import_module("qapress.cli.commands")

TYPE_NOISE = ("<bool>", "<str>", "<int>", "<path>", "<float>", " TEXT", " INTEGER", " BOOLEAN", " PATH")


def qapress(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("QAPRESS_DEBUG", None) if "QAPRESS_DEBUG" not in (env or {}) else None
    return subprocess.run(
        [sys.executable, "-m", "qapress", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=full_env,
        timeout=120,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``qapress: error:`` line, last on stderr (after any progress bar), and a non-zero exit."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("qapress: error: ")]
    assert len(errors) == 1, result.stderr
    assert lines[-1] == errors[0], result.stderr
    return errors[0]


@pytest.fixture
def data_env(tmp_path: Path) -> dict[str, str]:
    """A data folder with an initialised SQLite database, and no database URL from outside."""
    env = {"QAPRESS_DATA_DIR": str(tmp_path / "data"), "QAPRESS_DATABASE_URL": ""}
    assert qapress("init", env=env).returncode == 0
    return env


def test_export_from_a_folder_that_cannot_exist() -> None:
    line = one_line_error(
        qapress("export", env={"QAPRESS_DATA_DIR": "/proc/nope", "QAPRESS_DATABASE_URL": ""})
    )
    assert "no database at /proc/nope/qapress.db" in line
    assert "qapress init" in line


def test_export_refuses_a_missing_database_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "typo"
    line = one_line_error(
        qapress("export", env={"QAPRESS_DATA_DIR": str(folder), "QAPRESS_DATABASE_URL": ""})
    )
    assert f"no database at {folder / 'qapress.db'}; run `qapress init`" in line
    assert not folder.exists()


@pytest.mark.parametrize("verb", [["import", "-"], ["review", "1"], ["links", "list"], ["worker", "--once"]])
def test_verbs_that_need_a_database_refuse_a_missing_one(tmp_path: Path, verb: list[str]) -> None:
    result = qapress(
        *verb, env={"QAPRESS_DATA_DIR": str(tmp_path / "none"), "QAPRESS_DATABASE_URL": ""}, stdin=""
    )
    assert "no database at" in one_line_error(result)


def test_init_in_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for folder in ("/proc/nope", str(blocker / "data")):
        line = one_line_error(qapress("init", env={"QAPRESS_DATA_DIR": folder, "QAPRESS_DATABASE_URL": ""}))
        assert f"cannot create the data folder {folder}" in line
        assert "QAPRESS_DATA_DIR" in line


def test_init_where_the_database_cannot_be_written() -> None:
    # /sys/kernel exists, but nobody (root included) may create a file in it.
    line = one_line_error(
        qapress("init", env={"QAPRESS_DATA_DIR": "/sys/kernel", "QAPRESS_DATABASE_URL": ""})
    )
    assert "cannot open the SQLite database /sys/kernel/qapress.db" in line


def test_a_data_dir_that_holds_a_folder_named_like_the_database(tmp_path: Path) -> None:
    (tmp_path / "qapress.db").mkdir()
    line = one_line_error(
        qapress("export", env={"QAPRESS_DATA_DIR": str(tmp_path), "QAPRESS_DATABASE_URL": ""})
    )
    assert "is not a database file" in line


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("nonsense", "invalid database URL 'nonsense'"),
        ("mysql://x@y/z", "unsupported database 'mysql'"),
        ("postgresql://nobody@127.0.0.1:1/x?connect_timeout=2", "cannot reach the database"),
    ],
)
def test_bad_database_urls(url: str, fragment: str) -> None:
    assert fragment in one_line_error(qapress("export", env={"QAPRESS_DATABASE_URL": url}))


def test_a_postgresql_database_that_does_not_exist(postgres_server: PostgresServer) -> None:
    url = postgres_server.admin.url.set(database="qapress_no_such_database").render_as_string(False)
    line = one_line_error(qapress("export", env={"QAPRESS_DATABASE_URL": url}))
    assert "does not exist" in line
    assert "createdb" in line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["serve", "--port", "99999"], "Invalid value for '--port'"),
        (["serve", "--port", "http"], "Invalid value for '--port'"),
        (["serve", "--workers", "0"], "Invalid value for '--workers'"),
        (["export", "--nope"], "No such option: --nope (see `qapress export --help`)"),
        (["exprot"], "No such command 'exprot'"),
        (["links", "approve"], "Missing argument 'link_ids'"),
        (["import", "articles.jsonl", "--on-error", "maybe"], "--on-error must be skip or abort"),
    ],
)
def test_usage_mistakes(data_env: dict[str, str], args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(qapress(*args, env=data_env))


def test_serve_on_an_address_that_is_not_ours(data_env: dict[str, str]) -> None:
    line = one_line_error(qapress("serve", "--host", "192.0.2.1", "--port", "8123", env=data_env))
    assert "cannot listen on 192.0.2.1:8123" in line


def test_a_bad_setting_names_the_variable(data_env: dict[str, str]) -> None:
    line = one_line_error(qapress("export", env={**data_env, "QAPRESS_PAGE_MAX_AGE": "soon"}))
    assert "QAPRESS_PAGE_MAX_AGE='soon'" in line
    assert "valid integer" in line


def test_a_setting_that_must_be_json_names_the_variable(data_env: dict[str, str]) -> None:
    line = one_line_error(qapress("export", env={**data_env, "QAPRESS_API_LIMITS": "{depth_limit: 3"}))
    assert "bad setting QAPRESS_API_LIMITS: it must be JSON" in line


def test_none_turns_off_a_limit_that_has_a_default() -> None:
    from qapress.settings import Settings

    defaults = Settings()
    assert defaults.max_cost_anonymous is not None and defaults.depth_limit_anonymous is not None
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QAPRESS_MAX_COST_ANONYMOUS", "none")
        env.setenv("QAPRESS_DEPTH_LIMIT_ANONYMOUS", "none")
        off = Settings()
    assert off.max_cost_anonymous is None and off.depth_limit_anonymous is None


def test_malformed_json_lines(data_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "title": \n', encoding="utf-8")
    line = one_line_error(qapress("import", str(bad), env=data_env))
    assert "line 1: not JSON" in line
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert f"cannot read {binary}" in one_line_error(qapress("import", str(binary), env=data_env))
    assert "no such file" in one_line_error(qapress("ingest", str(tmp_path / "missing.txt"), env=data_env))


def test_export_to_a_file_that_cannot_be_written(data_env: dict[str, str]) -> None:
    line = one_line_error(qapress("export", "--output", "/proc/nope/out.jsonl", env=data_env))
    assert "cannot write /proc/nope/out.jsonl" in line


@pytest.fixture
def locked(data_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The data folder's database with another connection holding its write lock."""
    connection = sqlite3.connect(Path(data_env["QAPRESS_DATA_DIR"]) / "qapress.db", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("CREATE TABLE holding_the_lock (x INTEGER)")
    yield data_env
    connection.execute("ROLLBACK")
    connection.close()


def test_a_locked_database(locked: dict[str, str], tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "A title\n\n" + "A paragraph of news that happened today in the city. " * 6, encoding="utf-8"
    )
    line = one_line_error(qapress("ingest", str(story), env=locked))
    assert "the database is locked by another process" in line


def test_ctrl_c_is_one_line_and_exit_130(data_env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "worker"],
        env={**os.environ, **data_env, "QAPRESS_LINKS_WORKER_POLL_SECONDS": "60"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the worker's "checking links every 60 s; Ctrl+C stops"
    assert "Ctrl+C" in first
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in rest
    assert [line for line in rest.splitlines() if line.strip()] == ["qapress: error: interrupted"]


def test_the_traceback_only_when_asked(data_env: dict[str, str]) -> None:
    env = {**data_env, "QAPRESS_DATA_DIR": "/proc/nope"}
    assert "Traceback" not in qapress("export", env=env).stderr
    debug = qapress("export", env={**env, "QAPRESS_DEBUG": "1"})
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1].startswith("qapress: error: no database at")


def test_an_unforeseen_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_env: dict[str, str]
) -> None:
    """The last-resort handler, in process: a verb that raises what nobody planned for."""
    for name, value in data_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("QAPRESS_DEBUG", raising=False)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the flux capacitor\nis empty")

    monkeypatch.setattr("qapress.cli.data.export_articles", broken)
    from qapress.settings import get_settings

    get_settings.cache_clear()
    assert run(["export"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("qapress: error: unexpected RuntimeError: the flux capacitor is empty")
    assert "QAPRESS_DEBUG=1" in err
    get_settings.cache_clear()


def test_version() -> None:
    result = qapress("--version")
    assert result.returncode == 0
    from importlib.metadata import version

    assert result.stdout.strip() == f"qapress {version('qapress')}"


def command_paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every verb of the command tree, groups and their subcommands."""
    subcommands = getattr(command, "commands", {})
    for name, sub in subcommands.items():
        yield (*prefix, name)
        yield from command_paths(sub, (*prefix, name))


VERBS = sorted(command_paths(typer.main.get_command(app)))


def test_the_tree_is_walked() -> None:
    assert ("export",) in VERBS
    assert ("links", "reject") in VERBS


@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_every_verb_has_an_example_and_no_type_noise(
    verb: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*verb, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Usage: qapress " + " ".join(verb) in text
    assert "Example" in text, f"`qapress {' '.join(verb)} --help` shows no example: give the verb an epilog"
    example_lines = text.split("Example", 1)[1].splitlines()[1:]
    assert any(line.strip().startswith("qapress ") for line in example_lines)
    for noise in TYPE_NOISE:
        assert noise not in text, f"{noise!r} in `qapress {' '.join(verb)} --help`"


def test_top_level_help_through_the_real_command() -> None:
    result = qapress("--help")
    assert result.returncode == 0
    assert "--version" in result.stdout
    assert "Example" in result.stdout
    for noise in TYPE_NOISE:
        assert noise not in result.stdout


def test_generate_without_arguments_asks_for_a_source(data_env: dict[str, str]) -> None:
    line = one_line_error(qapress("generate", env=data_env))
    assert "give either a SOURCE_ID or --all-new" in line


def test_review_of_an_article_without_a_source(data_env: dict[str, str]) -> None:
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "from qapress.cli.context import open_store; from qapress.store.demo import load_demo; "
            "from qapress.store.schema import qa_ai; store = open_store(); load_demo(store)\n"
            "with store.begin() as c:\n"
            "    print(c.execute(qa_ai.insert().values(domain=1, title='Typed in by hand', status='draft')"
            ".returning(qa_ai.c.id)).scalar_one())",
        ],
        env={**os.environ, **data_env},
        check=True,
        capture_output=True,
        text=True,
    )
    article = made.stdout.strip()
    result = qapress("review", article, env=data_env)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "None" not in first
    assert first == f"article {article} (draft), no source on record"


def test_main_exits_with_runs_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_app, "run", lambda: 3)
    with pytest.raises(SystemExit) as exit_info:
        cli_app.main()
    assert exit_info.value.code == 3
