"""The typer application: registers each verb and turns every known error into one plain line."""

from __future__ import annotations

import sys

import typer

from qapress.cli import articles, data, feeds, generate, links, metadata, serve, sites, users
from qapress.cli.errors import stderr
from qapress.store import StoreError

app = typer.Typer(
    name="qapress",
    help="Run a network of Q&A article sites from one database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(data.init)
app.command("import")(data.import_)
app.command()(data.export)
app.command()(data.backup)
app.command()(data.restore)
app.command()(serve.serve)
app.command()(serve.demo)
app.add_typer(links.app)
app.add_typer(feeds.app)
app.add_typer(sites.app)
app.add_typer(users.app)
app.command()(users.audit)
app.add_typer(metadata.app)
app.command()(links.worker)
app.command()(generate.ingest)
app.command()(generate.generate)
app.command()(generate.review)
app.command()(articles.publish)
app.command()(articles.unpublish)
app.command()(articles.withdraw)
app.command()(articles.revisions)
app.command()(articles.revert)


def main() -> None:
    """Entry point of the ``qapress`` console script."""
    try:
        app()
    except StoreError as exc:
        stderr.print(f"qapress: error: {exc}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
