"""Reading a language model's reply into a draft: pure, whatever the server or the model.

Local servers and small models wrap their JSON in many ways: a ```json fence, a sentence before and after,
a ``<think>`` reasoning block (DeepSeek-R1, Qwen3) that may itself contain braces. ``first_json_object``
finds the first JSON object outside the reasoning; ``parse_draft_json`` validates it as a draft, keeping the
first ``MAX_ANSWERS`` questions when a model writes more than asked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qapress.generate.draft import Draft, FaqItem
from qapress.generate.grounding import MAX_ANSWERS, MIN_ANSWERS

MAX_BODY_PARAGRAPHS = 8
#: Closed reasoning blocks, and an unclosed one that opens the reply (a model cut off while thinking).
THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)


class FaqPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    question: str = Field(min_length=3, max_length=300)
    answer: str = Field(min_length=1, max_length=3000)


class DraftPayload(BaseModel):
    """The JSON object the model must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    title: str = Field(min_length=3, max_length=300)
    lead: str = Field(min_length=1, max_length=2000)
    body: list[str] = Field(min_length=1, max_length=MAX_BODY_PARAGRAPHS)
    faq: list[FaqPayload] = Field(min_length=MIN_ANSWERS, max_length=MAX_ANSWERS)
    outro: str = ""

    @field_validator("faq", mode="before")
    @classmethod
    def _keep_the_first_questions(cls, value: Any) -> Any:
        # Models asked for "3 to 6" often write 8: the first ones are the ones the prompt ranked first.
        return value[:MAX_ANSWERS] if isinstance(value, list) else value

    @field_validator("body", mode="before")
    @classmethod
    def _keep_the_first_paragraphs(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in re.split(r"\n\s*\n", value) if part.strip()]
        return value[:MAX_BODY_PARAGRAPHS] if isinstance(value, list) else value

    def to_draft(self) -> Draft:
        return Draft(
            title=self.title,
            lead=self.lead,
            body=tuple(paragraph for paragraph in self.body if paragraph.strip()),
            faq=tuple(FaqItem(item.question, item.answer) for item in self.faq),
            outro=self.outro,
        )


def json_schema() -> dict[str, Any]:
    """The JSON Schema sent as ``response_format: json_schema`` (strict: every key required, no others)."""
    text = {"type": "string"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "lead", "body", "faq", "outro"],
        "properties": {
            "title": text,
            "lead": text,
            "body": {"type": "array", "items": text, "minItems": 1, "maxItems": 4},
            "faq": {
                "type": "array",
                "minItems": MIN_ANSWERS,
                "maxItems": MAX_ANSWERS,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["question", "answer"],
                    "properties": {"question": text, "answer": text},
                },
            },
            "outro": text,
        },
    }


def without_reasoning(content: str) -> str:
    """The reply without its reasoning blocks (and without everything up to a stray closing tag)."""
    content = THINK_BLOCK.sub(" ", content)
    closing = list(THINK_CLOSE.finditer(content))
    if closing:
        content = content[closing[-1].end() :]
    return content


def first_json_object(content: str) -> Any:
    """The first JSON object in ``content`` outside reasoning blocks; ``ValueError`` when there is none."""
    text = without_reasoning(content)
    decoder = json.JSONDecoder()
    first_error: json.JSONDecodeError | None = None
    for match in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError as exc:
            first_error = first_error or exc
            continue
        if isinstance(value, dict):
            return value
    if first_error is not None:
        raise ValueError(
            f"not JSON ({first_error.msg} at line {first_error.lineno} column {first_error.colno})"
        )
    raise ValueError("not JSON (no object in the reply)")


def parse_draft_json(content: str) -> DraftPayload:
    """The draft in a model's reply (fenced, in prose or after reasoning). Raises ``ValueError``."""
    data = first_json_object(content)
    try:
        return DraftPayload.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "object"
        raise ValueError(f"{where}: {first['msg']}") from exc
