"""Saving an article with a version check, its revision history, and restoring a revision.

Every save names the ``version`` the editor loaded; the update is conditional on it, so of two editors who
loaded the same version the second gets ``VersionConflict`` (carrying the current version) instead of
silently overwriting the first. Each save keeps the new state as a revision; the state before the first
save is kept too, so the history starts where the article did. Status changes do not bump the version: an
editor fixing a typo does not conflict with a colleague publishing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from qapress.articles.clock import as_utc, stored_utc, utc_now
from qapress.articles.diff import unified_diff
from qapress.articles.errors import ArticleNotFound, PublishRefused, RevisionNotFound, VersionConflict
from qapress.articles.fields import EDITABLE_FIELDS, ArticleFields, apply_changes
from qapress.articles.publishable import regrounded
from qapress.generate.grounding import GroundingReport
from qapress.related.lists import refresh_published
from qapress.store.schema import article_revision, grounding_report, qa_ai

#: Statuses whose article readers see (or will see, unattended): an edit must keep them publishable.
LIVE_STATUSES = ("published", "scheduled")
#: The fields a related list is computed from: an edit of one while published computes it again.
RELATED_FIELDS = frozenset({"title", "lead", "text"})


@dataclass(frozen=True)
class Saved:
    """What a save did. ``changed`` is empty (and nothing was written) when the values were the same."""

    article_id: int
    version: int
    previous_version: int
    changed: tuple[str, ...]
    grounding: GroundingReport | None
    grounding_passed: bool | None
    actor_id: int | None = None
    restored_from: int | None = None


@dataclass(frozen=True)
class RevisionInfo:
    article_id: int
    version: int
    saved_at: dt.datetime
    actor_id: int | None


@dataclass(frozen=True)
class Revision(RevisionInfo):
    fields: ArticleFields


@dataclass(frozen=True)
class EditableArticle:
    """An article as an editor loads it: its fields and the version to send back with the save."""

    id: int
    domain: int
    status: str
    version: int
    source_id: int | None
    scheduled_at: dt.datetime | None
    updated_at: dt.datetime | None
    fields: ArticleFields


def load_article(connection: sa.Connection, article_id: int, *, lock: bool = False) -> EditableArticle:
    """The article's editable fields and version; ``lock`` holds its row until the transaction ends."""
    query = sa.select(qa_ai).where(qa_ai.c.id == article_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    if row is None:
        raise ArticleNotFound(f"there is no article {article_id}")
    return EditableArticle(
        id=row["id"],
        domain=row["domain"],
        status=row["status"],
        version=row["version"],
        source_id=row["source_id"],
        scheduled_at=stored_utc(row["scheduled_at"]),
        updated_at=stored_utc(row["updated_at"]),
        fields=ArticleFields.from_row(dict(row)),
    )


def save_article(
    connection: sa.Connection,
    article_id: int,
    fields: Mapping[str, Any],
    expected_version: int,
    actor_id: int | None,
    *,
    now: dt.datetime | None = None,
    restored_from: int | None = None,
) -> Saved:
    """Apply ``fields`` (any of ``EDITABLE_FIELDS``) if the article is still at ``expected_version``.

    Raises ``VersionConflict``, ``InvalidFields``, ``ArticleNotFound``, or ``PublishRefused`` when a
    published or scheduled article's new text fails its grounding check. A draft is saved whatever its
    check says; the check's report is stored and returned for the editor to see.
    """
    now = as_utc(now) if now else utc_now()
    current = load_article(connection, article_id, lock=True)
    if current.version != expected_version:
        raise VersionConflict(article_id, expected_version, current.version)
    updated = apply_changes(current.fields, fields)
    changed = updated.changed_fields(current.fields)
    if not changed:
        return Saved(article_id, current.version, current.version, (), None, None, actor_id, restored_from)
    report: GroundingReport | None = None
    passed: bool | None = None
    if current.source_id is not None:
        report, passed = regrounded(connection, current.source_id, updated)
        if not passed and current.status in LIVE_STATUSES:
            raise PublishRefused(
                f"article {article_id} is {current.status} and the edit fails its grounding check "
                f"({report.first_problem() or report.summary()}); unpublish it to keep editing"
            )
    _keep_first_revision(connection, current)
    new_version = current.version + 1
    written = connection.execute(
        qa_ai.update()
        .where(qa_ai.c.id == article_id, qa_ai.c.version == expected_version)
        .values(**updated.column_values(), version=new_version, updated_at=now)
    )
    if written.rowcount != 1:
        # Only without a row lock (a caller's plain SQLite BEGIN): someone saved between read and write.
        stored = connection.execute(sa.select(qa_ai.c.version).where(qa_ai.c.id == article_id)).scalar()
        raise VersionConflict(article_id, expected_version, int(stored or 0))
    _insert_revision(connection, article_id, new_version, now, actor_id, updated)
    if current.status == "published" and RELATED_FIELDS.intersection(changed):
        refresh_published(connection, article_id)
    if report is not None:
        connection.execute(
            grounding_report.update()
            .where(grounding_report.c.article_id == article_id)
            .values(passed=report.passed, report=report.to_json(), checked_at=now)
        )
    return Saved(article_id, new_version, current.version, changed, report, passed, actor_id, restored_from)


def _keep_first_revision(connection: sa.Connection, article: EditableArticle) -> None:
    """Before the first save, keep the state it replaces as the revision of the current version."""
    exists = connection.execute(
        sa.select(article_revision.c.id).where(
            article_revision.c.article_id == article.id, article_revision.c.version == article.version
        )
    ).first()
    if exists is None:
        saved_at = article.updated_at or utc_now()
        _insert_revision(connection, article.id, article.version, saved_at, None, article.fields)


def _insert_revision(
    connection: sa.Connection,
    article_id: int,
    version: int,
    saved_at: dt.datetime,
    actor_id: int | None,
    fields: ArticleFields,
) -> None:
    connection.execute(
        article_revision.insert(),
        {
            "article_id": article_id,
            "version": version,
            "saved_at": saved_at,
            "actor_id": actor_id,
            "fields": fields.to_json(),
        },
    )


def list_revisions(connection: sa.Connection, article_id: int) -> list[RevisionInfo]:
    """The article's revisions, newest first; an article never edited has none (its current state is v1)."""
    if connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.id == article_id)).first() is None:
        raise ArticleNotFound(f"there is no article {article_id}")
    rows = connection.execute(
        sa.select(
            article_revision.c.article_id,
            article_revision.c.version,
            article_revision.c.saved_at,
            article_revision.c.actor_id,
        )
        .where(article_revision.c.article_id == article_id)
        .order_by(article_revision.c.version.desc())
    ).mappings()
    return [
        RevisionInfo(r["article_id"], r["version"], stored_utc(r["saved_at"]) or utc_now(), r["actor_id"])
        for r in rows
    ]


