"""Import and export of articles as JSON Lines."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.articles import (
    ImportLineError,
    export_articles,
    import_articles,
    parse_article_line,
    slugify,
)
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
