"""The ``related`` verbs: compute the stored "Related articles" lists now (a whole network, or one site)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import typer

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.related.lists import queue_articles
from qapress.related.queue import RelatedWorker, queued_count
from qapress.store import begin_write
from qapress.store.schema import qa_ai
from qapress.store.sites import SiteError, find_site

app = typer.Typer(help="The stored related lists of the article pages.", no_args_is_help=True)


@app.command()
def rebuild(
    site: Annotated[str | None, typer.Option("--site", help="Only this site's articles, by host.")] = None,
    queue_only: Annotated[
        bool,
        typer.Option("--queue-only", help="Queue the lists for `qapress worker` instead of computing them."),
    ] = False,
) -> None:
    """Queue every published article's list (or one site's) and compute the queue now."""
    engine = open_store()
    try:
        with begin_write(engine) as connection:
            published = sa.select(qa_ai.c.id).where(qa_ai.c.status == "published")
            if site is not None:
                published = published.where(qa_ai.c.domain == find_site(connection, site).id)
            queue_articles(connection, connection.execute(published.order_by(qa_ai.c.id)).scalars())
    except SiteError as exc:
        fail(str(exc))
    if queue_only:
        stderr.print(f"{queued_count(engine)} related lists queued for qapress worker", markup=False)
        return
    done = RelatedWorker(engine).run_once(limit=None)
    changed = sum(r.changed for r in done)
    stderr.print(f"computed {len(done)} related lists ({changed} changed)", markup=False)
