"""``qapress publish [--at]``, ``unpublish``, ``withdraw``, ``revisions``, ``restore`` and the worker's
scheduled pass (``worker --once --now``), in process, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from qapress.articles.editing import save_article
from qapress.cli import app
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.pipeline import generate_article
from qapress.generate.repository import store_source
from qapress.generate.sources import parse_plain_text
from qapress.settings import get_settings
from qapress.store import begin_write
from qapress.store.schema import domain, qa_ai

FUTURE = "2999-01-01T08:00:00+01:00"


@pytest.fixture
def cli(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("QAPRESS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QAPRESS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def draft(engine: Engine, shared_dir: Path) -> int:
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 7, "host": "screen.localhost", "name": "Screen"})
    text = (shared_dir / "seeds" / "source-article.txt").read_text(encoding="utf-8")
    source_id = store_source(engine, parse_plain_text(text)).id
    article_id = generate_article(engine, source_id, 7, ExtractiveBackend()).article_id
    assert article_id is not None
    return article_id


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("qapress: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def status(engine: Engine, article_id: int) -> str:
    with engine.connect() as connection:
        return str(connection.execute(sa.select(qa_ai.c.status).where(qa_ai.c.id == article_id)).scalar_one())


def test_schedule_then_the_worker_publishes_when_due(cli: CliRunner, engine: Engine, draft: int) -> None:
    scheduled = run(cli, "publish", str(draft), "--at", FUTURE)
    assert scheduled.exit_code == 0
    assert scheduled.stdout.strip() == f"scheduled article {draft} for 2999-01-01T07:00:00+00:00"
    assert status(engine, draft) == "scheduled"
    early = run(cli, "worker", "--once", "--now", "2999-01-01T06:59:59Z")
    assert early.exit_code == 0 and "published 0 scheduled articles" in early.stderr
    assert status(engine, draft) == "scheduled"
    due = run(cli, "worker", "--once", "--now", "2999-01-01T07:00:00Z")
    assert f"article {draft}\tscheduled -> published" in due.stdout
    assert status(engine, draft) == "published"
    assert "already published" in one_line_error(run(cli, "publish", str(draft)))


def test_unpublish_and_withdraw(cli: CliRunner, engine: Engine, draft: int) -> None:
    assert "already a draft" in one_line_error(run(cli, "unpublish", str(draft)))
    assert run(cli, "publish", str(draft)).stdout.strip() == f"published article {draft}"
    assert run(cli, "withdraw", str(draft)).stdout.strip() == f"withdrew article {draft}"
    assert status(engine, draft) == "withdrawn"
    assert "makes it a draft again first" in one_line_error(run(cli, "publish", str(draft)))
    back = run(cli, "unpublish", str(draft))
    assert back.stdout.strip() == f"article {draft} is a draft again (was withdrawn)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["publish", "1", "--at", "tomorrow"], "--at must be an ISO 8601 time"),
        (["publish", "1", "--at", "2001-01-01T00:00:00Z"], "is not in the future"),
        (["withdraw", "999"], "there is no article 999"),
        (["revisions", "999"], "there is no article 999"),
        (["revert", "1", "9"], "article 1 has no revision 9"),
        (["worker", "--now", "2030-01-01T00:00:00Z"], "--now needs --once"),
    ],
)
def test_errors_are_one_line(cli: CliRunner, draft: int, args: list[str], message: str) -> None:
    assert draft == 1
    assert message in one_line_error(run(cli, *args))


def test_revisions_diff_and_restore(cli: CliRunner, engine: Engine, draft: int) -> None:
    never = run(cli, "revisions", str(draft))
    assert never.exit_code == 0 and "was never edited" in never.stderr
    for version, lead in ((1, "Second lead."), (2, "Third lead.")):
        with begin_write(engine) as connection:
            save_article(connection, draft, {"lead": lead}, version, 5)
    listed = run(cli, "revisions", str(draft))
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(row[0], row[2]) for row in rows] == [("3", "user 5"), ("2", "user 5"), ("1", "-")]
    diff = run(cli, "revisions", str(draft), "--diff", "2", "3").stdout.splitlines()
    assert "-  Second lead." in diff and "+  Third lead." in diff
    restored = run(cli, "revert", str(draft), "2")
    assert restored.stdout.strip() == f"reverted article {draft} to revision 2, saved as revision 4"
    assert run(cli, "revisions", str(draft), "--diff", "2", "4").stdout.strip() == "no changes"
    again = run(cli, "revert", str(draft), "4")
    assert again.stdout.strip() == f"article {draft} already has the text of revision 4"
