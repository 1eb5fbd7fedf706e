"""The pipeline an editor drives: a stored source -> a backend's draft -> the grounding check -> a stored
draft; and publishing, which only a draft with a passing grounding check gets through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine

from qapress.articles.publishing import publish_article as publish_now
from qapress.generate.backend import Backend, RevisingBackend
from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.errors import GenerateError
from qapress.generate.grounding import GroundingReport, check_draft
from qapress.generate.repository import insert_draft, load_source, source_is_used
from qapress.store import begin_write


@dataclass(frozen=True)
class GenerateResult:
    source_id: int
    article_id: int | None = None
    report: GroundingReport | None = None
    skipped: str | None = None
    error: str | None = None
    #: The stored draft is the backend's second, written after the check's reasons.
    revised: bool = False


def generate_article(
    engine: Engine,
    source_id: int,
    domain_id: int,
    backend: Backend,
    *,
    day: dt.date | None = None,
    only_if_unused: bool = False,
) -> GenerateResult:
    """Write, check and store one draft from one source. The draft is stored even when the check fails,
    with the report saying why, so the editor can see it; ``publish`` will refuse it."""
    document = load_source(engine, source_id)
    if only_if_unused:
        with engine.connect() as connection:
            if source_is_used(connection, source_id):
                return GenerateResult(source_id, skipped="already has an article")
    kept, report, revised = write_checked_draft(backend, document)
    kept = replace(kept, outro=_with_credit(kept.outro, document))
    article_id = insert_draft(
        engine,
        document=document,
        domain_id=domain_id,
        draft=kept,
        report=report,
        backend=backend.name,
        day=day or dt.date.today(),
        only_if_unused=only_if_unused,
    )
    if article_id is None:
        return GenerateResult(source_id, skipped="already has an article")
    return GenerateResult(source_id, article_id, report, revised=revised)


def write_checked_draft(backend: Backend, document: SourceDocument) -> tuple[Draft, GroundingReport, bool]:
    """A backend's draft through the grounding check; when it fails and the backend can revise, one more
    draft written with the check's reasons, checked the same way. Returns the kept draft, its report and
    whether it is the revision. A revision that fails too is returned failing (stored for the editor, who
    sees both rounds' reasons); it is never tried a third time."""
    draft = backend.draft(document)
    kept, report = check_draft(draft, document)
    if report.passed or not isinstance(backend, RevisingBackend):
        return kept, report, False
    first = report
    try:
        revised = backend.revise(document, draft, first)
    except GenerateError as exc:
        note = f"a revision with the check's reasons was asked for and failed: {exc}"
        return kept, replace(first, problems=[*first.problems, note]), False
    kept, report = check_draft(revised, document)
    if not report.passed:
        note = "still not grounded after one revision with the check's reasons; first round: "
        note += first.first_problem() or "no details"
        report = replace(report, problems=[*report.problems, note])
    return kept, report, True


def _with_credit(outro: str, document: SourceDocument) -> str:
    credit = document.credit_line()
    return f"{outro.strip()} {credit}" if outro.strip() else credit


def generate_all_new(
    engine: Engine,
    source_ids: list[int],
    domain_id: int,
    backend: Backend,
    *,
    day: dt.date | None = None,
    progress: Callable[[GenerateResult], None] | None = None,
) -> list[GenerateResult]:
    """One draft per source that has none yet; a source that fails is reported and the others go on."""
    results: list[GenerateResult] = []
    for source_id in source_ids:
        try:
            result = generate_article(engine, source_id, domain_id, backend, day=day, only_if_unused=True)
        except GenerateError as exc:
            result = GenerateResult(source_id, error=str(exc))
        results.append(result)
        if progress:
            progress(result)
    return results


def publish_article(engine: Engine, article_id: int) -> None:
    """Move a draft to published, only if its stored grounding report passed and its current text still does.

    The rule lives in ``qapress.articles`` (``publish_article`` there takes a connection and an actor).
    """
    with begin_write(engine) as connection:
        publish_now(connection, article_id, None)
