"""Verbs for feeds: ``qapress feeds add|list|remove``. ``qapress worker`` polls them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.feeds.errors import FeedError
from qapress.feeds.poller import PollResult, feed_policy
from qapress.feeds.repository import Feed, add_feed, list_feeds, remove_feed
from qapress.generate.errors import GenerateError
from qapress.generate.fetch import check_url
from qapress.generate.repository import resolve_domain
from qapress.settings import get_settings

app = typer.Typer(
    name="feeds",
    help="RSS, Atom and JSON Feed addresses whose new items `qapress worker` drafts for review.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def add(
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL (RSS, Atom or JSON Feed).")],
    site: Annotated[str, typer.Option("--site", help="Host (or id) of the site its drafts belong to.")] = "",
    auto_publish: Annotated[
        bool,
        typer.Option(
            "--auto-publish", help="Publish drafts whose check passes with nothing unverified; else review."
        ),
    ] = False,
) -> None:
    """Register a feed; the worker polls it at once, then every QAPRESS_FEEDS_POLL_SECONDS."""
    if not site:
        fail("--site is required (the host or id of the site the drafts belong to)")
    engine = open_store()
    try:
        check_url(url, feed_policy(get_settings()))
        domain_id = resolve_domain(engine, site)
        added = add_feed(engine, url, domain_id, auto_publish=auto_publish)
    except (FeedError, GenerateError) as exc:
        fail(str(exc))
    publish = "published when the check passes" if added.auto_publish else "queued for review"
    typer.echo(f"added feed {added.id}: {added.url} for {added.host} (drafts {publish})")


@app.command("list")
def list_() -> None:
    """List feeds: id, site, URL, auto-publish, last poll, next poll, then the last error if any."""
    feeds = list_feeds(open_store())
    for feed in feeds:
        typer.echo(describe_feed(feed))
    stderr.print(f"{len(feeds)} feeds", markup=False)


@app.command()
def remove(
    feed: Annotated[str, typer.Argument(help="The feed's id or URL (see `qapress feeds list`).")],
) -> None:
    """Stop polling a feed (the drafts made from it stay)."""
    try:
        removed = remove_feed(open_store(), feed)
    except FeedError as exc:
        fail(str(exc))
    typer.echo(f"removed feed {removed.id}: {removed.url}")


def describe_feed(feed: Feed) -> str:
    def when(moment: dt.datetime | None, unset: str) -> str:
        return moment.isoformat(timespec="seconds") if moment else unset

    auto = "auto-publish" if feed.auto_publish else "review"
    polled, due = when(feed.last_polled_at, "never"), when(feed.next_poll_at, "now")
    error = f"\terror ({feed.failures} in a row): {feed.last_error}" if feed.last_error else ""
    return f"{feed.id}\t{feed.host}\t{feed.url}\t{auto}\tpolled {polled}\tnext {due}{error}"


def describe_poll(result: PollResult) -> list[str]:
    """Lines of ``qapress worker --once`` for one feed's poll."""
    if result.error:
        return [f"feed {result.feed_id}\t{result.outcome}\t{result.url}\t{result.error}"]
    lines = [f"feed {result.feed_id}\t{result.outcome}\t{result.url}\t{len(result.items)} new items"]
    for item in result.items:
        article = f"article {item.article_id}" if item.article_id else "no article"
        lines.append(f"  item {item.url or item.key}\t{item.status}\t{article}\t{item.detail or ''}")
    return lines
