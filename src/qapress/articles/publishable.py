"""The one rule every publication passes: a grounding report that passed, and current text that still does.

``qapress publish``, the newsroom's publish and schedule buttons, the scheduled-publishing pass and edits of
a live article all ask ``check_publishable``; a hand-written article (no source, no report) is refused.
"""

from __future__ import annotations

import sqlalchemy as sa

from qapress.articles.errors import PublishRefused
from qapress.articles.fields import ArticleFields
from qapress.generate.grounding import GroundingReport, check_draft
from qapress.generate.repository import StoredArticle, read_source


def check_publishable(connection: sa.Connection, article: StoredArticle) -> None:
    """Raise ``PublishRefused`` unless the article's stored report passed and its text passes again now."""
    if article.report is None:
        raise PublishRefused(f"article {article.id} has no grounding report; make it with `qapress generate`")
    if not article.report.passed:
        raise PublishRefused(
            f"article {article.id} did not pass its grounding check ({article.report.summary()})"
        )
    if article.source_id is None:
        return
    document = read_source(connection, article.source_id)
    kept, report = check_draft(article.draft, document)
    if not passes(report, len(kept.faq), len(article.draft.faq)):
        raise PublishRefused(
            f"article {article.id} was edited since its check and no longer passes: {report.first_problem()}"
        )


def passes(report: GroundingReport, kept_answers: int, answers: int) -> bool:
    """A text passes when the check passed and kept every answer (a dropped answer would be published)."""
    return report.passed and kept_answers == answers


def regrounded(
    connection: sa.Connection, source_id: int, fields: ArticleFields
) -> tuple[GroundingReport, bool]:
    """The grounding check of edited fields against the article's source, and whether they would pass."""
    draft = fields.draft()
    kept, report = check_draft(draft, read_source(connection, source_id))
    return report, passes(report, len(kept.faq), len(draft.faq))
