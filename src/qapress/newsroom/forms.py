"""What the newsroom's forms send, checked: each problem names its field, and what was typed is kept.

Pure functions from posted fields to values or ``FieldError`` lists; the pages show both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class FieldError:
    """A problem with one field; ``field`` is the input's id, so the error summary can link to it."""

    field: str
    message: str


@dataclass(frozen=True)
class FaqRow:
    question: str
    answer: str
    position: str = ""
    remove: bool = False


@dataclass
class ArticleForm:
    """An article's editable fields as typed."""

    title: str = ""
    lead: str = ""
    text: str = ""
    outro: str = ""
    date: str = ""
    image_url: str = ""
    image_credit: str = ""
    faq: list[FaqRow] = field(default_factory=list)

    @classmethod
    def from_article(cls, article: Mapping[str, object]) -> ArticleForm:
        faq = article.get("faq") or []
        rows = [
            FaqRow(str(item.get("question", "")), str(item.get("answer", "")), str(n + 1))
            for n, item in enumerate(faq if isinstance(faq, list) else [])
            if isinstance(item, dict)
        ]
        return cls(
            title=str(article.get("title") or ""),
            lead=str(article.get("lead") or ""),
            text=str(article.get("text") or ""),
            outro=str(article.get("outro") or ""),
            date=str(article.get("date") or ""),
            image_url=str(article.get("image_url") or ""),
            image_credit=str(article.get("image_credit") or ""),
            faq=rows,
        )

    @classmethod
    def from_post(cls, fields: Mapping[str, str]) -> ArticleForm:
        rows = []
        count = min(
            int(fields.get("faq-count", "0") or 0) if fields.get("faq-count", "").isdigit() else 0, 50
        )
        for n in range(count + 1):  # the last row is the empty "add a question" row
            question = fields.get(f"faq-{n}-question", "")
            answer = fields.get(f"faq-{n}-answer", "")
            position = fields.get(f"faq-{n}-position", "")
            remove = fields.get(f"faq-{n}-remove") == "on"
            if n == count and not question.strip() and not answer.strip():
                continue
            rows.append(FaqRow(question, answer, position, remove))
        return cls(
            title=fields.get("title", ""),
            lead=fields.get("lead", ""),
            text=fields.get("text", ""),
            outro=fields.get("outro", ""),
            date=fields.get("date", ""),
            image_url=fields.get("image_url", ""),
            image_credit=fields.get("image_credit", ""),
            faq=rows,
        )

    def problems(self) -> list[FieldError]:
        errors = []
        if not self.title.strip():
            errors.append(FieldError("title", "Enter a title"))
        elif len(self.title) > 500:
            errors.append(FieldError("title", "The title has at most 500 characters"))
        if self.date.strip():
            try:
                dt.date.fromisoformat(self.date.strip())
            except ValueError:
                errors.append(FieldError("date", "Enter the date as YYYY-MM-DD, for example 2026-02-25"))
        if self.image_url.strip():
            parts = urlsplit(self.image_url.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors.append(FieldError("image_url", "Enter the image's address starting with https://"))
        for n, row in enumerate(self.faq):
            if row.remove:
                continue
            if not row.question.strip():
                errors.append(FieldError(f"faq-{n}-question", f"Question {n + 1}: enter the question"))
            if not row.answer.strip():
                errors.append(FieldError(f"faq-{n}-answer", f"Question {n + 1}: enter the answer"))
            if row.position.strip() and not row.position.strip().isdigit():
                errors.append(FieldError(f"faq-{n}-position", f"Question {n + 1}: the position is a number"))
        return errors

    def kept_faq(self) -> list[dict[str, str]]:
        """The questions to store: removed ones left out, the rest in the order of their positions."""
        kept = [(n, row) for n, row in enumerate(self.faq) if not row.remove]

        def order(item: tuple[int, FaqRow]) -> tuple[int, int]:
            n, row = item
            return (int(row.position) if row.position.strip().isdigit() else n + 1, n)

        return [
            {"question": row.question.strip(), "answer": row.answer.strip()}
            for _, row in sorted(kept, key=order)
        ]

    def values(self) -> dict[str, object]:
        """The ``_set`` of the update mutation."""
        return {
            "title": self.title.strip(),
            "lead": self.lead.strip(),
            "text": self.text.strip().replace("\r\n", "\n"),
            "outro": self.outro.strip(),
            "date": self.date.strip() or None,
            "image_url": self.image_url.strip() or None,
            "image_credit": self.image_credit.strip() or None,
            "faq": self.kept_faq(),
        }
