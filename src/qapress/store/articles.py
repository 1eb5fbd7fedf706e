"""Articles in and out as JSON Lines: the format of `qapress import` and `qapress export`.

Each line is one article object with the columns of ``qa_ai``. Parsing is pure (``parse_article_line``);
writing goes in batches, one transaction each, so a bad line never loses what came before it. Each batch is
a bulk transaction (``store.bulk_import``): the per-row insert triggers are off in it, and the batch is
indexed for search, tagged for the caches and queued for its related lists at once before it commits.

Imports are idempotent by a natural key: the article's id when the line has one, else the hash of its
fields (``import_key``, stored with the article). A rerun keeps what is already there and says so
(``ImportReport.kept``); an id that exists with other content is refused, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import Engine

from qapress.store.backend import advance_sequences
from qapress.store.bulk_import import ImportedArticle, bulk_transaction, index_batch
from qapress.store.schema import domain, qa_ai

BATCH_SIZE = 1_000


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1)
    answer: str = ""


class ArticleRecord(BaseModel):
    """One article as it is imported and exported."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, ge=1)
    domain: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=500)
    slug: str = ""
    text: str = ""
    lead: str = ""
    faq: list[FaqEntry] | None = None
    outro: str = ""
    date: dt.date | None = None
    image_url: str | None = None
    image_credit: str | None = None
    src_id: int | None = None
    source_id: int | None = None
    status: Literal["draft", "scheduled", "published", "withdrawn"] = "published"
    scheduled_at: dt.datetime | None = None

    @field_validator("title")
    @classmethod
    def _title_is_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is blank")
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _scheduled_in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        # SQLite keeps a timestamp's wall clock without its offset: store UTC, and take a naive time as UTC.
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    @model_validator(mode="after")
    def _scheduled_has_a_time(self) -> ArticleRecord:
        if self.status == "scheduled" and self.scheduled_at is None:
            raise ValueError("a scheduled article needs scheduled_at")
        return self

    def row(self) -> dict[str, Any]:
        values = self.model_dump(exclude_none=False)
        if values["id"] is None:
            del values["id"]
        values["slug"] = self.slug or slugify(self.title)
        return values


class ImportLineError(ValueError):
    """A line of an import file is not a valid article; ``line`` is its 1-based number. When the import
    stops at it, ``report`` says what the lines before it did."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.report: ImportReport | None = None


def import_key(row: dict[str, Any]) -> str:
    """The hash of an article's imported fields (all but its id): the same line gives the same key."""
    fields = {key: value for key, value in row.items() if key not in ("id", "import_key")}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def slugify(title: str, max_length: int = 80) -> str:
    """A URL slug from a title: ASCII, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > max_length:
        # Cut at the last word boundary that fits; a single word longer than the limit is cut inside.
        cut = slug[: max_length + 1].rfind("-")
        slug = slug[:cut] if cut > 0 else slug[:max_length]
    return slug.rstrip("-") or "article"


def parse_article_line(number: int, line: str, site_id: int | None = None) -> ArticleRecord:
    """One line as a record; with ``site_id`` the article goes to that site whatever its ``domain`` says."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ImportLineError(number, f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise ImportLineError(number, "expected a JSON object")
    if site_id is not None:
        data["domain"] = site_id
    try:
        return ArticleRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "article"
        raise ImportLineError(number, f"{where}: {first['msg']}") from exc


@dataclass
class ImportReport:
    """What an import did: rows inserted, lines kept because their article is already there (line number,
    article id), lines skipped with their error."""

    imported: int = 0
    kept: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[ImportLineError] = field(default_factory=list)

    def summary(self) -> str:
        kept = ""
        if self.kept:
            lines = _ranges([number for number, _ in self.kept])
            kept = f", kept {len(self.kept)} already imported (lines {lines})"
        return f"imported {self.imported} articles{kept}, skipped {len(self.skipped)}"


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def import_articles(
    engine: Engine,
    lines: Iterable[str],
    *,
    on_error: Literal["skip", "abort"] = "abort",
    progress: Callable[[int], None] | None = None,
    site_id: int | None = None,
) -> ImportReport:
    """Insert the articles of a JSON Lines stream, a transaction per batch.

    With ``on_error="abort"`` the first bad line raises ``ImportLineError`` after the batches before it were
    committed; with ``"skip"`` bad lines (invalid JSON, unknown domain, duplicate id) are reported and passed.
    """
    report = ImportReport()
    known_domains = _domain_ids(engine)
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        if batch:
            _insert_batch(engine, batch, report, on_error)
            if progress:
                progress(len(batch))
            batch.clear()

    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = parse_article_line(number, line, site_id)
                if record.domain not in known_domains:
                    raise ImportLineError(number, f"domain {record.domain} does not exist")
            except ImportLineError as error:
                if on_error == "abort":
                    flush()
                    error.report = report
                    raise
                report.skipped.append(error)
                continue
            row = record.row()
            # Lines without an id are found again by their key; lines with one by their id (their key is
            # needed only when the id is taken: ``_new_rows``).
            if "id" not in row:
                row["import_key"] = import_key(row)
            batch.append((number, row))
            if len(batch) >= BATCH_SIZE:
                flush()
        flush()
    finally:
        _fix_sequence(engine)
    return report


