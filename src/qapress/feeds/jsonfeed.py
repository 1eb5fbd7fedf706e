"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), validated: feedparser does not read it.

Pure: the decoded document in, its title and items out, or a ``FeedParseError`` naming the first field that
breaks the specification.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qapress.feeds.errors import FeedParseError

VERSION_PREFIX = "https://jsonfeed.org/version/1"


class JsonFeedAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None


class JsonFeedItem(BaseModel):
    """One item: ``id`` is required and unique in the feed; it has ``content_html`` or ``content_text``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    id: str = Field(min_length=1)
    url: str | None = None
    external_url: str | None = None
    title: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    summary: str | None = None
    date_published: dt.datetime | None = None
    date_modified: dt.datetime | None = None
    authors: list[JsonFeedAuthor] = []
    author: JsonFeedAuthor | None = None  # 1.0

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # 1.1: "id (required, string)"; 1.0 feeds in the wild use numbers, which the spec says to coerce.
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _has_content(self) -> JsonFeedItem:
        if self.content_html is None and self.content_text is None:
            raise ValueError("an item needs content_html or content_text")
        return self


class JsonFeed(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    version: str
    title: str = Field(min_length=1)
    home_page_url: str | None = None
    feed_url: str | None = None
    items: list[JsonFeedItem]

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if not value.startswith(VERSION_PREFIX):
            raise ValueError(f"must be a JSON Feed version URL ({VERSION_PREFIX}.1), not {value!r}")
        return value


def read_json_feed(data: Any, *, what: str) -> JsonFeed:
    """The validated feed, or a ``FeedParseError`` naming the field at fault."""
    try:
        feed = JsonFeed.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise FeedParseError(f"{what}: not a valid JSON Feed: {where}: {first['msg']}") from exc
    seen: set[str] = set()
    for number, item in enumerate(feed.items):
        if item.id in seen:
            raise FeedParseError(f"{what}: not a valid JSON Feed: items.{number}.id {item.id!r} is repeated")
        seen.add(item.id)
    return feed
