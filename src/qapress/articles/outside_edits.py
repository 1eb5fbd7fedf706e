"""Edits made outside the lifecycle (``update_qa_ai`` at ``/v1/graphql``) follow its rules anyway.

The engine calls ``article_update_hook`` after each update of ``qa_ai``, in the mutation's transaction.
When the update changed an editable field, the article gets a new version (an editor's form loaded
before it then conflicts instead of overwriting it) kept as a revision, its grounding check is run on the
new text and stored, and a published or scheduled article whose new text fails goes back to draft: the
check a save through the newsroom makes before writing is made here right after, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from qapress.articles.clock import utc_now
from qapress.articles.editing import LIVE_STATUSES, load_article
from qapress.articles.fields import EDITABLE_FIELDS
from qapress.articles.publishable import regrounded
from qapress.engine.compile_mutation import UpdateHook
from qapress.store.schema import article_revision, grounding_report, qa_ai

USER_ID = "x-hasura-user-id"


def after_outside_edit(
    connection: sa.Connection, article_id: int, actor_id: int | None, now: dt.datetime | None = None
) -> bool:
    """Version, revision and grounding after an edit already written; True when it took the article off."""
    moment = now or utc_now()
    current = load_article(connection, article_id, lock=True)
    version = current.version + 1
    # The edit is a real one: feeds' ``updated`` and ``dateModified`` say when it was made.
    connection.execute(
        qa_ai.update().where(qa_ai.c.id == article_id).values(version=version, updated_at=moment)
    )
    connection.execute(
        article_revision.insert(),
        {
            "article_id": article_id,
            "version": version,
            "saved_at": moment,
            "actor_id": actor_id,
            "fields": current.fields.to_json(),
        },
    )
    if current.source_id is None:
        return False
    report, passed = regrounded(connection, current.source_id, current.fields)
    connection.execute(
        grounding_report.update()
        .where(grounding_report.c.article_id == article_id)
        .values(passed=passed, report=report.to_json(), checked_at=moment)
    )
    if passed or current.status not in LIVE_STATUSES:
        return False
    connection.execute(
        qa_ai.update()
        .where(qa_ai.c.id == article_id)
        .values(status="draft", scheduled_at=None, updated_at=moment)
    )
    return True


def article_update_hook() -> UpdateHook:
    """The hook for ``GraphQLEngine(update_hooks={"qa_ai": ...})``."""

    def hook(
        connection: sa.Connection,
        identities: Sequence[tuple[Any, ...]],
        values: Mapping[str, Any],
        session: Mapping[str, str],
    ) -> None:
        if not set(values) & set(EDITABLE_FIELDS):
            return  # a status change: the publishing rule is the permission check's
        raw = session.get(USER_ID, "")
        actor_id = int(raw) if raw.isdigit() else None
        for (article_id,) in identities:
            after_outside_edit(connection, int(article_id), actor_id)

    return hook