def _insert_batch(
    engine: Engine, batch: list[tuple[int, dict[str, Any]]], report: ImportReport, on_error: str
) -> None:
    try:
        batch = _new_rows(engine, batch, report, on_error)
    except ImportLineError as stopped:
        stopped.report = report
        raise
    # executemany needs one set of keys per call: rows with an explicit id apart from those without.
    with_id = [row for _, row in batch if "id" in row]
    without_id = [row for _, row in batch if "id" not in row]
    try:
        with bulk_transaction(engine) as connection:
            _insert_indexed(connection, [with_id, without_id])
        report.imported += len(batch)
        return
    except sa.exc.IntegrityError:
        pass
    # Some row of the batch broke a constraint: redo it row by row to name the line and keep the rest.
    for number, row in batch:
        try:
            with bulk_transaction(engine) as connection:
                _insert_indexed(connection, [[row]])
            report.imported += 1
        except sa.exc.IntegrityError as exc:
            error = ImportLineError(number, f"rejected by the database ({_constraint_message(exc)})")
            if on_error == "abort":
                error.report = report
                raise error from exc
            report.skipped.append(error)


_INSERTED = (qa_ai.c.id, qa_ai.c.domain, qa_ai.c.status)


def _insert_indexed(connection: sa.Connection, groups: list[list[dict[str, Any]]]) -> None:
    """Insert the rows (triggers off: a bulk transaction), then index, tag and queue them as one batch."""
    inserted: list[ImportedArticle] = []
    for rows in groups:
        if rows:
            result = connection.execute(qa_ai.insert().returning(*_INSERTED), rows)
            inserted += [ImportedArticle(int(r.id), int(r.domain), str(r.status)) for r in result]
    index_batch(connection, inserted)


def _new_rows(
    engine: Engine, batch: list[tuple[int, dict[str, Any]]], report: ImportReport, on_error: str
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of ``batch`` not imported yet; the others are recorded as kept (the same article is there)
    or, for an id that holds another article, as errors."""
    ids = [row["id"] for _, row in batch if "id" in row]
    keys = [row["import_key"] for _, row in batch if "id" not in row]
    with engine.connect() as connection:
        by_id = {
            row["id"]: row
            for row in connection.execute(
                sa.select(*EXPORT_COLUMNS, qa_ai.c.import_key).where(qa_ai.c.id.in_(ids))
            )
            .mappings()
            .all()
        }
        by_key = dict(
            connection.execute(
                sa.select(qa_ai.c.import_key, qa_ai.c.id).where(qa_ai.c.import_key.in_(keys))
            ).all()
        )
    fresh: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in batch:
        if "id" in row and row["id"] in by_id:
            existing = by_id[row["id"]]
            if (existing["import_key"] or _stored_key(existing)) == import_key(row):
                report.kept.append((number, row["id"]))
                continue
            error = ImportLineError(
                number, f"article {row['id']} already exists with other content (kept as it is)"
            )
            if on_error == "abort":
                raise error
            report.skipped.append(error)
            continue
        if "id" in row:
            row = {**row, "import_key": None}  # the id is the key: equal content under two ids is allowed
        else:
            key = row["import_key"]
            if key in by_key or key in seen:
                report.kept.append((number, by_key.get(key, seen.get(key, 0))))
                continue
            seen[key] = 0
        fresh.append((number, row))
    return fresh


def _stored_key(row: Any) -> str:
    """The import key of an article stored before keys were (an import before migration 0008)."""
    record = {column.name: row[column.name] for column in EXPORT_COLUMNS}
    if isinstance(record["faq"], str):
        record["faq"] = json.loads(record["faq"])
    return import_key(ArticleRecord.model_validate(record).row())


def _constraint_message(exc: sa.exc.IntegrityError) -> str:
    text = str(exc.orig).strip().splitlines()[0]
    return text[:200]


def _fix_sequence(engine: Engine) -> None:
    """After explicit ids, move PostgreSQL's id sequence past them (SQLite does this by itself)."""
    with engine.begin() as connection:
        advance_sequences(connection, [qa_ai])


def _domain_ids(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(domain.c.id)).scalars())


#: ``version`` counts edits in this store (an imported article starts its own count); ``import_key`` is
#: this store's memory of what it imported.
EXPORT_COLUMNS = [
    column for column in qa_ai.c if column.name not in ("created_at", "updated_at", "version", "import_key")
]


def export_articles(engine: Engine, *, batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """The articles as JSON Lines, in id order, read in keyset-paginated batches (constant memory)."""
    last_id = 0
    while True:
        with engine.connect() as connection:
            rows = (
                connection.execute(
                    sa.select(*EXPORT_COLUMNS)
                    .where(qa_ai.c.id > last_id)
                    .order_by(qa_ai.c.id)
                    .limit(batch_size)
                )
                .mappings()
                .all()
            )
        if not rows:
            return
        for row in rows:
            record = {key: value for key, value in row.items()}
            if isinstance(record["date"], dt.date):
                record["date"] = record["date"].isoformat()
            if isinstance(record["scheduled_at"], dt.datetime):
                record["scheduled_at"] = record["scheduled_at"].isoformat()
            if isinstance(record["faq"], str):
                record["faq"] = json.loads(record["faq"])
            yield json.dumps(record, ensure_ascii=False)
        last_id = rows[-1]["id"]
