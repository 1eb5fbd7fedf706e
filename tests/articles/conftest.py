"""Fixtures of the lifecycle tests: a store with one site and generated drafts that pass their check."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.pipeline import generate_article
from qapress.generate.repository import store_source
from qapress.generate.sources import parse_plain_text
from qapress.store.schema import domain, grounding_report, qa_ai

SITE_ID = 3
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

MakeDraft = Callable[[], int]


@pytest.fixture
def make_draft(engine: Engine, shared_dir: Path) -> MakeDraft:
    """Writes one more draft of the seed source (extractive backend): it passes its grounding check."""
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": SITE_ID, "host": "news.localhost", "name": "News"})
    text = (shared_dir / "seeds" / "source-article.txt").read_text(encoding="utf-8")
    source_id = store_source(engine, parse_plain_text(text)).id

    def make() -> int:
        result = generate_article(engine, source_id, SITE_ID, ExtractiveBackend(), day=T0.date())
        assert result.article_id is not None and result.report is not None and result.report.passed
        return result.article_id

    return make


@pytest.fixture
def draft(make_draft: MakeDraft) -> int:
    return make_draft()


def status_of(engine: Engine, article_id: int) -> str:
    with engine.connect() as connection:
        return str(connection.execute(sa.select(qa_ai.c.status).where(qa_ai.c.id == article_id)).scalar_one())


def fail_grounding(engine: Engine, article_id: int) -> None:
    """Make the stored grounding report of an article a failed one (as if its check had failed)."""
    with engine.begin() as connection:
        report = connection.execute(
            sa.select(grounding_report.c.report).where(grounding_report.c.article_id == article_id)
        ).scalar_one()
        report = dict(report if isinstance(report, dict) else json.loads(report))
        report["passed"] = False
        report["problems"] = ["only 1 grounded answers"]
        connection.execute(
            grounding_report.update()
            .where(grounding_report.c.article_id == article_id)
            .values(passed=False, report=report)
        )
