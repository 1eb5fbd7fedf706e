"""Verbs for readers' links: ``qapress links list|approve|reject|recheck`` and ``qapress worker``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.cli.help import example
from qapress.links.checker import BacklinkChecker, CheckResult
from qapress.links.errors import LinksError
from qapress.links.moderation import approve_link, list_links, reject_link
from qapress.links.worker import LinkWorker
from qapress.observe.logs import configure_logging
from qapress.settings import get_settings

app = typer.Typer(
    name="links",
    help="Moderate readers' links: list them, approve, reject or re-check one.",
    epilog=example("qapress links list --status pending", "qapress links approve 42"),
    no_args_is_help=True,
    add_completion=False,
)

LinkId = Annotated[int, typer.Argument(help="The link's id (see `qapress links list`).", min=1)]


@app.command("list", epilog=example("qapress links list --status pending --limit 20"))
def list_(
    status: Annotated[
        str | None, typer.Option(help="Only links of this status: pending, live, rejected or hidden.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
) -> None:
    """List links, newest first: id, status, article, URL, then the title or the reason."""
    engine = open_store()
    try:
        views = list_links(engine, status, limit)
    except LinksError as exc:
        fail(str(exc))
    for view in views:
        note = view.reason if view.status in ("rejected", "hidden") or not view.title else view.title
        typer.echo(f"{view.id}\t{view.status}\t{view.article_id}\t{view.url}\t{note or ''}")
    stderr.print(f"{len(views)} links", markup=False)


@app.command(epilog=example("qapress links approve 42"))
def approve(link_id: LinkId) -> None:
    """Make a link live now (the daily re-check still hides it if the backlink is missing)."""
    settings = get_settings()
    engine = open_store()
    try:
        approve_link(
            engine, link_id, dt.timedelta(seconds=settings.links_recheck_seconds), settings.links_max_per_page
        )
    except LinksError as exc:
        fail(str(exc))
    stderr.print(f"link {link_id} is live", markup=False)


@app.command(epilog=example("qapress links reject 42 --reason 'no link back to the article'"))
def reject(
    link_id: LinkId,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept with the link for other moderators.")],
) -> None:
    """Reject a link with a reason; it leaves the page and frees its place."""
    engine = open_store()
    try:
        reject_link(engine, link_id, reason)
    except LinksError as exc:
        fail(str(exc))
    stderr.print(f"link {link_id} is rejected", markup=False)


@app.command(epilog=example("qapress links recheck 42"))
def recheck(link_id: LinkId) -> None:
    """Fetch the link's page now and look for the backlink; prints the new status."""
    engine = open_store()
    checker = BacklinkChecker.from_settings(engine, get_settings())
    try:
        result = checker.check(link_id)
    except LinksError as exc:
        fail(str(exc))
    assert result is not None
    typer.echo(describe(result))


def worker(
    once: Annotated[bool, typer.Option("--once", help="Check what is due now, then exit.")] = False,
) -> None:
    """Check submitted links for their backlink, and re-check live ones, until stopped."""
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    link_worker = LinkWorker.from_settings(open_store(), settings)
    if once:
        results = link_worker.run_once()
        for result in results:
            typer.echo(describe(result))
        stderr.print(f"checked {len(results)} links", markup=False)
        return
    stderr.print(f"checking links every {settings.links_worker_poll_seconds:g} s; Ctrl+C stops", markup=False)
    link_worker.run_forever()


def describe(result: CheckResult) -> str:
    detail = result.reason or result.title or ""
    return f"{result.link_id}\t{result.before} -> {result.after}\t{result.url}\t{detail}"
