"""The openai backend against a fake OpenAI-compatible server on 127.0.0.1 (real HTTP, uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.errors import BackendError
from qapress.generate.grounding import check_draft
from qapress.generate.openai_backend import OpenAIBackend, OpenAIConfig, parse_draft_json

from .servers import FakeChat, Reply, chat_json, serve

GOOD: dict[str, Any] = {
    "title": "Heat 2: where Michael Mann’s sequel stands",
    "lead": "Michael Mann says he may start shooting Heat 2 in 2026.",
    "body": [
        "Mann has worked toward Heat 2 for years, and the budget is now reported at $170 million.",
        "Adam Driver, Austin Butler and Ana de Armas have been linked to the film.",
    ],
    "faq": [
        {
            "question": "Is there a Heat 2 release date?",
            "answer": "Not yet. Mann said he looks forward to possibly shooting it in 2026.",
        },
        {
            "question": "Who could be in the cast?",
            "answer": "Adam Driver, Austin Butler and Ana de Armas have been named, and Leonardo DiCaprio is "
            "rumored to be in discussions.",
        },
        {
            "question": "What is Heat 2 about?",
            "answer": "It continues the story of Neil McCauley and Vincent Hanna from Mann’s novel.",
        },
        {
            "question": "What is the budget?",
            "answer": "It was reported cut from $200 million to $170 million.",
        },
    ],
    "outro": "",
}
INVENTED = {
    **GOOD,
    "faq": [
        *GOOD["faq"],
        {
            "question": "Who is producing it?",
            "answer": "Tom Cruise is producing it for $250 million, with filming in Paris in May 2027.",
        },
    ],
}


@pytest.fixture
def chat() -> FakeChat:
    return FakeChat(script=[Reply(chat_json(GOOD))])


@pytest.fixture
def base_url(chat: FakeChat) -> Iterator[str]:
    with serve(chat.app()) as url:
        yield url + "/v1"


def backend(base_url: str, *, timeout_s: float = 5.0, attempts: int = 3) -> OpenAIBackend:
    config = OpenAIConfig(
        base_url=base_url,
        model="test-model",
        api_key="sk-test",
        timeout_s=timeout_s,
        max_attempts=attempts,
        retry_delay_s=0.0,
    )
    return OpenAIBackend(config)


def test_a_good_answer_becomes_a_grounded_draft(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    draft = backend(base_url).draft(seed_source)
    assert draft.title == GOOD["title"]
    assert [item.question for item in draft.faq] == [item["question"] for item in GOOD["faq"]]
    kept, report = check_draft(draft, seed_source)
    assert report.passed, report.summary()
    assert len(kept.faq) == 4
    request = chat.requests[0]
    assert request["model"] == "test-model"
    assert request["response_format"] == {"type": "json_object"}
    assert "possibly shooting it in 2026" in request["messages"][1]["content"]
    assert chat.headers[0]["authorization"] == "Bearer sk-test"


def test_malformed_json_is_retried_with_the_reason(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    chat.script = [Reply("Sure! Here is your article: {title: Heat 2"), Reply(chat_json(GOOD))]
    draft = backend(base_url).draft(seed_source)
    assert draft.title == GOOD["title"]
    assert len(chat.requests) == 2
    correction = chat.requests[1]["messages"][-1]["content"]
    assert "not valid" in correction and "not JSON" in correction


def test_json_of_the_wrong_shape_is_retried(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    chat.script = [Reply(chat_json({**GOOD, "faq": GOOD["faq"][:1]})), Reply(chat_json(GOOD))]
    backend(base_url).draft(seed_source)
    assert "faq" in chat.requests[1]["messages"][-1]["content"]


def test_malformed_every_time_gives_up_with_one_message(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    chat.script = [Reply("not json at all")]
    with pytest.raises(BackendError, match="gave up after 3 attempts: malformed output"):
        backend(base_url).draft(seed_source)
    assert len(chat.requests) == 3


def test_a_timeout_is_retried(chat: FakeChat, base_url: str, seed_source: SourceDocument) -> None:
    chat.script = [Reply(chat_json(GOOD), delay_s=1.5), Reply(chat_json(GOOD))]
    draft = backend(base_url, timeout_s=0.3).draft(seed_source)
    assert draft.title == GOOD["title"]
    assert len(chat.requests) == 2


def test_timeouts_every_time_give_up(chat: FakeChat, base_url: str, seed_source: SourceDocument) -> None:
    chat.script = [Reply(chat_json(GOOD), delay_s=1.0)]
    with pytest.raises(BackendError, match=r"no answer within 0\.2 s"):
        backend(base_url, timeout_s=0.2, attempts=2).draft(seed_source)


def test_server_errors_are_retried_and_client_errors_are_not(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    chat.script = [Reply(status=503), Reply(chat_json(GOOD))]
    assert backend(base_url).draft(seed_source).title == GOOD["title"]
    chat.requests.clear()
    chat.script = [Reply(status=401)]
    with pytest.raises(BackendError, match="HTTP 401"):
        backend(base_url).draft(seed_source)
    assert len(chat.requests) == 1


def test_an_invented_fact_is_dropped_by_the_grounding_check(
    chat: FakeChat, base_url: str, seed_source: SourceDocument
) -> None:
    chat.script = [Reply(chat_json(INVENTED))]
    draft = backend(base_url).draft(seed_source)
    kept, report = check_draft(draft, seed_source)
    assert [item.question for item in kept.faq] == [item["question"] for item in GOOD["faq"]]
    dropped = [answer for answer in report.answers if not answer.kept]
    assert [answer.question for answer in dropped] == ["Who is producing it?"]
    reasons = " ".join(dropped[0].reasons)
    for invented in ("Tom Cruise", "$250 million", "Paris", "2027", "May"):
        assert invented in reasons
    assert report.passed


def test_a_fenced_json_reply_is_accepted() -> None:
    payload = parse_draft_json("```json\n" + chat_json(GOOD) + "\n```")
    assert payload.title == GOOD["title"]


def test_an_unreachable_endpoint_is_one_message(seed_source: SourceDocument) -> None:
    with pytest.raises(BackendError, match="cannot reach"):
        backend("http://127.0.0.1:9/v1", timeout_s=1.0, attempts=1).draft(seed_source)