def read_revision(connection: sa.Connection, article_id: int, version: int) -> Revision:
    """One revision with its fields; the current version of an article never edited reads from the article."""
    row = (
        connection.execute(
            sa.select(article_revision).where(
                article_revision.c.article_id == article_id, article_revision.c.version == version
            )
        )
        .mappings()
        .first()
    )
    if row is not None:
        data = row["fields"]
        if isinstance(data, str):
            data = json.loads(data)
        saved_at = stored_utc(row["saved_at"]) or utc_now()
        return Revision(article_id, version, saved_at, row["actor_id"], ArticleFields.from_row(data))
    current = load_article(connection, article_id)
    if current.version == version:
        return Revision(article_id, version, current.updated_at or utc_now(), None, current.fields)
    raise RevisionNotFound(
        f"article {article_id} has no revision {version} (see `qapress revisions {article_id}`)"
    )


def diff_revisions(connection: sa.Connection, article_id: int, from_version: int, to_version: int) -> str:
    """A unified diff of two revisions' fields (empty when they are the same)."""
    old = read_revision(connection, article_id, from_version)
    new = read_revision(connection, article_id, to_version)
    return unified_diff(old.fields, new.fields, f"revision {from_version}", f"revision {to_version}")


def restore_revision(
    connection: sa.Connection,
    article_id: int,
    version: int,
    actor_id: int | None,
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Saved:
    """Save a revision's fields as a new revision. ``expected_version`` None: whatever is current now."""
    revision = read_revision(connection, article_id, version)
    current = load_article(connection, article_id, lock=True)
    expected = current.version if expected_version is None else expected_version
    values = {name: getattr(revision.fields, name) for name in EDITABLE_FIELDS}
    return save_article(connection, article_id, values, expected, actor_id, now=now, restored_from=version)
