"""The ``purge`` verb: drop pages from every cache by tag, article, site or all, through the edits' own path."""

from __future__ import annotations

from typing import Annotated

import typer

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.site import cache_tags
from qapress.site.purge.manual import PurgeTagError, article_tags, request_purge
from qapress.store import begin_write
from qapress.store.sites import SiteError, find_site


def purge(
    tags: Annotated[
        list[str] | None,
        typer.Argument(help="Cache tags as pages send them in Surrogate-Key (a6646098, n7)."),
    ] = None,
    article: Annotated[
        list[int] | None,
        typer.Option("--article", min=1, help="Every page showing this article (repeatable)."),
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Every page of this site, by host (repeatable).")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every page of every site.")] = False,
) -> None:
    """Drop pages from qapress's own page caches (every worker, every host) and queue their purge for the
    configured proxies and CDNs, exactly as an edit does; the purge worker of `qapress serve` or
    `qapress worker` delivers it."""
    wanted = list(tags or [])
    for article_id in article or []:
        wanted += article_tags(article_id)
    if everything:
        wanted.append(cache_tags.ALL)
    if not wanted and not site:
        fail("name what to purge: tags, --article ID, --site HOST or --all")
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            for host in site or []:
                wanted.append(cache_tags.site(find_site(connection, host).id))
            logged = request_purge(connection, wanted)
    except (PurgeTagError, SiteError) as exc:
        fail(str(exc))
    typer.echo(" ".join(logged))
    stderr.print(f"queued the purge of {len(logged)} tags", markup=False)
