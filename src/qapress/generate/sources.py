"""Reading sources: plain text, JSON Lines and HTML pages into ``SourceDocument``, and their content hash.

Pure parsing: bytes or text in, documents out. Fetching a URL lives in ``fetch``; storing in ``repository``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import trafilatura
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from selectolax.lexbor import LexborHTMLParser

from qapress.generate.draft import SourceDocument
from qapress.generate.errors import IngestError
from qapress.generate.text import credit_of, is_headline, normalize, paragraphs, split_sentences

MIN_TEXT_WORDS = 30
CREDIT_IN_CAPTION = re.compile(
    r"(?:photo|image|picture|credit|source)s?\s*(?:credit)?\s*:\s*([^.|;\n]{2,60})", re.IGNORECASE
)


def content_hash(text: str) -> str:
    """Same text, same hash, whatever the spacing: the key that keeps a source from being stored twice."""
    squashed = re.sub(r"\s+", " ", normalize(text)).strip().lower()
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()


def _clean_lines(text: str) -> tuple[list[str], str | None]:
    """The text's paragraphs without caption credit lines, and the first credit found."""
    kept: list[str] = []
    credit: str | None = None
    for line in paragraphs(text):
        found = credit_of(line)
        if found:
            credit = credit or found
            continue
        kept.append(line)
    return kept, credit


def _require_prose(text: str, what: str) -> None:
    if len(text.split()) < MIN_TEXT_WORDS:
        raise IngestError(
            f"{what} has {len(text.split())} words of text; a source needs at least {MIN_TEXT_WORDS}"
        )


def parse_plain_text(text: str, *, what: str = "the text") -> SourceDocument:
    """A plain-text article: the first headline-like line is the title (taken out when it opens the text)."""
    lines, credit = _clean_lines(text)
    if not lines:
        raise IngestError(f"{what} is empty")
    title: str | None = None
    if is_headline(lines[0]):
        title = lines.pop(0)
    else:
        title = next((line for line in lines if is_headline(line)), None)
    body = "\n".join(lines)
    _require_prose(body, what)
    if title is None:
        first = split_sentences(lines[0])[0]
        title = " ".join(first.split()[:12]).rstrip(",;:.")
    return SourceDocument(title=title, text=body, image_credit=credit)


class SourceRecord(BaseModel):
    """One line of a JSON Lines feed of sources."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1)
    publisher: str | None = None
    author: str | None = None
    date: dt.date | None = None
    url: str | None = None
    image_credit: str | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://", value, re.IGNORECASE):
            raise ValueError("must be an http or https URL")
        return value or None


def parse_json_lines(text: str, *, what: str = "the file") -> list[SourceDocument]:
    """A JSON Lines feed: one source object per line; the first bad line stops with its number.

    A whole-file JSON array of such objects (or one object) is read too, each item numbered as a line."""
    stripped = text.lstrip()
    items: list[tuple[int, Any]] = []
    if stripped.startswith("[") or (
        stripped.startswith("{") and "\n" in stripped.rstrip() and _is_json(stripped)
    ):
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise IngestError(f"{what}: not JSON ({exc.msg} at line {exc.lineno})") from exc
        items = list(enumerate(whole if isinstance(whole, list) else [whole], start=1))
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise IngestError(f"{what} line {number}: not JSON ({exc.msg})") from exc
    documents: list[SourceDocument] = []
    for number, data in items:
        try:
            record = SourceRecord.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "source"
            raise IngestError(f"{what} line {number}: {where}: {first['msg']}") from exc
        lines, credit = _clean_lines(record.text)
        body = "\n".join(lines)
        _require_prose(body, f"{what} line {number}")
        documents.append(
            SourceDocument(
                title=record.title,
                text=body,
                publisher=record.publisher,
                author=record.author,
                date=record.date,
                url=record.url,
                image_credit=record.image_credit or credit,
            )
        )
    if not documents:
        raise IngestError(f"{what} holds no sources")
    return documents


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def image_credit_in_html(html: str) -> str | None:
    """The credit of the page's lead image: an element classed ``credit``, or a caption's ``Photo: X``."""
    tree = LexborHTMLParser(html)
    for node in tree.css("[class*=credit], [itemprop=copyrightHolder], [itemprop=creditText]"):
        text = re.sub(r"\s+", " ", node.text(strip=True)).strip()
        found = credit_of(text) or text
        if found and len(found.split()) <= 6:
            return found.strip(" ()")
    for node in tree.css("figcaption"):
        match = CREDIT_IN_CAPTION.search(node.text(separator=" "))
        if match:
            return match.group(1).strip()
    return None


def parse_html(html: str, *, url: str | None = None, what: str = "the page") -> SourceDocument:
    """An article page, its main text and metadata extracted with trafilatura."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, include_images=False
    )
    if document is None:
        raise IngestError(f"{what}: no article text found")
    data: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    lines, credit = _clean_lines(str(data.get("text") or ""))
    title = str(data.get("title") or "").strip()
    if lines and title and lines[0].strip() == title:
        lines.pop(0)
    body = "\n".join(lines)
    _require_prose(body, what)
    if not title:
        title = next((line for line in lines if is_headline(line)), None) or " ".join(body.split()[:12])
    return SourceDocument(
        title=title,
        text=body,
        publisher=(data.get("sitename") or data.get("hostname") or None),
        author=data.get("author") or None,
        date=_parse_date(data.get("date")),
        url=url,
        image_credit=image_credit_in_html(html) or credit,
    )
