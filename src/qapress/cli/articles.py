"""Verbs of the article lifecycle: ``publish [--at]``, ``unpublish``, ``withdraw``, ``revisions``, ``revert``.

Each runs one ``qapress.articles`` function in one write transaction, as no newsroom user (actor ``None``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from qapress.articles.clock import as_utc
from qapress.articles.editing import diff_revisions, list_revisions, restore_revision
from qapress.articles.errors import ArticleError
from qapress.articles.publishing import (
    publish_article,
    schedule_article,
    unpublish_article,
    withdraw_article,
)
from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.store import begin_write

ArticleId = Annotated[int, typer.Argument(help="The article's id.", min=1)]


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO 8601 time from the command line, as UTC (a time without an offset is taken as UTC)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option} must be an ISO 8601 time such as 2026-12-24T08:00:00+01:00, not {text!r}")
    return as_utc(moment)


def publish(
    article_id: ArticleId,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Publish at this time instead (ISO 8601; without an offset it is UTC); the worker does it.",
        ),
    ] = None,
) -> None:
    """Publish a draft now, or schedule it with --at; refused unless its grounding check passed."""
    when = parse_time(at, "--at") if at is not None else None
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            if when is None:
                publish_article(connection, article_id, None)
            else:
                change = schedule_article(connection, article_id, when, None)
    except ArticleError as exc:
        fail(str(exc))
    if when is None:
        typer.echo(f"published article {article_id}")
    else:
        assert change.scheduled_at is not None
        typer.echo(f"scheduled article {article_id} for {change.scheduled_at.isoformat()}")


def unpublish(article_id: ArticleId) -> None:
    """Make a published, scheduled or withdrawn article a draft again (readers no longer see it)."""
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            change = unpublish_article(connection, article_id, None)
    except ArticleError as exc:
        fail(str(exc))
    typer.echo(f"article {article_id} is a draft again (was {change.before})")


def withdraw(article_id: ArticleId) -> None:
    """Withdraw an article: its page answers 410 Gone and it leaves the lists, feeds and sitemaps."""
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            withdraw_article(connection, article_id, None)
    except ArticleError as exc:
        fail(str(exc))
    typer.echo(f"withdrew article {article_id}")


def revisions(
    article_id: ArticleId,
    diff: Annotated[
        tuple[int, int] | None,
        typer.Option("--diff", help="Show the changes from one revision to another: --diff 1 3."),
    ] = None,
) -> None:
    """List an article's revisions, newest first (version, saved at, by), or show a diff of two."""
    engine = open_store()
    try:
        with engine.connect() as connection:
            if diff is not None:
                typer.echo(diff_revisions(connection, article_id, diff[0], diff[1]) or "no changes")
                return
            listed = list_revisions(connection, article_id)
    except ArticleError as exc:
        fail(str(exc))
    for revision in listed:
        by = f"user {revision.actor_id}" if revision.actor_id is not None else "-"
        typer.echo(f"{revision.version}\t{revision.saved_at.isoformat(timespec='seconds')}\t{by}")
    stderr.print(
        f"{len(listed)} revisions" if listed else f"article {article_id} was never edited", markup=False
    )


def revert(
    article_id: ArticleId,
    revision: Annotated[
        int, typer.Argument(help="The revision's version (see `qapress revisions ID`).", min=1)
    ],
) -> None:
    """Make an old revision's text current again; the revert is itself a new revision.

    (`qapress restore` puts back a whole backup.) Example: qapress revert 6646098 3
    """
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            saved = restore_revision(connection, article_id, revision, None)
    except ArticleError as exc:
        fail(str(exc))
    if not saved.changed:
        typer.echo(f"article {article_id} already has the text of revision {revision}")
        return
    typer.echo(f"reverted article {article_id} to revision {revision}, saved as revision {saved.version}")
    if saved.grounding is not None and not saved.grounding_passed:
        stderr.print(f"grounding: {saved.grounding.summary()}", markup=False)
