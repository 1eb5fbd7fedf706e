"""Import and export of articles as JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from qapress.store import open_engine
from qapress.store.articles import (
    ImportLineError,
    export_articles,
    import_articles,
    parse_article_line,
    slugify,
)
from qapress.store.database import alembic_config
from qapress.store.schema import domain, qa_ai


@pytest.fixture
def site(engine: Engine) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                domain.insert().returning(domain.c.id), {"host": "a.example", "name": "A"}
            ).scalar_one()
        )


def article(**fields: object) -> str:
    return json.dumps({"domain": 1, "title": "A title", **fields})


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(qa_ai)).scalar_one())


def test_slugify() -> None:
    assert (
        slugify("Heat 2: Michael Mann’s long-awaited Heat follow-up")
        == "heat-2-michael-manns-long-awaited-heat-follow-up"
    )
    assert slugify("Ça va? Éte!") == "ca-va-ete"
    assert slugify("!!!") == "article"
    assert slugify("alpha beta gamma", max_length=12) == "alpha-beta"  # never "alpha-beta-g"
    assert slugify("alpha beta gamma", max_length=10) == "alpha-beta"  # the boundary right at the limit
    assert slugify("supercalifragilistic", max_length=5) == "super"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 3: not JSON"),
        ("[1, 2]", "line 3: expected a JSON object"),
        ('{"domain": 1}', "line 3: title: Field required"),
        ('{"domain": 1, "title": "T", "status": "gone"}', "line 3: status"),
        ('{"domain": 1, "title": "T", "colour": "red"}', "line 3: colour: Extra inputs"),
    ],
)
def test_bad_lines_name_their_number(line: str, message: str) -> None:
    with pytest.raises(ImportLineError) as info:
        parse_article_line(3, line)
    assert str(info.value).startswith(message)


def test_import_then_export_round_trips(engine: Engine, site: int) -> None:
    lines = [
        article(id=10, title="First", faq=[{"question": "Q?", "answer": "A."}], date="2026-02-25"),
        "",
        article(id=11, title="Second", status="draft"),
    ]
    report = import_articles(engine, lines)
    assert (report.imported, report.skipped) == (2, [])
    exported = [json.loads(line) for line in export_articles(engine, batch_size=1)]
    assert [(a["id"], a["title"], a["status"]) for a in exported] == [
        (10, "First", "published"),
        (11, "Second", "draft"),
    ]
    assert exported[0]["faq"] == [{"question": "Q?", "answer": "A."}]
    assert exported[0]["date"] == "2026-02-25"
    assert exported[0]["slug"] == "first"
    # A new article after explicit ids gets the next id on both databases.
    import_articles(engine, [article(title="Third")])
    assert [json.loads(line)["id"] for line in export_articles(engine)][-1] == 12


def test_abort_keeps_what_came_before(engine: Engine, site: int) -> None:
    lines = [article(id=1), article(id=2), "{broken", article(id=4)]
    with pytest.raises(ImportLineError, match="line 3"):
        import_articles(engine, lines, on_error="abort")
    assert count(engine) == 2


def test_skip_reports_bad_lines_and_imports_the_rest(engine: Engine, site: int) -> None:
    lines = [
        article(id=1),
        "{broken",
        article(id=1, title="Duplicate id"),
        article(id=3, domain=42),
        article(id=5),
    ]
    report = import_articles(engine, lines, on_error="skip")
    assert report.imported == 2
    assert [error.line for error in report.skipped] == [2, 4, 3]
    assert "rejected by the database" in str(report.skipped[2])
    assert "domain 42 does not exist" in str(report.skipped[1])


def test_a_scheduled_article_round_trips_with_its_time(engine: Engine, site: int) -> None:
    with pytest.raises(ImportLineError, match="a scheduled article needs scheduled_at"):
        parse_article_line(1, article(status="scheduled"))
    line = article(id=5, status="scheduled", scheduled_at="2026-12-24T08:00:00+01:00")
    assert import_articles(engine, [line]).imported == 1
    [exported] = [json.loads(line) for line in export_articles(engine)]
    assert exported["status"] == "scheduled" and "version" not in exported
    assert exported["scheduled_at"].startswith("2026-12-24T07:00:00")


def test_a_rerun_without_ids_keeps_every_article_and_says_so(engine: Engine, site: int) -> None:
    lines = [article(title="One"), article(title="Two"), "", article(title="Three")]
    first = import_articles(engine, lines)
    assert (first.imported, first.kept) == (3, [])
    again = import_articles(engine, lines)
    assert again.imported == 0 and [number for number, _ in again.kept] == [1, 2, 4]
    assert again.summary() == "imported 0 articles, kept 3 already imported (lines 1-2, 4), skipped 0"
    assert count(engine) == 3
    with engine.connect() as connection:
        ids = set(connection.execute(sa.select(qa_ai.c.id)).scalars())
    assert {article_id for _, article_id in again.kept} == ids


def test_a_rerun_with_ids_keeps_them_and_refuses_to_overwrite_changed_ones(engine: Engine, site: int) -> None:
    lines = [article(id=7, title="Seven"), article(id=8, title="Eight")]
    import_articles(engine, lines)
    again = import_articles(engine, [*lines, article(id=9, title="Nine")])
    assert (again.imported, [article_id for _, article_id in again.kept]) == (1, [7, 8])
    changed = import_articles(engine, [article(id=7, title="Seven, edited")], on_error="skip")
    assert changed.imported == 0 and "article 7 already exists with other content" in str(changed.skipped[0])
    with engine.connect() as connection:
        assert connection.execute(sa.select(qa_ai.c.title).where(qa_ai.c.id == 7)).scalar_one() == "Seven"


def test_a_line_repeated_within_a_file_is_imported_once(engine: Engine, site: int) -> None:
    report = import_articles(engine, [article(title="Same"), article(title="Other"), article(title="Same")])
    assert report.imported == 2 and [number for number, _ in report.kept] == [3]
    assert count(engine) == 2


def test_an_aborted_import_says_exactly_what_came_before(engine: Engine, site: int) -> None:
    import_articles(engine, [article(title="Old")])
    with pytest.raises(ImportLineError, match="line 3") as stopped:
        import_articles(engine, [article(title="Old"), article(title="New"), "{broken"])
    assert stopped.value.report is not None
    assert stopped.value.report.summary() == (
        "imported 1 articles, kept 1 already imported (lines 1), skipped 0"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the test's own: migrations go down and up without touching the shared store."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return str(request.getfixturevalue("postgres_server").create_database("qapress_keys"))


def test_migration_0008_up_and_down_and_articles_imported_before_it_are_kept(fresh_url: str) -> None:
    engine = open_engine(fresh_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0004")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
            connection.exec_driver_sql(
                "INSERT INTO qa_ai (id, domain, title, slug) VALUES (5, 1, 'Old', 'old')"
            )
        command.upgrade(config, "head")
        assert "import_key" in {c["name"] for c in sa.inspect(engine).get_columns("qa_ai")}
        report = import_articles(engine, [article(id=5, title="Old")])
        assert (report.imported, report.kept) == (0, [(1, 5)])
        command.downgrade(config, "0004")
        assert "import_key" not in {c["name"] for c in sa.inspect(engine).get_columns("qa_ai")}
    finally:
        engine.dispose()
