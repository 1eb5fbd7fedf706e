"""An article's editable fields as one value, and the pure checks of an edit to them.

The same value is written to ``qa_ai`` by a save and kept as JSON in ``article_revision``, so a revision
can be shown, compared and restored without knowing how the columns are stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qapress.articles.errors import InvalidFields
from qapress.generate.draft import Draft, FaqItem
from qapress.store.articles import slugify

#: The columns of ``qa_ai`` an editor changes; the rest (domain, status, source) have their own actions.
EDITABLE_FIELDS = ("title", "slug", "lead", "text", "faq", "outro", "date", "image_url", "image_credit")
MAX_TITLE_LENGTH = 500
MAX_SLUG_LENGTH = 200


@dataclass(frozen=True)
class ArticleFields:
    """What an editor can change. ``text`` is the body: paragraphs separated by a blank line."""

    title: str
    slug: str = ""
    lead: str = ""
    text: str = ""
    faq: tuple[FaqItem, ...] = ()
    outro: str = ""
    date: dt.date | None = None
    image_url: str | None = None
    image_credit: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ArticleFields:
        """From a ``qa_ai`` row (or a revision's JSON): FAQ as a list or JSON text, date as a date or ISO."""
        return cls(
            title=str(row["title"]),
            slug=str(row.get("slug") or ""),
            lead=str(row.get("lead") or ""),
            text=str(row.get("text") or ""),
            faq=parse_faq(row.get("faq")),
            outro=str(row.get("outro") or ""),
            date=parse_date(row.get("date")),
            image_url=row.get("image_url") or None,
            image_credit=row.get("image_credit") or None,
        )

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values (the form ``article_revision.fields`` keeps)."""
        values = self.column_values()
        values["date"] = self.date.isoformat() if self.date else None
        return values

    def column_values(self) -> dict[str, Any]:
        """The values to write to ``qa_ai``."""
        values = {name: getattr(self, name) for name in EDITABLE_FIELDS}
        values["faq"] = [{"question": item.question, "answer": item.answer} for item in self.faq]
        return values

    def draft(self) -> Draft:
        """The fields as the grounding check reads a draft."""
        body = tuple(paragraph for paragraph in self.text.split("\n\n") if paragraph)
        return Draft(title=self.title, lead=self.lead, body=body, faq=self.faq, outro=self.outro)

    def changed_fields(self, other: ArticleFields) -> tuple[str, ...]:
        """The names of the fields whose values differ from ``other``'s, in ``EDITABLE_FIELDS`` order."""
        return tuple(name for name in EDITABLE_FIELDS if getattr(self, name) != getattr(other, name))


def apply_changes(current: ArticleFields, changes: Mapping[str, Any]) -> ArticleFields:
    """``current`` with ``changes`` applied (only the keys given), checked; raises ``InvalidFields``."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidFields(unknown[0], f"not an editable field (use {', '.join(EDITABLE_FIELDS)})")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        values[name] = _checked(name, value)
    updated = dataclasses.replace(current, **values)
    if not updated.slug.strip():
        updated = dataclasses.replace(updated, slug=slugify(updated.title))
    return updated


def _checked(name: str, value: Any) -> Any:
    if name == "faq":
        try:
            return parse_faq(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise InvalidFields("faq", "expected a list of {question, answer} items") from exc
    if name == "date":
        try:
            return parse_date(value)
        except (TypeError, ValueError) as exc:
            raise InvalidFields("date", "expected a date as YYYY-MM-DD") from exc
    if value is not None and not isinstance(value, str):
        raise InvalidFields(name, "expected text")
    if name == "title":
        if not value or not value.strip():
            raise InvalidFields("title", "the title is blank")
        if len(value) > MAX_TITLE_LENGTH:
            raise InvalidFields("title", f"the title is longer than {MAX_TITLE_LENGTH} characters")
        return value.strip()
    if name == "slug":
        slug = slugify(value, MAX_SLUG_LENGTH) if value and value.strip() else ""
        return slug
    if name == "image_url":
        if not value or not value.strip():
            return None
        if not value.strip().lower().startswith(("https://", "http://")):
            raise InvalidFields("image_url", "an image address starts with https:// or http://")
        return value.strip()
    if name == "image_credit":
        return value.strip() if value and value.strip() else None
    return value or ""


def parse_faq(value: Any) -> tuple[FaqItem, ...]:
    """FAQ items from JSON text, a list of mappings or ``FaqItem``s; an item without a question is invalid."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list | tuple):
        raise ValueError("the FAQ is not a list")
    items: list[FaqItem] = []
    for item in value:
        if isinstance(item, FaqItem):
            question, answer = item.question, item.answer
        elif isinstance(item, Mapping):
            question, answer = item["question"], item.get("answer", "")
        else:
            raise ValueError("a FAQ item is not an object")
        if not isinstance(question, str) or not question.strip() or not isinstance(answer, str):
            raise ValueError("a FAQ item needs a question")
        items.append(FaqItem(question.strip(), answer.strip()))
    return tuple(items)


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError("not a date")
