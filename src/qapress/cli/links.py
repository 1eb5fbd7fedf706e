"""Verbs for readers' links: ``qapress links list|approve|reject|recheck|block|unblock|blocked`` and
``qapress worker``. Approve, reject and recheck take several ids at once."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated

import sqlalchemy as sa
import typer

from qapress.articles.clock import utc_now
from qapress.cli.articles import parse_time
from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.cli.help import example
from qapress.links.blocking import block_host, list_blocks, unblock_host
from qapress.links.checker import BacklinkChecker, CheckResult
from qapress.links.errors import LinksError
from qapress.links.moderation import Moderated, approve_links, list_links, queue_rechecks, reject_links
from qapress.links.worker import LinkWorker
from qapress.observe.logs import configure_logging
from qapress.related.queue import RelatedWorker
from qapress.settings import get_settings
from qapress.site.purge.queue import PurgeQueue, PurgeWorker
from qapress.store import begin_write

app = typer.Typer(
    name="links",
    help="Moderate readers' links: list them; approve, reject or re-check some; block a host or domain.",
    epilog=example("qapress links list --status pending", "qapress links approve 42 43"),
    no_args_is_help=True,
    add_completion=False,
)

LinkIds = Annotated[list[int], typer.Argument(help="Link ids (see `qapress links list`).", min=1)]


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


@app.command()
def approve(link_ids: LinkIds) -> None:
    """Make links live now (the daily re-check still hides one whose backlink is missing)."""
    settings = get_settings()
    recheck_after = dt.timedelta(seconds=settings.links_recheck_seconds)
    with write_transaction() as connection:
        results = approve_links(
            connection, link_ids, None, recheck_after=recheck_after, max_per_page=settings.links_max_per_page
        )
    report(results, "is live")


@app.command(epilog=example("qapress links reject 42 --reason 'no link back to the article'"))
def reject(
    link_ids: LinkIds,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept with the links for other moderators.")],
) -> None:
    """Reject links with a reason; they leave the page and free their places."""
    try:
        with write_transaction() as connection:
            results = reject_links(connection, link_ids, reason, None)
    except LinksError as exc:
        fail(str(exc))
    report(results, "is rejected")


@app.command()
def recheck(
    link_ids: LinkIds,
    later: Annotated[
        bool, typer.Option("--later", help="Leave the fetch to the worker's next round instead of now.")
    ] = False,
) -> None:
    """Fetch each link's page now and look for the backlink; prints each new status."""
    engine = open_store()
    if later:
        with begin_write(engine) as connection:
            report(queue_rechecks(connection, link_ids, None), "will be checked on the worker's next round")
        return
    checker = BacklinkChecker.from_settings(engine, get_settings())
    failed = 0
    for link_id in dict.fromkeys(link_ids):
        try:
            result = checker.check(link_id)
        except LinksError as exc:
            stderr.print(f"qapress: error: {exc}", markup=False)
            failed += 1
            continue
        assert result is not None
        typer.echo(describe(result))
    if failed:
        raise typer.Exit(1)


