"""The generate pipeline's reads and writes: sources, drafts with their grounding reports, publishing.

SQL only here, parameters always bound; check-then-write rules (a source stored once, a source drafted once
by ``--all-new``, publish only a checked draft) run in one write transaction (``begin_write``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.errors import ArticleNotFound, DomainNotFound, SourceNotFound
from qapress.generate.grounding import GroundingReport
from qapress.generate.sources import content_hash
from qapress.store import begin_write
from qapress.store.articles import slugify
from qapress.store.schema import domain, grounding_report, qa_ai, source


@dataclass(frozen=True)
class StoredSource:
    id: int
    title: str
    created: bool


def store_source(engine: Engine, document: SourceDocument) -> StoredSource:
    """Insert a source unless the same text (or URL) is already stored; then return the stored one."""
    digest = content_hash(document.text)
    try:
        return _store_source(engine, document, digest)
    except sa.exc.IntegrityError:
        # Another writer stored the same source between our check and our insert (PostgreSQL).
        return _store_source(engine, document, digest)


def _store_source(engine: Engine, document: SourceDocument, digest: str) -> StoredSource:
    with begin_write(engine) as connection:
        condition = source.c.content_hash == digest
        if document.url:
            condition = sa.or_(condition, source.c.url == document.url)
        existing = connection.execute(sa.select(source.c.id, source.c.title).where(condition)).first()
        if existing:
            return StoredSource(existing.id, existing.title, created=False)
        new_id = connection.execute(
            source.insert().returning(source.c.id),
            {
                "url": document.url,
                "title": document.title,
                "publisher": document.publisher,
                "author": document.author,
                "date": document.date,
                "text": document.text,
                "image_credit": document.image_credit,
                "content_hash": digest,
            },
        ).scalar_one()
    return StoredSource(new_id, document.title, created=True)


def load_source(engine: Engine, source_id: int) -> SourceDocument:
    with engine.connect() as connection:
        return read_source(connection, source_id)


def read_source(connection: sa.Connection, source_id: int) -> SourceDocument:
    """A stored source, read in the caller's transaction."""
    row = connection.execute(sa.select(source).where(source.c.id == source_id)).mappings().first()
    if row is None:
        raise SourceNotFound(f"there is no source {source_id}; `qapress ingest` stores one and prints its id")
    return SourceDocument(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        publisher=row["publisher"],
        author=row["author"],
        date=row["date"],
        url=row["url"],
        image_credit=row["image_credit"],
    )


def resolve_domain(engine: Engine, name: str) -> int:
    """A domain's id from its id or its host name."""
    with engine.connect() as connection:
        if name.isdigit():
            found = connection.execute(sa.select(domain.c.id).where(domain.c.id == int(name))).scalar()
        else:
            found = connection.execute(sa.select(domain.c.id).where(domain.c.host == name.lower())).scalar()
    if found is None:
        raise DomainNotFound(f"there is no domain {name!r}: give a domain id or host")
    return int(found)


def unused_source_ids(engine: Engine) -> list[int]:
    """Sources no article was written from yet, oldest first."""
    used = sa.select(qa_ai.c.id).where(qa_ai.c.source_id == source.c.id).exists()
    with engine.connect() as connection:
        return list(connection.execute(sa.select(source.c.id).where(~used).order_by(source.c.id)).scalars())


def source_is_used(connection: sa.Connection, source_id: int) -> bool:
    found = connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.source_id == source_id).limit(1)).first()
    return found is not None


def insert_draft(
    engine: Engine,
    *,
    document: SourceDocument,
    domain_id: int,
    draft: Draft,
    report: GroundingReport,
    backend: str,
    day: dt.date,
    only_if_unused: bool = False,
) -> int | None:
    """Store a draft and its grounding report; ``None`` when ``only_if_unused`` and the source has an article."""
    with begin_write(engine) as connection:
        if document.id is not None:
            # Two `--all-new` runs at once: the row lock (PostgreSQL) or the write lock (SQLite) makes the
            # second one see the first one's article.
            connection.execute(sa.select(source.c.id).where(source.c.id == document.id).with_for_update())
        if only_if_unused and document.id is not None and source_is_used(connection, document.id):
            return None
        article_id: int = connection.execute(
            qa_ai.insert().returning(qa_ai.c.id),
            {
                "domain": domain_id,
                "title": draft.title,
                "slug": slugify(draft.title),
                "lead": draft.lead,
                "text": draft.text,
                "faq": [{"question": item.question, "answer": item.answer} for item in draft.faq],
                "outro": draft.outro,
                "date": day,
                "image_credit": document.image_credit,
                "source_id": document.id,
                "status": "draft",
            },
        ).scalar_one()
        connection.execute(
            grounding_report.insert(),
            {
                "article_id": article_id,
                "passed": report.passed,
                "report": report.to_json(),
                "backend": backend,
            },
        )
    return article_id


@dataclass(frozen=True)
class StoredArticle:
    id: int
    status: str
    source_id: int | None
    draft: Draft
    report: GroundingReport | None


def _faq_items(value: Any) -> tuple[FaqItem, ...]:
    if isinstance(value, str):
        value = json.loads(value)
    items = value or []
    return tuple(FaqItem(str(item.get("question", "")), str(item.get("answer", ""))) for item in items)


def read_article(connection: sa.Connection, article_id: int, *, lock: bool = False) -> StoredArticle:
    query = (
        sa.select(qa_ai, grounding_report.c.report)
        .select_from(qa_ai.outerjoin(grounding_report, grounding_report.c.article_id == qa_ai.c.id))
        .where(qa_ai.c.id == article_id)
    )
    if lock:
        query = query.with_for_update(of=qa_ai)
    row = connection.execute(query).mappings().first()
    if row is None:
        raise ArticleNotFound(f"there is no article {article_id}")
    report_data = row["report"]
    if isinstance(report_data, str):
        report_data = json.loads(report_data)
    draft = Draft(
        title=row["title"],
        lead=row["lead"],
        body=tuple(paragraph for paragraph in row["text"].split("\n\n") if paragraph),
        faq=_faq_items(row["faq"]),
        outro=row["outro"],
    )
    report = GroundingReport.from_json(report_data) if isinstance(report_data, dict) else None
    return StoredArticle(row["id"], row["status"], row["source_id"], draft, report)
