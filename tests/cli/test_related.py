"""``qapress related rebuild [--site] [--queue-only]`` and the worker's pass (``worker --once``), in process,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from qapress.cli import app
from qapress.settings import get_settings
from qapress.store.schema import domain, qa_ai


@pytest.fixture
def cli(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("QAPRESS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QAPRESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QAPRESS_FETCH_ALLOW_NETWORKS", "[]")
    get_settings.cache_clear()
    with engine.begin() as connection:
        connection.execute(
            domain.insert(),
            [
                {"id": 1, "host": "ice.localhost", "name": "Ice"},
                {"id": 2, "host": "b.localhost", "name": "B"},
            ],
        )
        connection.execute(
            qa_ai.insert(),
            [
                {
                    "id": 1,
                    "domain": 1,
                    "title": "Glacier calving filmed",
                    "text": "The glacier front is calving.",
                },
                {
                    "id": 2,
                    "domain": 1,
                    "title": "Calving glacier retreats",
                    "text": "Glacier ice calving again.",
                },
                {"id": 3, "domain": 2, "title": "Glacier tours", "text": "Tours of the glacier."},
                {"id": 4, "domain": 2, "title": "Glacier hikes", "text": "Hikes on the glacier."},
            ],
        )
        connection.exec_driver_sql("DELETE FROM related_queue")  # as if imported with triggers off
    yield CliRunner()
    get_settings.cache_clear()


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def lists(engine: Engine) -> dict[int, list[int]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT article_id, related_id FROM article_related ORDER BY article_id, rank"
        )
        found: dict[int, list[int]] = {}
        for article_id, related_id in rows:
            found.setdefault(int(article_id), []).append(int(related_id))
        return found


def test_rebuild_one_site_then_the_worker_does_the_queued_rest(cli: CliRunner, engine: Engine) -> None:
    done = run(cli, "related", "rebuild", "--site", "ice.localhost")
    assert done.exit_code == 0 and "computed 2 related lists (2 changed)" in done.stderr
    assert lists(engine) == {1: [2], 2: [1]}
    queued = run(cli, "related", "rebuild", "--queue-only")
    assert queued.exit_code == 0 and "4 related lists queued" in queued.stderr
    worker = run(cli, "worker", "--once")
    assert worker.exit_code == 0 and "computed 4 related lists" in worker.stderr
    assert lists(engine) == {1: [2], 2: [1], 3: [4], 4: [3]}
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM related_queue")).scalar() == 0


def test_an_unknown_site_is_one_plain_line(cli: CliRunner) -> None:
    result = run(cli, "related", "rebuild", "--site", "nowhere.localhost")
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("qapress: error:")]
    assert len(errors) == 1 and "nowhere.localhost" in errors[0]