@app.command()
def block(
    host: Annotated[str, typer.Argument(help="A host name or a URL on it, e.g. spam.example.com.")],
    domain: Annotated[
        bool, typer.Option("--domain", help="Block the whole registered domain, every subdomain included.")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept with the block and its links.")] = "",
) -> None:
    """Refuse every future link to a host (or domain) and take its links off the pages."""
    try:
        with write_transaction() as connection:
            result = block_host(connection, host, domain=domain, reason=reason, actor_id=None)
    except LinksError as exc:
        fail(str(exc))
    verb = "blocked" if result.created else "already blocked:"
    typer.echo(
        f"{verb} {result.block.describe()}; {len(result.hidden)} live links hidden, "
        f"{len(result.rejected)} pending links rejected"
    )


@app.command()
def unblock(
    host: Annotated[str, typer.Argument(help="The blocked host, as `qapress links blocked` lists it.")],
    domain: Annotated[bool, typer.Option("--domain", help="It is blocked as a whole domain.")] = False,
) -> None:
    """Accept links to a host again; the links its block hid are checked again on the worker's next round."""
    try:
        with write_transaction() as connection:
            result = unblock_host(connection, host, domain=domain, actor_id=None)
    except LinksError as exc:
        fail(str(exc))
    typer.echo(
        f"unblocked {result.block.describe()}; {len(result.requeued)} hidden links will be checked again"
    )


@app.command()
def blocked() -> None:
    """List the blocked hosts and domains: host, kind, since, reason."""
    engine = open_store()
    with engine.connect() as connection:
        blocks = list_blocks(connection)
    for entry in blocks:
        since = entry.created_at.isoformat(timespec="seconds") if entry.created_at else ""
        typer.echo(f"{entry.host}\t{entry.kind}\t{since}\t{entry.reason}")
    stderr.print(f"{len(blocks)} blocked", markup=False)


@contextlib.contextmanager
def write_transaction() -> Iterator[sa.Connection]:
    with begin_write(open_store()) as connection:
        yield connection


def report(results: list[Moderated], done: str) -> None:
    """One line per link: done to stdout, refused to stderr; exit 1 if any was refused."""
    for result in results:
        if result.ok:
            typer.echo(f"link {result.link_id} {done}")
        else:
            stderr.print(f"qapress: error: {result.error}", markup=False)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def worker(
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then exit.")] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="With --once: publish what is scheduled up to this ISO 8601 time (tests, catching up).",
        ),
    ] = None,
) -> None:
    """Publish scheduled articles when due, check links for their backlink, re-check live ones, poll feeds,
    compute the queued related lists, and deliver the purge queue to the configured proxies and CDNs (pruning
    the cache invalidation log)."""
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    if now is not None and not once:
        fail("--now needs --once (a running worker follows the real clock)")
    moment = parse_time(now, "--now") if now is not None else None
    clock = (lambda: moment) if moment is not None else utc_now
    engine = open_store()
    passes: list[Callable[[], object]] = []
    poller = None
    if settings.feeds_in_worker:
        from qapress.cli.feeds import describe_poll
        from qapress.feeds.poller import FeedPoller

        poller = FeedPoller.from_settings(engine, settings)
        passes.append(poller.run_once)
    related = RelatedWorker(engine, clock)
    passes.append(related.run_once)
    link_worker = LinkWorker.from_settings(engine, settings, clock, passes)
    if once:
        changes = link_worker.publish_scheduled()
        for change in changes:
            outcome = change.reason or f"published (due {change.scheduled_at})"
            typer.echo(f"article {change.article_id}\t{change.before} -> {change.after}\t{outcome}")
        pings = link_worker.send_pings()
        results = link_worker.run_once()
        for result in results:
            typer.echo(describe(result))
        if pings.sent or pings.failed:
            stderr.print(f"IndexNow: sent {pings.sent} URLs, {pings.failed} to retry", markup=False)
        stderr.print(
            f"published {sum(c.after == 'published' for c in changes)} scheduled articles", markup=False
        )
        stderr.print(f"checked {len(results)} links", markup=False)
        if poller is not None:
            polls = poller.run_once()
            for poll in polls:
                typer.echo("\n".join(describe_poll(poll)))
            stderr.print(f"polled {len(polls)} feeds", markup=False)
        lists = related.run_once(limit=None)
        stderr.print(f"computed {len(lists)} related lists", markup=False)
        queue = PurgeQueue.from_settings(engine, settings)
        try:
            purged = queue.drain(moment)
            pruned = queue.prune_log(moment)
        finally:
            queue.close()
        for error in purged.errors:
            stderr.print(f"purge failed, kept to retry: {error}", markup=False)
        if queue.purgers:
            sent = f"delivered {purged.tags} purge tags to {len(queue.purgers)} caches"
        else:
            sent = f"dropped {purged.rows} queued purges (no proxy or CDN is configured)"
        stderr.print(f"{sent}; pruned {pruned} cache log entries", markup=False)
        return
    # The purge queue goes out at its own pace (within a second), not at the link checks'.
    purger = PurgeWorker(PurgeQueue.from_settings(engine, settings), settings.purge_poll_seconds).start()
    stderr.print(f"checking links every {settings.links_worker_poll_seconds:g} s; Ctrl+C stops", markup=False)
    try:
        link_worker.run_forever()
    finally:
        purger.stop()


def describe(result: CheckResult) -> str:
    detail = result.reason or result.title or ""
    return f"{result.link_id}\t{result.before} -> {result.after}\t{result.url}\t{detail}"
