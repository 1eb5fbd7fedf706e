"""The ``openai`` backend: any OpenAI-compatible chat endpoint (llama.cpp, vLLM, Ollama, hosted APIs).

It asks for a JSON object, validates it with pydantic, and tries again on malformed output, timeouts and
server errors (telling the model what was wrong). Configured from the environment: ``QAPRESS_OPENAI_BASE_URL``,
``QAPRESS_OPENAI_MODEL``, ``QAPRESS_OPENAI_API_KEY``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.errors import BackendError
from qapress.generate.grounding import MAX_COPY_WORDS
from qapress.settings import Settings

MAX_SOURCE_CHARS = 24_000

SYSTEM_PROMPT = f"""You write short Q&A explainers from one news source, in English.
Answer with one JSON object and nothing else, of this shape:
{{"title": str, "lead": str, "body": [str, ...], "faq": [{{"question": str, "answer": str}}, ...], "outro": str}}
Rules:
- title: a new title, not the source's. lead: one or two sentences. body: 2 to 4 short paragraphs in your
  own words. faq: 3 to 6 questions a reader would ask about what the source covers, each answered.
- Use only facts in the source: every name, number, amount of money and date you write must appear in it.
- Never copy more than {MAX_COPY_WORDS} consecutive words of the source, except inside “curly quotes”
  attributed to the source or to the person quoted (e.g. According to the report, “...”).
- No facts from elsewhere, no speculation beyond what the source says."""


class FaqPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    question: str = Field(min_length=3, max_length=300)
    answer: str = Field(min_length=1, max_length=3000)


class DraftPayload(BaseModel):
    """The JSON object the model must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    title: str = Field(min_length=3, max_length=300)
    lead: str = Field(min_length=1, max_length=2000)
    body: list[str] = Field(min_length=1, max_length=8)
    faq: list[FaqPayload] = Field(min_length=3, max_length=6)
    outro: str = ""

    def to_draft(self) -> Draft:
        return Draft(
            title=self.title,
            lead=self.lead,
            body=tuple(paragraph for paragraph in self.body if paragraph.strip()),
            faq=tuple(FaqItem(item.question, item.answer) for item in self.faq),
            outro=self.outro,
        )


def parse_draft_json(content: str) -> DraftPayload:
    """The draft in a model's reply; a fenced ```json block is accepted. Raises ``ValueError``."""
    fenced = re.search(r"```(?:json)?\s*(\{.*\})\s*```", content, re.DOTALL)
    raw = fenced.group(1) if fenced else content.strip()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    try:
        return DraftPayload.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "object"
        raise ValueError(f"{where}: {first['msg']}") from exc


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    max_attempts: int = 3
    retry_delay_s: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIConfig:
        if not settings.openai_base_url or not settings.openai_model:
            raise BackendError("the openai backend needs QAPRESS_OPENAI_BASE_URL and QAPRESS_OPENAI_MODEL")
        if not re.match(r"^https?://", settings.openai_base_url, re.IGNORECASE):
            raise BackendError(
                f"QAPRESS_OPENAI_BASE_URL must be an http or https URL, not {settings.openai_base_url!r}"
            )
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=key,
            timeout_s=settings.openai_timeout_s,
            max_attempts=max(1, settings.openai_max_attempts),
        )


def source_message(source: SourceDocument) -> str:
    meta = [f"Title: {source.title}"]
    if source.publisher:
        meta.append(f"Publisher: {source.publisher}")
    if source.author:
        meta.append(f"Author: {source.author}")
    if source.date:
        meta.append(f"Date: {source.date.isoformat()}")
    return "\n".join(meta) + "\n\nSource text:\n" + source.text[:MAX_SOURCE_CHARS]


class OpenAIBackend:
    """Drafts from a chat-completions endpoint, with validated JSON output and bounded retries."""

    name = "openai"

    def __init__(self, config: OpenAIConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport

    @property
    def url(self) -> str:
        return self.config.base_url.rstrip("/") + "/chat/completions"

    def draft(self, source: SourceDocument) -> Draft:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": source_message(source)},
        ]
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        problem = "no attempt made"
        with httpx.Client(timeout=self.config.timeout_s, transport=self.transport, headers=headers) as client:
            for attempt in range(1, self.config.max_attempts + 1):
                if attempt > 1 and self.config.retry_delay_s:
                    time.sleep(self.config.retry_delay_s * (attempt - 1))
                try:
                    response = client.post(self.url, json=self._request(messages))
                except httpx.TimeoutException:
                    problem = f"no answer within {self.config.timeout_s:g} s"
                    continue
                except httpx.TransportError as exc:
                    problem = f"cannot reach {self.url}: {exc}"
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    problem = f"{self.url} answered HTTP {response.status_code}"
                    continue
                if response.status_code >= 400:
                    raise BackendError(
                        f"{self.url} answered HTTP {response.status_code}: {response.text[:200]}"
                    )
                try:
                    content = _message_content(response.json())
                    return parse_draft_json(content).to_draft()
                except ValueError as exc:
                    problem = f"malformed output: {exc}"
                    messages = [
                        *messages[:2],
                        {"role": "assistant", "content": _content_or_empty(response)},
                        {
                            "role": "user",
                            "content": f"That was not valid: {exc}. Reply with the JSON object only.",
                        },
                    ]
        raise BackendError(f"the openai backend gave up after {self.config.max_attempts} attempts: {problem}")

    def _request(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "messages": messages,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
        }


def _message_content(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError("no choices[0].message.content in the reply") from exc
    if not isinstance(content, str):
        raise ValueError("message content is not text")
    return content


def _content_or_empty(response: httpx.Response) -> str:
    try:
        return _message_content(response.json())[:4000]
    except ValueError:
        return response.text[:4000]
