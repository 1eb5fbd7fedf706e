"""The pipeline over a real store: one draft per source under concurrent runs, failures that do not stop
the others, and the Backend protocol as the only thing the pipeline knows about a writer."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.generate.backend import Backend
from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.errors import BackendError
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.pipeline import generate_all_new, generate_article
from qapress.generate.repository import store_source, unused_source_ids
from qapress.generate.sources import parse_plain_text
from qapress.store.articles import slugify
from qapress.store.schema import domain, qa_ai

SOURCES = Path(__file__).with_name("sources")
KINDS = ("sport", "science", "business", "politics", "technology")


def fill(engine: Engine) -> list[int]:
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 2, "host": "news.localhost", "name": "News"})
    return [
        store_source(engine, parse_plain_text((SOURCES / f"{kind}.txt").read_text(encoding="utf-8"))).id
        for kind in KINDS
    ]


class FailingOn:
    """A backend that fails on one source and writes the others with the extractive backend."""

    name = "failing"

    def __init__(self, title_word: str) -> None:
        self.title_word = title_word

    def draft(self, source: SourceDocument) -> Draft:
        if self.title_word in source.title:
            raise BackendError(f"cannot write about {source.title!r}")
        return ExtractiveBackend().draft(source)


def test_storing_the_same_source_twice_keeps_one(engine: Engine) -> None:
    ids = fill(engine)
    again = store_source(engine, parse_plain_text((SOURCES / "sport.txt").read_text(encoding="utf-8")))
    assert again.id == ids[0] and not again.created


def test_concurrent_all_new_runs_make_one_draft_per_source(engine: Engine) -> None:
    ids = fill(engine)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            generate_all_new(engine, ids, 2, ExtractiveBackend(), day=dt.date(2026, 3, 1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                sa.select(qa_ai.c.source_id, sa.func.count()).group_by(qa_ai.c.source_id)
            ).all()
        )
    assert counts == {source_id: 1 for source_id in ids}
    assert unused_source_ids(engine) == []


def test_a_failing_source_is_reported_and_the_others_go_on(engine: Engine) -> None:
    ids = fill(engine)
    backend: Backend = FailingOn("Clean Air Act")
    results = generate_all_new(engine, ids, 2, backend)
    failed = [result for result in results if result.error]
    assert len(failed) == 1 and "cannot write about" in (failed[0].error or "")
    assert sum(1 for result in results if result.article_id) == 4
    assert unused_source_ids(engine) == [failed[0].source_id]


def test_a_draft_records_its_date_credit_and_source(engine: Engine) -> None:
    ids = fill(engine)
    result = generate_article(engine, ids[1], 2, ExtractiveBackend(), day=dt.date(2026, 3, 12))
    assert result.report is not None and result.report.passed
    with engine.connect() as connection:
        row = connection.execute(sa.select(qa_ai).where(qa_ai.c.id == result.article_id)).mappings().one()
    assert row["date"] == dt.date(2026, 3, 12)
    assert row["source_id"] == ids[1]
    assert row["slug"] == slugify(row["title"]) and "coral-reefs" in row["slug"]  # named by its title
    assert "This explainer is based on “Coral reefs recovering faster than expected" in row["outro"]
