"""The ``openai`` backend: any OpenAI-compatible chat endpoint (llama.cpp's server, vLLM, Ollama, LM Studio,
hosted APIs).

What differs between those servers is handled here, once:

- **Structured output.** It asks for ``response_format: json_schema`` first; a server that refuses it (HTTP
  400/422, or an error naming ``response_format``) is asked again with ``json_object``, then with none (the
  prompt alone asks for JSON). The format that worked is kept for the backend's next drafts; so is
  ``max_completion_tokens`` for servers that refuse ``max_tokens``.
- **Replies.** The first JSON object is taken out of code fences, prose and ``<think>`` blocks, and extra
  questions are trimmed (``llm_reply``); malformed output is retried, telling the model what was wrong.
- **Size.** The request is estimated against ``QAPRESS_OPENAI_CONTEXT_TOKENS`` before it is sent, and a
  server's own context-length error is reported as such: a clear error, never a silently cut source.
- **Time.** Without streaming, ``QAPRESS_OPENAI_TIMEOUT_S`` bounds the wait for the whole answer. With
  ``QAPRESS_OPENAI_STREAM`` (server-sent events), it bounds the wait for each chunk, and
  ``QAPRESS_OPENAI_TOTAL_TIMEOUT_S`` the whole answer, so a slow local model may write for minutes.
- **Revision.** ``revise`` sends the check's reasons back for one more draft; the pipeline calls it once when
  the grounding check fails (``pipeline.generate_article``).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.errors import BackendError
from qapress.generate.grounding import GroundingReport
from qapress.generate.llm_prompt import (
    PromptTooLong,
    check_fits,
    draft_as_json,
    new_nonce,
    revision_request,
    source_messages,
)
from qapress.generate.llm_reply import json_schema, parse_draft_json
from qapress.settings import Settings

ResponseFormat = Literal["json_schema", "json_object", "plain"]
#: Each format, then the one to fall back to when a server refuses it.
FALLBACK: dict[ResponseFormat, ResponseFormat | None] = {
    "json_schema": "json_object",
    "json_object": "plain",
    "plain": None,
}
CONTEXT_ERROR = re.compile(
    r"context[ _-]?(?:length|size|window)|maximum context|exceeds? (?:the )?(?:available )?context|"
    r"too many tokens|prompt is too long",
    re.IGNORECASE,
)
FORMAT_ERROR = re.compile(r"response_format|json_schema|json_object|structured output", re.IGNORECASE)
#: Newer hosted reasoning models take ``max_completion_tokens`` and refuse ``max_tokens``.
TOKEN_LIMIT_ERROR = re.compile(
    r"max_tokens.*(?:not supported|unsupported|max_completion_tokens)", re.IGNORECASE
)

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    max_attempts: int = 3
    retry_delay_s: float = 1.0
    response_format: ResponseFormat = "json_schema"
    context_tokens: int = 8_192
    max_output_tokens: int = 2_048
    stream: bool = False
    total_timeout_s: float = 600.0

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
            response_format=settings.openai_response_format,
            context_tokens=settings.openai_context_tokens,
            max_output_tokens=settings.openai_max_output_tokens,
            stream=settings.openai_stream,
            total_timeout_s=settings.openai_total_timeout_s,
        )


class _Retry(Exception):
    """This attempt failed in a way worth another try; the message says how."""


class _FormatRefused(Exception):
    """The server refused the shape of the request (its response format, its token-limit parameter)."""


class OpenAIBackend:
    """Drafts from a chat-completions endpoint, with validated JSON output and bounded retries."""

    name = "openai"

    def __init__(self, config: OpenAIConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport
        #: The structured-output format this server accepts, learnt from its refusals.
        self.response_format: ResponseFormat = config.response_format
        #: The name this server gives the answer's token limit, learnt the same way.
        self.answer_limit_name = "max_tokens"

    @property
    def url(self) -> str:
        return self.config.base_url.rstrip("/") + "/chat/completions"

    def draft(self, source: SourceDocument) -> Draft:
        return self._complete(source_messages(source, new_nonce()))

    def revise(self, source: SourceDocument, draft: Draft, report: GroundingReport) -> Draft:
        """The draft written again with the grounding check's reasons in hand."""
        messages = [
            *source_messages(source, new_nonce()),
            {"role": "assistant", "content": draft_as_json(draft)},
            {"role": "user", "content": revision_request(report)},
        ]
        return self._complete(messages)

    def _complete(self, messages: Messages) -> Draft:
        try:
            check_fits(messages, self.config.context_tokens, self.config.max_output_tokens)
        except PromptTooLong as exc:
            raise BackendError(str(exc)) from exc
        base = len(messages)
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        timeout = httpx.Timeout(self.config.timeout_s, connect=min(10.0, self.config.timeout_s))
        problem = "no attempt made"
        attempt = 0
        with httpx.Client(timeout=timeout, transport=self.transport, headers=headers) as client:
            while attempt < self.config.max_attempts:
                attempt += 1
                if attempt > 1 and self.config.retry_delay_s:
                    time.sleep(self.config.retry_delay_s * (attempt - 1))
                try:
                    content = self._ask(client, messages)
                except _FormatRefused:
                    attempt -= 1  # the server's refusal is not the model's failure
                    continue
                except _Retry as exc:
                    problem = str(exc)
                    continue
                try:
                    return parse_draft_json(content).to_draft()
                except ValueError as exc:
                    problem = f"malformed output: {exc}"
                    messages = [
                        *messages[:base],
                        {"role": "assistant", "content": content[:4000]},
                        {
                            "role": "user",
                            "content": f"That was not valid: {exc}. Reply with the JSON object only.",
                        },
                    ]
        raise BackendError(f"the openai backend gave up after {self.config.max_attempts} attempts: {problem}")

    def _ask(self, client: httpx.Client, messages: Messages) -> str:
        """The model's reply text, or ``_Retry``/``_FormatRefused``/``BackendError``."""
        request = self._request(messages)
        try:
            if self.config.stream:
                return self._ask_streaming(client, request)
            response = client.post(self.url, json=request)
            self._check_status(response.status_code, response.text)
            return _message_content(_json_body(response.text))
        except httpx.TimeoutException as exc:
            wait = "between chunks" if self.config.stream else "for the answer"
            raise _Retry(
                f"no answer within {self.config.timeout_s:g} s {wait} (QAPRESS_OPENAI_TIMEOUT_S)"
            ) from exc
        except httpx.TransportError as exc:
            raise _Retry(f"cannot reach {self.url}: {exc}") from exc
        except _BadReply as exc:
            raise _Retry(f"malformed output: {exc}") from exc

    def _ask_streaming(self, client: httpx.Client, request: dict[str, Any]) -> str:
        deadline = time.monotonic() + self.config.total_timeout_s
        with client.stream("POST", self.url, json={**request, "stream": True}) as response:
            if response.status_code != 200:
                response.read()
                self._check_status(response.status_code, response.text)
            if "text/event-stream" not in response.headers.get("content-type", ""):
                response.read()  # a server that ignores "stream" and answers in one piece
                return _message_content(_json_body(response.text))
            parts: list[str] = []
            for line in response.iter_lines():
                if time.monotonic() > deadline:
                    raise _Retry(
                        f"the answer took longer than {self.config.total_timeout_s:g} s "
                        "(QAPRESS_OPENAI_TOTAL_TIMEOUT_S)"
                    )
                if not line.startswith("data:"):
                    continue  # comments, event names, keep-alives
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                parts.append(_delta_content(_json_body(data)))
            return "".join(parts)

    def _check_status(self, status: int, body: str) -> None:
        if status == 200:
            error = _error_in_body(body)
            if error and FORMAT_ERROR.search(error):
                self._fall_back(error)
            return
        if CONTEXT_ERROR.search(body):
            raise BackendError(
                f"{self.url} answered HTTP {status}: the request does not fit the model's context "
                f"({body[:200]}); set QAPRESS_OPENAI_CONTEXT_TOKENS to the server's context so that "
                "qapress says so before sending, or raise the server's"
            )
        if status in (400, 422) and self.answer_limit_name == "max_tokens" and TOKEN_LIMIT_ERROR.search(body):
            self.answer_limit_name = "max_completion_tokens"
            raise _FormatRefused(body)
        refused = status in (400, 422) or (status >= 400 and FORMAT_ERROR.search(body) is not None)
        if refused and FALLBACK[self.response_format] is not None:
            self._fall_back(body)
        if status == 429 or status >= 500:
            raise _Retry(f"{self.url} answered HTTP {status}")
        if status >= 400:
            raise BackendError(f"{self.url} answered HTTP {status}: {body[:200]}")

    def _fall_back(self, why: str) -> None:
        fallback = FALLBACK[self.response_format]
        if fallback is None:
            raise BackendError(f"{self.url} refused the request: {why[:200]}")
        self.response_format = fallback
        raise _FormatRefused(why)

    def _request(self, messages: Messages) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": 0.2,
            self.answer_limit_name: self.config.max_output_tokens,
        }
        if self.response_format == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "qa_draft", "strict": True, "schema": json_schema()},
            }
        elif self.response_format == "json_object":
            request["response_format"] = {"type": "json_object"}
        return request


class _BadReply(ValueError):
    """The server's answer is not a chat completion."""


def _json_body(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadReply(f"the server's answer is not JSON ({exc.msg})") from exc


def _error_in_body(text: str) -> str | None:
    """The message of an ``{"error": ...}`` body that some proxies send with HTTP 200."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(payload, dict) and payload.get("error") and not payload.get("choices"):
        return json.dumps(payload["error"])
    return None


def _message_content(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise _BadReply("no choices[0].message.content in the reply") from exc
    if not isinstance(content, str):
        raise _BadReply("message content is not text")
    return content


def _delta_content(payload: Any) -> str:
    try:
        choice = payload["choices"][0]
    except (KeyError, IndexError, TypeError):
        return ""  # e.g. a final chunk carrying only usage
    delta = choice.get("delta") or choice.get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""
