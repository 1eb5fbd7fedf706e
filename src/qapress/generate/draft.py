"""What flows through the pipeline: a source as read, and a draft article as a backend writes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceDocument:
    """A news source, cleaned: the text a backend works from and the grounding check compares against."""

    title: str
    text: str
    publisher: str | None = None
    author: str | None = None
    date: dt.date | None = None
    url: str | None = None
    image_credit: str | None = None
    id: int | None = None

    def grounding_text(self) -> str:
        """Everything an answer may rightly name: the text plus the metadata the page credits."""
        parts = [self.title, self.text, self.publisher or "", self.author or "", self.image_credit or ""]
        parts += [self.date.isoformat() if self.date else "", self.url or ""]
        return "\n".join(part for part in parts if part)

    def credit_line(self) -> str:
        """The line every generated article ends with, whatever the backend: where its facts come from."""
        credit = f"This explainer is based on “{self.title}”"
        if self.author:
            credit += f" by {self.author}"
        if self.publisher:
            credit += f", published by {self.publisher}"
        if self.date:
            credit += f" on {self.date.isoformat()}"
        if self.url:
            credit += f" ({self.url})"
        return (
            credit + ". Details may change as the story develops; the original report has the full context."
        )


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer: str


@dataclass(frozen=True)
class Draft:
    """An article as a backend proposes it, before the grounding check."""

    title: str
    lead: str
    body: tuple[str, ...]
    faq: tuple[FaqItem, ...]
    outro: str = ""

    @property
    def text(self) -> str:
        """The body as stored in ``qa_ai.text``: paragraphs separated by a blank line."""
        return "\n\n".join(self.body)
