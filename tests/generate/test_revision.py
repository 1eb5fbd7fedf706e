"""One bounded revision: a draft that fails the grounding check goes back to the model once, with the
check's reasons, and is checked again the same way (real store, real HTTP to a local fake endpoint)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.generate.draft import SourceDocument
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.openai_backend import OpenAIBackend, OpenAIConfig
from qapress.generate.pipeline import generate_article
from qapress.generate.repository import store_source
from qapress.store.schema import domain, grounding_report

from .servers import FakeChat, Reply, chat_json, serve
from .test_openai_backend import GOOD, INVENTED

#: Only one answer the source supports: the check fails the whole draft.
MOSTLY_INVENTED: dict[str, Any] = {
    **INVENTED,
    "faq": [GOOD["faq"][0], INVENTED["faq"][-1], INVENTED["faq"][-1]],
}


def stored(engine: Engine, seed_source: SourceDocument) -> int:
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 3, "host": "film.localhost", "name": "Film"})
    return store_source(engine, seed_source).id


def openai(url: str) -> OpenAIBackend:
    return OpenAIBackend(OpenAIConfig(base_url=url + "/v1", model="m", max_attempts=1, retry_delay_s=0))


def test_a_failing_draft_is_revised_once_with_the_reasons(
    engine: Engine, seed_source: SourceDocument
) -> None:
    source_id = stored(engine, seed_source)
    chat = FakeChat(script=[Reply(chat_json(MOSTLY_INVENTED)), Reply(chat_json(GOOD))])
    with serve(chat.app()) as url:
        result = generate_article(engine, source_id, 3, openai(url))
    assert result.revised and result.report is not None and result.report.passed, result.report
    assert len(chat.requests) == 2
    second = chat.requests[1]["messages"]
    assert [message["role"] for message in second] == ["system", "user", "assistant", "user"]
    assert "Tom Cruise" in second[2]["content"], "the first draft is the assistant's turn"
    feedback = second[3]["content"]
    assert "fact check" in feedback and "Tom Cruise" in feedback and "only 1 grounded answers" in feedback
    with engine.connect() as connection:
        passed = connection.execute(
            sa.select(grounding_report.c.passed).where(grounding_report.c.article_id == result.article_id)
        ).scalar_one()
    assert passed


def test_a_revision_that_fails_too_is_stored_failing_with_a_clear_reason(
    engine: Engine, seed_source: SourceDocument
) -> None:
    source_id = stored(engine, seed_source)
    chat = FakeChat(script=[Reply(chat_json(MOSTLY_INVENTED))])
    with serve(chat.app()) as url:
        result = generate_article(engine, source_id, 3, openai(url))
    assert len(chat.requests) == 2, "one revision, never a third draft"
    report = result.report
    assert result.revised and report is not None and not report.passed
    assert any("still not grounded after one revision" in problem for problem in report.problems)
    assert report.summary().startswith("not grounded: ")


def test_a_passing_draft_is_not_revised(engine: Engine, seed_source: SourceDocument) -> None:
    source_id = stored(engine, seed_source)
    chat = FakeChat(script=[Reply(chat_json(GOOD))])
    with serve(chat.app()) as url:
        result = generate_article(engine, source_id, 3, openai(url))
    assert not result.revised and len(chat.requests) == 1


def test_the_extractive_backend_goes_through_the_same_check_without_revision(
    engine: Engine, seed_source: SourceDocument
) -> None:
    source_id = stored(engine, seed_source)
    result = generate_article(engine, source_id, 3, ExtractiveBackend())
    assert result.report is not None and not result.revised
    assert result.report.answers, "the check ran on the extractive draft"
